#!/usr/bin/env bash
# The abrupt-close soak (issue 4): for each loop, AbruptCloseSoak opens and abruptly closes $CONNECTIONS
# connections to an in-process echo server under load and checks that no connection, poller registration, file
# descriptor, protocol, direct buffer or heap is left behind; prints one Markdown table.
#
#   bench/soak.sh
#
# What a run does and what counts as a leak: the Javadoc of bench/src/main/java/dev/asyncloop/bench/AbruptCloseSoak.java.
# Exits 1 if any loop leaked, 2 if a run failed (load errors, most connects failing, epoll unavailable).
#
# Knobs (environment):
#   LOOPS         default "nio epoll"
#   CONNECTIONS   default 10000 (after a warm-up of a twentieth, 100 to 500)
#   SOAK_ARGS     more AbruptCloseSoak options, e.g. "--load 8 --threads 16 --batch 16 --rounds 10"
#   SOAK_HEAP     default "-Xms256m -Xmx256m"
#   SKIP_BUILD=1  reuse bench/target/benchmarks.jar
# Raw JSON lines and logs go to $RESULTS (default bench/target/soak-results/<stamp>/).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
die() { echo "soak.sh: $*" >&2; exit 2; }

# shellcheck source=lib/java.sh
source "$root/bench/lib/java.sh"
JAVA="$(asyncloop_find_java)" || die "$ASYNCLOOP_NO_JAVA"
command -v python3 >/dev/null || die "python3 is needed to format the table"

jar="$root/bench/target/benchmarks.jar"
if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$jar" ]]; then
    echo "== building bench" >&2
    mvn -B -q -pl bench -am package -DskipTests >&2
fi
[[ -f "$jar" ]] || die "$jar is missing; the build did not make it"

results="${RESULTS:-$root/bench/target/soak-results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$results"
out="$results/soak.jsonl"
: >"$out"

echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; $("$JAVA" -version 2>&1 | head -1)" >&2
status=0
for loop in ${LOOPS:-nio epoll}; do
    # shellcheck disable=SC2206  # word lists on purpose
    args=("$JAVA" ${SOAK_HEAP:--Xms256m -Xmx256m} --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED
        -Dasyncloop.coroutines=continuation "-Dasyncloop.loop=$loop")
    [[ "$loop" == epoll ]] && args+=(--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --enable-native-access=ALL-UNNAMED)
    # shellcheck disable=SC2206
    args+=(-cp "$jar" dev.asyncloop.bench.AbruptCloseSoak --connections "${CONNECTIONS:-10000}" ${SOAK_ARGS:-})
    echo "== $loop" >&2
    rc=0
    "${args[@]}" >>"$out" 2> >(tee "$results/$loop.log" >&2) || rc=$?
    if (( rc != 0 )); then
        echo "== $loop: exit status $rc" >&2
        (( rc > status )) && status=$rc
    fi
done

python3 - "$out" <<'EOF' | tee "$results/table.md"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mib = lambda b: f"{b / 1048576:.1f}"
print("| loop | connections | abrupt closes | connectionMade | connectionLost | fd before/after "
      "| direct buffers before/after | heap after GC before/after (MiB) | verdict |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
for r in rows:
    direct = (f"{r['direct_count_before']} ({mib(r['direct_bytes_before'])} MiB) / "
              f"{r['direct_count_after']} ({mib(r['direct_bytes_after'])} MiB)")
    verdict = r["verdict"] + ("" if not r["problems"] else ": " + "; ".join(r["problems"]))
    print(f"| {r['loop']} | {r['connections']:,} | {r['resets']:,} resets + {r['half_closes']:,} half-closes "
          f"| {r['connection_made']:,} | {r['connection_lost']:,} | {r['fd_before']} / {r['fd_after']} | {direct} "
          f"| {mib(r['heap_before'])} / {mib(r['heap_after'])} | {verdict} |")
for r in rows:
    print(f"\n{r['loop']}: {r['seconds']:.1f} s; {r['lost_with_error']:,} connectionLost with an error; "
          f"registered channels {r['registered_before']} -> {r['registered_after']} "
          f"({r['registered_closed']} closed); protocols of closed connections reachable after GC: "
          f"{r['retained_closed']}; {r['flood_stalls']:,} connections stalled the server's writes "
          f"({r['flood_bytes'] / 1e9:.1f} GB pushed); load: {r['load']} connections, "
          f"{r['load_round_trips']:,} round trips; heap per round (MiB): "
          f"{', '.join(mib(h) for h in r['heap_per_round'])}", end="")
print()
EOF
echo "(raw results: $results)" >&2
exit "$status"
