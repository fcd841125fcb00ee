#!/usr/bin/env bash
# Micro-benchmarks of asyncloop side by side with asyncio; prints two Markdown tables: the loop core (against
# asyncio's micro.py) and the library of issue 6 (against bench/library_micro.py).
#
#   bench/run-micro.sh [path/to/micro.py]
#
# Builds the benchmarks jar, runs the JMH benchmarks (bench/src/main/java/dev/asyncloop/bench: LoopMicroBenchmarks,
# CallLaterBenchmark, LibraryBenchmarks, ...) on JDK 25, the 1M-sleeping-tasks heap measurement, then micro.py and
# library_micro.py with $PYTHON (default /usr/bin/python3.11 as in the harness, else python3: bench/lib/python.sh),
# and prints, per table,
#   benchmark | asyncloop ops/s | asyncio ops/s | ratio | target (>=10x) met? | asyncloop ops per loop-CPU s
# (the last column divides by the loop thread's CPU time instead of wall time: it shows how much a busy machine
# took from the loop; call_later's primary figure is already over CPU time, as in micro.py)
# Raw results go to $RESULTS (default bench/target/micro-results/<stamp>/): jmh.json, sleeping-tasks.json,
# asyncio.jsonl, asyncio-library.jsonl, table.md. Takes about 5 minutes on 2 cores.
#
# Knobs (environment):
#   ASYNCIO_MICRO   micro.py path when no argument is given (default ../shared/bench/anchors/py-asyncio/micro.py
#                   relative to the repository root); missing -> asyncio figures of the loop core are skipped
#   LIBRARY_MICRO   the library programs on asyncio (default bench/library_micro.py; needs Python >= 3.11);
#                   "none" skips them
#   MICRO_REPEAT    --repeat of micro.py and library_micro.py (default 3)
#   JMH_ARGS        extra JMH arguments, e.g. "-prof gc" or a benchmark regexp (default: all, as annotated:
#                   1 fork, 6 x 1 s warm-up, 10 x 1 s measurement). A -jvmArgsAppend here REPLACES the
#                   annotated JVM flags: repeat --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED
#                   -Dasyncloop.coroutines=continuation in it, or the loop silently runs on virtual threads.
#   SLEEPING_TASKS  task count of the sleeping-tasks measurement (default 1000000; 0 skips it)
#   SKIP_BUILD=1    reuse bench/target/benchmarks.jar
#   ASYNCLOOP_JAVA  the java to use (>= 25); default $JAVA_HOME/bin/java if that is >= 25, else /usr/lib/jvm/*25*
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

die() { echo "run-micro.sh: $*" >&2; exit 1; }

# shellcheck source=lib/java.sh
source "$root/bench/lib/java.sh"
# shellcheck source=lib/python.sh
source "$root/bench/lib/python.sh"
python="$(asyncloop_python)"
JAVA="$(asyncloop_find_java)" || die "$ASYNCLOOP_NO_JAVA"
command -v python3 >/dev/null || die "python3 is needed (it runs micro.py and library_micro.py and formats the tables)"

micro="${1:-${ASYNCIO_MICRO:-$root/../shared/bench/anchors/py-asyncio/micro.py}}"
results="${RESULTS:-$root/bench/target/micro-results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$results"
jar="$root/bench/target/benchmarks.jar"
flags=(--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -Dasyncloop.coroutines=continuation)

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "== building ($(command -v mvn))" >&2
    mvn -B -q -pl bench -am package -DskipTests >&2
fi
[[ -f "$jar" ]] || die "$jar is missing; the build did not make it"

echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "== JMH on $("$JAVA" -version 2>&1 | head -1), $(nproc) CPUs" >&2
# shellcheck disable=SC2086  # JMH_ARGS is a word list on purpose
"$JAVA" -jar "$jar" -rf json -rff "$results/jmh.json" ${JMH_ARGS:-} >&2

n_sleep="${SLEEPING_TASKS:-1000000}"
: >"$results/sleeping-tasks.json"
if (( n_sleep > 0 )); then
    echo "== $n_sleep sleeping tasks" >&2
    "$JAVA" "${flags[@]}" -Xms4g -Xmx4g -cp "$jar" dev.asyncloop.bench.SleepingTasks "$n_sleep" sleep \
        | tee "$results/sleeping-tasks.json" >&2
fi

: >"$results/asyncio.jsonl"
if [[ -f "$micro" ]]; then
    echo "== asyncio ($python): $micro" >&2
    "$python" "$micro" --repeat "${MICRO_REPEAT:-3}" | tee "$results/asyncio.jsonl" >&2
else
    echo "== $micro not found: asyncio figures are skipped (pass micro.py's path or set ASYNCIO_MICRO)" >&2
fi

