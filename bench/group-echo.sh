#!/usr/bin/env bash
# Echo throughput of an EventLoopGroup with 1 and with 2 loops (examples GroupEchoServer), on the nio and the
# epoll loop, driven by the C load generator echo_client; prints one Markdown table.
#
#   bench/group-echo.sh
#
# Each row is one server start: GroupEchoServer --loops N on provider P, a 1 s warm-up, then every
# configuration for $DURATION s. Placement: the server may run on CPUs $SERVER_CPUS and the client on
# $CLIENT_CPUS (defaults: server 0-1, client 1 — on a 2-core machine a second loop has to share a core with the
# load generator, which is the honest picture of "2 loops on 2 cores"; set SERVER_CPUS=0 to see 1 vs 2 loops
# squeezed onto one core). The table gives messages/s, p99 latency and the server's CPU use (100% = one core).
#
# Knobs (environment):
#   ECHO_CLIENT   path of an echo_client binary; default: built from $HARNESS/echo-client/echo_client.c
#   HARNESS       the shared side-by-side harness (default ../shared/bench next to the repository)
#   PROVIDERS     default "nio epoll";  LOOPS default "1 2";  DURATION default 3 (seconds)
#   CONFIGS       default "pp-c100-64 pl16-c100-64 pl16-c10-16k pl16-c100-1k" (mode-connections-size)
#   SKIP_BUILD=1  reuse examples/target/runtime-classpath.txt and the jars
# Raw JSON lines go to $RESULTS (default bench/target/group-results/<stamp>/).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
die() { echo "group-echo.sh: $*" >&2; exit 1; }

# shellcheck source=lib/java.sh
source "$root/bench/lib/java.sh"
JAVA="$(asyncloop_find_java)" || die "$ASYNCLOOP_NO_JAVA"
command -v python3 >/dev/null || die "python3 is needed to format the table"
command -v taskset >/dev/null || die "taskset (util-linux) is needed to place server and client on CPUs"

harness="${HARNESS:-$root/../shared/bench}"
# shellcheck source=lib/echo-client.sh
source "$root/bench/lib/echo-client.sh"
client="$(asyncloop_echo_client "$root" "$harness")" || die "no echo_client (see above)"

cpfile="$root/examples/target/runtime-classpath.txt"
if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$cpfile" ]]; then
    echo "== building examples + epoll-loop" >&2
    mvn -B -q package dependency:build-classpath -DskipTests -pl examples,epoll-loop -am \
        -Dmdep.outputFile=target/runtime-classpath.txt -Dmdep.includeScope=runtime >&2
fi
cp="$(ls "$root"/examples/target/asyncloop-examples-*.jar | head -1):$(ls "$root"/epoll-loop/target/asyncloop-epoll-*.jar | head -1)"
cp="$cp:$(tr ':' '\n' <"$cpfile" | grep -Ev '/(junit|opentest4j|apiguardian)' | paste -sd:)"

results="${RESULTS:-$root/bench/target/group-results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$results"
out="$results/group-echo.jsonl"
: >"$out"
server_cpus="${SERVER_CPUS:-0-1}" client_cpus="${CLIENT_CPUS:-1}" duration="${DURATION:-3}"
port=$((24600 + RANDOM % 1000))
hz="$(getconf CLK_TCK)"
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

run_server() { # provider loops
    local provider="$1" loops="$2" log="$results/server-$1-$2.log" pid
    local args=("$JAVA" -Xms512m -Xmx512m --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED
        -Dasyncloop.coroutines=continuation "-Dasyncloop.loop=$provider")
    [[ "$provider" == epoll ]] && args+=(--add-opens=java.base/sun.nio.ch=ALL-UNNAMED)
    args+=(-cp "$cp" dev.asyncloop.examples.GroupEchoServer --loops "$loops" --host 127.0.0.1 --port "$port")
    rm -f "$log"
    taskset -c "$server_cpus" "${args[@]}" >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 150); do
        grep -q '^READY' "$log" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "server $provider x$loops exited"; }
        sleep 0.1
    done
    grep -q '^READY' "$log" || { kill "$pid"; die "server $provider x$loops printed no READY line"; }
    echo "== $provider, $loops loop(s): $(grep '^READY' "$log")" >&2
    taskset -c "$client_cpus" "$client" -h 127.0.0.1 -p "$port" -c 100 -s 1024 -d 1 -w 0 -m pipeline -D 4 \
        -l warmup >/dev/null || true
    local cfg mode conns size depth line t0 t1 w0 w1 cpu
    for cfg in ${CONFIGS:-pp-c100-64 pl16-c100-64 pl16-c10-16k pl16-c100-1k}; do
        IFS=- read -r mode conns size <<<"$cfg"
        depth=1; [[ "$mode" == pl16 ]] && depth=16
        conns="${conns#c}"; size="${size/k/*1024}"; size=$((size))
        t0="$(ticks "$pid")"; w0="$(date +%s.%N)"
        line="$(taskset -c "$client_cpus" "$client" -h 127.0.0.1 -p "$port" -c "$conns" -s "$size" -d "$duration" \
            -w 0 -m "$([[ $mode == pp ]] && echo pingpong || echo pipeline)" -D "$depth" -l "$cfg")" || true
        t1="$(ticks "$pid")"; w1="$(date +%s.%N)"
        cpu="$(awk -v a="$t0" -v b="$t1" -v w0="$w0" -v w1="$w1" -v hz="$hz" 'BEGIN{printf "%.0f", 100*(b-a)/hz/(w1-w0)}')"
        echo "{\"provider\":\"$provider\",\"loops\":$loops,\"config\":\"$cfg\",\"server_cpu_pct\":$cpu,${line#\{}" >>"$out"
        echo "   $cfg: $(grep -o '"msgs_per_s":[0-9.]*' <<<"$line") server_cpu=${cpu}%" >&2
    done
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}

echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; server on CPUs $server_cpus, client on $client_cpus" >&2
for provider in ${PROVIDERS:-nio epoll}; do
    for loops in ${LOOPS:-1 2}; do
        run_server "$provider" "$loops"
    done
done

python3 - "$out" <<'EOF' | tee "$results/table.md"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault((r["provider"], r["config"]), {})[r["loops"]] = r
loop_counts = sorted({r["loops"] for r in rows})
head = " | ".join(f"{n} loop{'s' if n > 1 else ''} msgs/s (p99 µs, server CPU)" for n in loop_counts)
print(f"| loop | config | {head} | {loop_counts[-1]}/{loop_counts[0]} |")
print("|---|---|" + "---:|" * (len(loop_counts) + 1))
for (provider, config), per in by.items():
    cells = []
    for n in loop_counts:
        r = per.get(n)
        cells.append(f"{r['msgs_per_s']:,.0f} ({r['p99_us']:,.0f}, {r['server_cpu_pct']}%)" if r else "-")
    lo, hi = per.get(loop_counts[0]), per.get(loop_counts[-1])
    ratio = f"{hi['msgs_per_s'] / lo['msgs_per_s']:.2f}×" if lo and hi and lo["msgs_per_s"] else "-"
    print(f"| {provider} | {config} | " + " | ".join(cells) + f" | {ratio} |")
EOF
echo "(raw results: $results)" >&2
