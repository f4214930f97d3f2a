#!/usr/bin/env bash
# A real local cluster: one PostgreSQL (deploy/pg-test.sh), one S3-compatible server (s3proxy, filesystem blob store)
# and N `framegate serve` instances on consecutive loopback ports sharing both.
#   deploy/local-cluster.sh up N    start it; prints `instance I http://127.0.0.1:PORT pid PID` per instance, then
#                                   `api_key KEY`, `database URL` (no password) and `s3 ENDPOINT BUCKET`
#   deploy/local-cluster.sh down    stop everything `up` started (by pid) and remove the cluster directory
# State lives in $FRAMEGATE_CLUSTER_DIR (default /tmp/framegate-cluster). First port: $FRAMEGATE_CLUSTER_PORT (8080,
# moved up until N consecutive ports are free). The instances run app/target/framegate.jar (built with
# `mvn -DskipTests package` when missing), or `io.framegate.cli.Main` on $FRAMEGATE_CLUSTER_CLASSPATH when set (tests).
# $FRAMEGATE_CLUSTER_CONFIG_EXTRA names a YAML file appended to the instances' framegate.yaml (providers, routes,
# workers... for benchmarks and tests); $FRAMEGATE_CLUSTER_JAVA_OPTS adds JVM options to each instance.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir=${FRAMEGATE_CLUSTER_DIR:-/tmp/framegate-cluster}
bucket=framegate

find_java() {
  local c
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] || continue
    local v; v=$("$c/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1)
    if [ "${v:-0}" -ge 21 ]; then echo "$c/bin/java"; return 0; fi
  done
  echo "local-cluster: no JDK >= 21 found (set JAVA_HOME)" >&2; return 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# first port >= $1 with $2 consecutive free loopback ports
free_run() {
  python3 - "$1" "$2" <<'EOF'
import socket, sys
base, n = int(sys.argv[1]), int(sys.argv[2])
def free(p):
    s = socket.socket()
    try: s.bind(("127.0.0.1", p)); return True
    except OSError: return False
    finally: s.close()
while not all(free(base + i) for i in range(n)): base += 1
print(base)
EOF
}
# waits until something answers HTTP on $1 while pid $2 lives
await_http() {
  local url=$1 pid=$2 log=$3 i
  for i in $(seq 1 1200); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)" != 000 ]; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "local-cluster: process $pid exited; its log ($log):" >&2; tail -40 "$log" >&2; return 1; fi
    sleep 0.1
  done
  echo "local-cluster: nothing answered on $url within 120 s; log: $log" >&2; return 1
}
random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

down() {
  [ -d "$dir" ] || { echo "local-cluster: no cluster in $dir" >&2; return 0; }
  local pids=() pid i
  [ -f "$dir/pids" ] && while read -r _ pid; do pids+=("$pid"); done < "$dir/pids"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for i in $(seq 1 150); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  [ -f "$dir/pg-dir" ] && "$root/deploy/pg-test.sh" stop "$(cat "$dir/pg-dir")"
  rm -rf "$dir"
}

