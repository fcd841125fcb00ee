#!/usr/bin/env bash
# bench/servers.sh: asyncloop's example servers for the shared side-by-side harness (run-anchors.sh).
#
# Sourced by run-anchors.sh through EXTRA_SERVERS_FILE; it defines
#   extra_server_cmd NAME PORT   prints the java command, one argument a line, or returns 1 for an unknown NAME.
# Names: asyncloop-{nio,epoll}-{proto,buffered,streams,http}
#   proto   = examples EchoServer (Protocol), buffered = BufferedEchoServer (BufferedProtocol),
#   streams = StreamsEchoServer, http = HttpHelloServer (BufferedProtocol)
#   nio     = NioEventLoop (-Dasyncloop.loop=nio), epoll = EpollEventLoop (-Dasyncloop.loop=epoll)
#
# Example (from the harness directory):
#   EXTRA_SERVERS_FILE=/path/to/asyncloop/bench/servers.sh SERVERS="netty-nio asyncloop-nio-proto" \
#     HTTP_SERVERS="asyncloop-nio-http" bash run-anchors.sh
#
# On sourcing it builds the jars once (mvn -B -q package dependency:build-classpath -DskipTests
# -pl examples,epoll-loop -am) and caches the runtime classpath in examples/target/runtime-classpath.txt;
# SKIP_BUILD=1 (the harness knob) reuses that cache. Nothing in the project's build depends on this file.
# Knobs: ASYNCLOOP_HEAP (default "-Xms512m -Xmx512m"; the streams servers also get -Xmn8m, see below),
# ASYNCLOOP_JAVA (a java >= 25; default: $JAVA_HOME/bin/java if that is >= 25, else /usr/lib/jvm/*25*; see
# bench/lib/java.sh).

ASYNCLOOP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ASYNCLOOP_CP_FILE="$ASYNCLOOP_ROOT/examples/target/runtime-classpath.txt"

# shellcheck source=lib/java.sh
source "$ASYNCLOOP_ROOT/bench/lib/java.sh"

_asyncloop_build() {
    echo "bench/servers.sh: building asyncloop examples + epoll-loop in $ASYNCLOOP_ROOT" >&2
    (cd "$ASYNCLOOP_ROOT" && mvn -B -q package dependency:build-classpath -DskipTests -pl examples,epoll-loop -am \
        -Dmdep.outputFile=target/runtime-classpath.txt -Dmdep.includeScope=runtime >&2)
}

# examples jar + its runtime dependencies (spi, nio loop, jctools, guava) + the epoll loop jar; the dependency
# plugin's runtime list also carries test-scoped JUnit jars, which are dropped.
_asyncloop_classpath() {
    local jars=("$ASYNCLOOP_ROOT"/examples/target/asyncloop-examples-*.jar "$ASYNCLOOP_ROOT"/epoll-loop/target/asyncloop-epoll-*.jar)
    local dep
    dep="$(tr ':' '\n' <"$ASYNCLOOP_CP_FILE" | grep -Ev '/(junit|opentest4j|apiguardian)' | paste -sd:)"
    printf '%s:%s:%s\n' "${jars[0]}" "${jars[1]}" "$dep"
}

if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$ASYNCLOOP_CP_FILE" ]]; then
    _asyncloop_build || echo "bench/servers.sh: build failed; asyncloop servers will be skipped" >&2
fi
ASYNCLOOP_JAVA_BIN="$(asyncloop_find_java)" \
    || echo "bench/servers.sh: $ASYNCLOOP_NO_JAVA; asyncloop servers will be skipped" >&2

extra_server_cmd() {
    local name="$1" port="$2" loop kind main
    [[ "$name" =~ ^asyncloop-(nio|epoll)-(proto|buffered|streams|http)$ ]] || return 1
    loop="${BASH_REMATCH[1]}" kind="${BASH_REMATCH[2]}"
    case "$kind" in
        proto)   main=dev.asyncloop.examples.EchoServer ;;
        buffered) main=dev.asyncloop.examples.BufferedEchoServer ;;
        streams) main=dev.asyncloop.examples.StreamsEchoServer ;;
        http)    main=dev.asyncloop.examples.HttpHelloServer ;;
    esac
    [[ -n "$ASYNCLOOP_JAVA_BIN" && -f "$ASYNCLOOP_CP_FILE" ]] || return 1
    local args=("$ASYNCLOOP_JAVA_BIN")
    # The streams servers allocate a new array for every read, as asyncio's API demands: with the default young
    # generation (a third of the heap) that memory is cold each time and zeroing it was a quarter of the CPU;
    # an 8 MiB one is reused while still in cache (docs/performance.md, "Streams and the young generation").
    # Placed first, so that an -Xmn in ASYNCLOOP_HEAP wins.
    [[ "$kind" == streams ]] && args+=(-Xmn8m)
    # shellcheck disable=SC2206  # a word list on purpose
    args+=(${ASYNCLOOP_HEAP:--Xms512m -Xmx512m})
    args+=(--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -Dasyncloop.coroutines=continuation)
    # the second flag lets the epoll loop read and write heap arrays without copies through direct memory
    [[ "$loop" == epoll ]] && args+=(--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --enable-native-access=ALL-UNNAMED)
    args+=("-Dasyncloop.loop=$loop" -cp "$(_asyncloop_classpath)" "$main" --host 127.0.0.1 --port "$port")
    printf '%s\n' "${args[@]}"
}
