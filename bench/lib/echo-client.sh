# bench/lib/echo-client.sh: sourced by the bench scripts. Defines
#   asyncloop_echo_client ROOT HARNESS   prints the path of an echo_client binary: $ECHO_CLIENT if set, else one
#                                        built (once) into ROOT/bench/target from HARNESS/echo-client/echo_client.c;
#                                        returns 1 with a message on stderr when neither is possible
asyncloop_echo_client() {
    local root="$1" harness="$2"
    if [[ -n "${ECHO_CLIENT:-}" ]]; then
        echo "$ECHO_CLIENT"
        return 0
    fi
    local src="$harness/echo-client/echo_client.c" bin="$root/bench/target/echo_client"
    if [[ ! -f "$src" ]]; then
        echo "no load generator: set ECHO_CLIENT to an echo_client binary or HARNESS to the harness directory (missing $src)" >&2
        return 1
    fi
    mkdir -p "$root/bench/target"
    if [[ ! -x "$bin" || "$src" -nt "$bin" ]]; then
        command -v cc >/dev/null || { echo "a C compiler (cc) is needed to build $src" >&2; return 1; }
        cc -O2 -o "$bin" "$src" -lpthread || { echo "building $src failed" >&2; return 1; }
    fi
    echo "$bin"
}
