#!/usr/bin/env bash
# The jcstress tests of the loops' cross-thread contracts (bench/src/jcstress/java; docs/architecture.md,
# "Concurrency stress tests").
#
#   bench/jcstress.sh [jcstress options]      default: -m quick
#
# Builds bench/target/jcstress.jar (profile jcstress), then runs it on JDK 25 with the flags the tests need: the
# continuation engine's export, and the epoll loop's opening and native access. jcstress passes the flags on to
# the JVMs it forks. Examples: "-m sanity" (a minute: does every test run?), "-m quick" (about 30 minutes on two
# cores), "-m quick -t WakeupNotLost" (one test), "-l" (list them). Use an otherwise idle machine: on a loaded one
# the actors rarely overlap, and a quick run finds less.
# Results: the console summary, and the HTML report under $RESULTS (default bench/target/jcstress-results/<stamp>/).
#
# Knobs (environment):
#   ENGINE          the coroutine engine of the forked JVMs: continuation (default) or virtual
#   SKIP_BUILD=1    reuse bench/target/jcstress.jar
#   ASYNCLOOP_JAVA  the java to use (>= 25); default $JAVA_HOME/bin/java if that is >= 25, else /usr/lib/jvm/*25*
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

die() { echo "jcstress.sh: $*" >&2; exit 1; }

# shellcheck source=lib/java.sh
source "$root/bench/lib/java.sh"
JAVA="$(asyncloop_find_java)" || die "$ASYNCLOOP_NO_JAVA"

engine="${ENGINE:-continuation}"
case "$engine" in
    continuation) flags=(--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -Dasyncloop.coroutines=continuation) ;;
    virtual) flags=(-Dasyncloop.coroutines=virtual) ;;
    *) die "ENGINE=$engine names no coroutine engine; use continuation or virtual" ;;
esac
flags+=(--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --enable-native-access=ALL-UNNAMED)

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
    echo "== building ($(command -v mvn))" >&2
    mvn -B -q -pl bench -am package -Pjcstress -DskipTests >&2
fi
[[ -f bench/target/jcstress.jar ]] || die "bench/target/jcstress.jar is missing; run without SKIP_BUILD=1"

results="${RESULTS:-bench/target/jcstress-results/$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$results"
args=("$@")
if (( ${#args[@]} == 0 )); then
    args=(-m quick)
fi
# jcstress writes its result blob into the working directory: run it in the results directory.
jar="$root/bench/target/jcstress.jar"
cd "$results"
exec "$JAVA" "${flags[@]}" -jar "$jar" -r "$PWD" "${args[@]}"