up() {
  local n=${1:?usage: local-cluster.sh up N}
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "local-cluster: N must be a positive number, got '$n'" >&2; exit 2; }
  if [ -e "$dir/pids" ]; then echo "local-cluster: a cluster is already up in $dir (run: $0 down)" >&2; exit 1; fi
  local java; java=$(find_java)
  # a fresh machine: Debian's postgresql package for its binaries (a default cluster the package may start is not used)
  # and curl, installed with apt-get like bench/run.sh does
  local missing=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v curl >/dev/null || missing+=(curl)
  command -v python3 >/dev/null || missing+=(python3)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "local-cluster: installing ${missing[*]}" >&2
    local sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >&2
  fi
  local s3jar="$root/server/target/s3proxy/s3proxy.jar"
  local app=()
  if [ -n "${FRAMEGATE_CLUSTER_CLASSPATH:-}" ]; then
    app=(-cp "$FRAMEGATE_CLUSTER_CLASSPATH" io.framegate.cli.Main)
  else
    if [ ! -f "$root/app/target/framegate.jar" ] || [ ! -f "$s3jar" ]; then
      echo "local-cluster: building (mvn -DskipTests package)..." >&2
      # with the JDK found above (mvn would otherwise use whatever java is first on PATH)
      (cd "$root" && JAVA_HOME="$(dirname "$(dirname "$java")")" mvn -q -B -ntp -DskipTests package >&2)
    fi
    app=(-jar "$root/app/target/framegate.jar")
  fi
  if [ ! -f "$s3jar" ]; then s3jar=$(ls ~/.m2/repository/org/gaul/s3proxy/*/s3proxy-*-jar-with-dependencies.jar 2>/dev/null | sort -V | tail -1 || true); fi
  [ -f "$s3jar" ] || { echo "local-cluster: s3proxy jar not found (build the server module first)" >&2; exit 1; }

  mkdir -p "$dir"
  : > "$dir/pids"
  trap 'echo "local-cluster: up failed; stopping what was started" >&2; down' ERR

  # PostgreSQL: a directory of its own (as root it runs as the postgres user, who must reach it)
  local pgdir; pgdir=$(mktemp -d /tmp/framegate-cluster-pg.XXXXXX)
  echo "$pgdir" > "$dir/pg-dir"
  local jdbc; jdbc=$("$root/deploy/pg-test.sh" start "$pgdir")
  local dburl=${jdbc%%\?*}
  local dbpass; dbpass=$(cat "$pgdir/.pw")

  # s3proxy on loopback; with the filesystem store a bucket is a directory, made before it starts
  local s3port; s3port=$(free_port)
  local s3key="fgcluster-$(random_hex 8)" s3secret; s3secret=$(random_hex 20)
  mkdir -p "$dir/s3/$bucket"
  (umask 077; cat > "$dir/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$s3port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$s3key
s3proxy.credential=$s3secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$dir/s3
EOF
  )
  setsid "$java" -Xmx256m -jar "$s3jar" --properties "$dir/s3proxy.properties" > "$dir/s3proxy.log" 2>&1 < /dev/null &
  echo "s3proxy $!" >> "$dir/pids"
  await_http "http://127.0.0.1:$s3port/" $! "$dir/s3proxy.log"

  local token="fga_$(random_hex 24)"
  (umask 077; echo "$token" > "$dir/admin.token")
  cat > "$dir/framegate.yaml" <<EOF
# one config for every instance: the same database and bucket; secrets come from the environment
database:
  url: $dburl
  user: framegate
  password_env: FRAMEGATE_DB_PASSWORD
storage:
  type: s3
  endpoint: http://127.0.0.1:$s3port
  bucket: $bucket
  region: us-east-1
  path_style: true
  access_key_env: FRAMEGATE_S3_ACCESS_KEY
  secret_key_env: FRAMEGATE_S3_SECRET_KEY
EOF
  if [ -n "${FRAMEGATE_CLUSTER_CONFIG_EXTRA:-}" ]; then cat "$FRAMEGATE_CLUSTER_CONFIG_EXTRA" >> "$dir/framegate.yaml"; fi

  local base; base=$(free_run "${FRAMEGATE_CLUSTER_PORT:-8080}" "$n")
  local i port pid ports=() started=()
  for i in $(seq 1 "$n"); do
    port=$((base + i - 1))
    mkdir -p "$dir/instance-$i"
    FRAMEGATE_ADMIN_TOKEN=$token FRAMEGATE_DB_PASSWORD=$dbpass FRAMEGATE_S3_ACCESS_KEY=$s3key \
      FRAMEGATE_S3_SECRET_KEY=$s3secret setsid "$java" -Xmx512m -XX:+IgnoreUnrecognizedVMOptions \
      --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED ${FRAMEGATE_CLUSTER_JAVA_OPTS:-} "${app[@]}" serve --host 127.0.0.1 \
      --port "$port" --data "$dir/instance-$i" --config "$dir/framegate.yaml" > "$dir/instance-$i.log" 2>&1 < /dev/null &
    pid=$!
    echo "instance-$i $pid" >> "$dir/pids"
    ports+=("$port"); started+=("$pid")
    # the first one runs the migrations alone; the others start together after it
    [ "$i" = 1 ] && await_http "http://127.0.0.1:$port/" "$pid" "$dir/instance-$i.log"
  done
  for i in $(seq 2 "$n"); do
    await_http "http://127.0.0.1:${ports[$((i-1))]}/" "${started[$((i-1))]}" "$dir/instance-$i.log"
  done

  local reply key
  reply=$(curl -s --max-time 30 -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    "http://127.0.0.1:${ports[0]}/admin/v1/keys" -d "{\"name\": \"cluster-$(random_hex 3)\"}")
  key=$(printf '%s' "$reply" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])') \
    || { echo "local-cluster: could not create an API key: $reply" >&2; false; }
  (umask 077; echo "$key" > "$dir/api.key")
  trap - ERR

  for i in $(seq 1 "$n"); do echo "instance $i http://127.0.0.1:${ports[$((i-1))]} pid ${started[$((i-1))]}"; done
  echo "api_key $key"
  echo "database $dburl"
  echo "s3 http://127.0.0.1:$s3port $bucket"
}

case "${1:-}" in
  up) up "${2:-}" ;;
  down) down ;;
  *) echo "usage: local-cluster.sh up N | down" >&2; exit 2 ;;
esac