library="${LIBRARY_MICRO:-$root/bench/library_micro.py}"
: >"$results/asyncio-library.jsonl"
if [[ "$library" != none ]]; then
    echo "== asyncio ($python): $library" >&2
    "$python" "$library" --repeat "${MICRO_REPEAT:-3}" | tee "$results/asyncio-library.jsonl" >&2 \
        || echo "== $library failed: asyncio figures of the library are skipped" >&2
fi

python3 - "$results" <<'EOF' | tee "$results/table.md"
import json, sys, pathlib
res = pathlib.Path(sys.argv[1])
names = {  # JMH method -> asyncio benchmark (micro.py, then library_micro.py)
    "callSoon": "call_soon", "callSoonChain": "call_soon_chain", "callLater": "call_later",
    "createTask": "create_task", "createTaskBatch": "create_task_batch", "future": "future",
    "sleep0": "sleep0", "threadsafe": "threadsafe",
    "gather100k": "gather_100k", "taskGroup100k": "taskgroup_100k", "wait100k": "wait_100k",
    "asCompleted100k": "as_completed_100k", "queue1Pair": "queue_1_pair", "queue100Pairs": "queue_100_pairs",
    "lockHandoff": "lock_handoff", "timeoutScope": "timeout_scope",
}
n_ops = {"call_soon": 1_000_000, "call_soon_chain": 1_000_000, "create_task": 200_000,
         "create_task_batch": 200_000, "future": 500_000, "sleep0": 1_000_000, "threadsafe": 200_000,
         "gather_100k": 100_000, "taskgroup_100k": 100_000, "wait_100k": 100_000, "as_completed_100k": 100_000,
         "queue_1_pair": 200_000, "queue_100_pairs": 200_000, "lock_handoff": 100_000,
         "timeout_scope": 200_000}
java, java_cpu = {}, {}
for r in json.loads((res / "jmh.json").read_text() or "[]"):
    name = names.get(r["benchmark"].rsplit(".", 1)[1])
    if not name:
        continue
    sec = r.get("secondaryMetrics", {})
    cpu = sec.get("loopCpuNanos", {}).get("score")
    if name == "call_later":  # micro.py's figure is over CPU time: timers / loop-thread CPU seconds
        java[name] = java_cpu[name] = sec["timers"]["score"] / (cpu / 1e9) if cpu else None
        java["call_later (wall)"] = r["primaryMetric"]["score"]
    else:
        java[name] = r["primaryMetric"]["score"]
        runs = sec.get("runs", {}).get("score")
        if cpu and runs:
            java_cpu[name] = runs * n_ops[name] / (cpu / 1e9)
py = {}
for jsonl in ("asyncio.jsonl", "asyncio-library.jsonl"):
    for line in (res / jsonl).read_text().splitlines():
        rec = json.loads(line)
        py[rec["bench"]] = rec["ops_per_s"]
        if rec["bench"] == "call_later":
            py["call_later (wall)"] = rec.get("extra_last_run", {}).get("timers_per_s_wall")
fmt = lambda v: f"{v:,.0f}" if v else "-"


def table(title, order):
    rows = [k for k in order if java.get(k) is not None or py.get(k) is not None]
    if not rows:
        return
    print(f"\n{title}\n")
    print("| benchmark | asyncloop ops/s | asyncio ops/s | ratio | target (≥10×) met? | asyncloop ops per loop-CPU s |")
    print("|---|---:|---:|---:|---|---:|")
    for k in rows:
        a, p = java.get(k), py.get(k)
        ratio = a / p if a and p else None
        met = "-" if ratio is None else ("yes" if ratio >= 10 else "no")
        if k == "call_later (wall)":
            met = "(info)"
        print(f"| {k} | {fmt(a)} | {fmt(p)} | {f'{ratio:.1f}×' if ratio else '-'} | {met} | {fmt(java_cpu.get(k))} |")


table("loop core (asyncio: micro.py)", ["call_soon", "call_soon_chain", "call_later", "call_later (wall)",
      "create_task", "create_task_batch", "future", "sleep0", "threadsafe"])
table("library (asyncio: bench/library_micro.py)", ["gather_100k", "taskgroup_100k", "wait_100k", "as_completed_100k",
      "queue_1_pair", "queue_100_pairs",
      "lock_handoff", "timeout_scope"])
st = (res / "sleeping-tasks.json").read_text().strip()
if st:
    s = json.loads(st.splitlines()[-1])
    print(f"\n{s['n']:,} tasks suspended in Async.sleep(60 s): heap used after GC {s['heap_used_mib']:,.0f} MiB "
          f"({s['bytes_per_task']:,.0f} B/task; target < 1 GiB: {'met' if s['under_1gib'] else 'missed'}), "
          f"created and suspended in {s['create_and_suspend_s']:.2f} s ({s['tasks_per_s']:,.0f} tasks/s)")
EOF
echo "(raw results: $results)" >&2
