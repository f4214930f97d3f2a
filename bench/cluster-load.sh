#!/usr/bin/env bash
# Create load: creates/s and create p50/p99 of the gateway against a fast OpenAI-compatible upstream stand-in, with
# one embedded instance (H2 + local disk), 1 and 3 instances on PostgreSQL + s3proxy (deploy/local-cluster.sh), and
# the same creates sent straight to the stand-in. Needs Debian's `postgresql` package for the cluster targets.
#   bench/cluster-load.sh                                   # 2,000 creates at concurrency 32 per target
#   bench/cluster-load.sh --targets direct,embedded --creates 500
#   bench/cluster-load.sh --help
# Options are passed to io.framegate.bench.ClusterLoad; figures go to bench/results/cluster-load-<date>.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1; }
if [ -z "${JAVA_HOME:-}" ] || [ "$(java_major "$JAVA_HOME" 2>/dev/null || echo 0)" -lt 21 ]; then
  for c in /usr/lib/jvm/*; do
    [ -x "$c/bin/javac" ] && [ "$(java_major "$c" || echo 0)" -ge 21 ] && { JAVA_HOME="$c"; break; }
  done
fi
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow -XX:+IgnoreUnrecognizedVMOptions"

cd "$root"
echo "cluster-load: building the application, s3proxy's jar and the bench (one reactor, no install)" >&2
mvn -q -B -ntp ${BENCH_MVN_OFFLINE:+-o} -pl app,bench -am package -DskipTests dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile=target/classpath.txt >&2
work=$(mktemp -d /tmp/framegate-cluster-load.XXXXXX)
trap 'rm -rf "$work"' EXIT
# the stand-in's result: a real MP4 (the gateway makes previews from it), rendered once by the engine
java --enable-native-access=ALL-UNNAMED -jar app/target/framegate.jar make-examples --out "$work" --size 160x96 >&2
java --enable-native-access=ALL-UNNAMED -jar app/target/framegate.jar generate --first "$work/start.png" \
  --size 160x96 --num-frames 6 -o "$work/result.mp4" >&2
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
"$JAVA_HOME/bin/java" -cp "$cp" io.framegate.bench.ClusterLoad --repo "$root" --video "$work/result.mp4" "$@"
