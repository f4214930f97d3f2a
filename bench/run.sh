#!/usr/bin/env bash
# Engine benchmark: the offline engine vs ffmpeg minterpolate (best variant) and a cross-fade on the same keyframe
# PNGs (POV-Ray scenes rendered once into bench/.cache, plus Middlebury "Other"). Builds what it needs, installs
# povray/ffmpeg/GNU time when missing, prints one table and writes bench/results/<date>.md.
# Options are passed to io.framegate.bench.Main; see `bench/run.sh --help`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

missing=()
command -v povray >/dev/null || missing+=(povray)
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: installing ${missing[*]}" >&2
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >&2
fi

java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1; }
if [ -z "${JAVA_HOME:-}" ] || [ "$(java_major "$JAVA_HOME" 2>/dev/null || echo 0)" -lt 21 ]; then
  for c in /usr/lib/jvm/*; do
    [ -x "$c/bin/javac" ] && [ "$(java_major "$c" || echo 0)" -ge 21 ] && { JAVA_HOME="$c"; break; }
  done
fi
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow -XX:+IgnoreUnrecognizedVMOptions"

cd "$root"
echo "bench: building the application (framegate.jar, timed through ./framegate) and the bench" >&2
# one reactor, so that domain and engine come from this checkout, never from ~/.m2 (which other checkouts may be
# installing into at the same time); packaging the app leaves the launcher nothing to rebuild
mvn -q -B -ntp ${BENCH_MVN_OFFLINE:+-o} -pl app,bench -am package -DskipTests dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile=target/classpath.txt >&2
# the jar is current now; Maven leaves its time stamp alone when the app's classes did not change, and the launcher
# rebuilds (with install) when any source - the bench's too - is newer than the jar
touch "$root/app/target/framegate.jar"
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
# the engine's whole commands are the launcher's, run with FRAMEGATE_BUILD=never (no up-to-date check, no build)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" io.framegate.bench.Main --repo "$root" "$@"
