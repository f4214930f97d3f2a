#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for tests and local clusters (Debian's `postgresql` package).
#   deploy/pg-test.sh start DIR   initdb into DIR (as the postgres user when run as root), start on a free port,
#                                 print the JDBC URL (with user and password) on stdout, also saved as DIR/jdbc-url
#   deploy/pg-test.sh stop DIR    stop that cluster and remove DIR
set -euo pipefail
cmd=${1:?usage: pg-test.sh start|stop DIR}
dir=${2:?usage: pg-test.sh start|stop DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "pg-test: PostgreSQL binaries not found (apt-get install postgresql)" >&2; exit 1; }
# initdb refuses to run as root: run the server as the postgres user then (runuser lives in /usr/sbin, which a
# caller's PATH may leave out)
as_pg() { if [ "$(id -u)" = 0 ]; then "$(command -v runuser || echo /usr/sbin/runuser)" -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
    printf '%s\n' "$password" > "$dir/.pw"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/.pw"
    as_pg "$bin/initdb" -D "$dir/data" -U framegate --pwfile="$dir/.pw" -A scram-sha-256 -E UTF8 --no-sync >/dev/null
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null
    PGPASSWORD=$password "$bin/psql" -h 127.0.0.1 -p "$port" -U framegate -d postgres -qc 'CREATE DATABASE framegate' >/dev/null
    url="jdbc:postgresql://127.0.0.1:$port/framegate?user=framegate&password=$password"
    printf '%s\n' "$url" > "$dir/jdbc-url"
    printf '%s\n' "$url"
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: pg-test.sh start|stop DIR" >&2; exit 2 ;;
esac
