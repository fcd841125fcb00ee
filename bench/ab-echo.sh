#!/usr/bin/env bash
# A/B echo: the same configurations on several servers, server after server, ROUNDS times over; prints per
# configuration the median messages/s of each server (with its range) and the ratios of the first server to the
# others. For differences the one-round side-by-side run cannot resolve (its rows move ±10-20% between rounds).
#
#   SERVERS="asyncloop-epoll-proto netty-epoll c-epoll asyncloop-nio-proto" bench/ab-echo.sh
#   SERVERS="asyncloop-nio-buffered asyncio-buffered" CONFIGS="pl16-c10-16k" ROUNDS=2 bench/ab-echo.sh
#
# Every (round, configuration, server) is a fresh server process: started, READY awaited, warmed up as the
# harness warms each server instance (WARM_S s of ping-pong 100 x 64 B, then WARM_S s of pipelined depth 4,
# 100 x 1 KiB, both discarded), then WARMUP s of the configuration's own load, then DURATION s measured by the
# harness's C echo_client, then stopped. The generic warm-up matters for Python servers too: a fresh CPython
# process maps a new 256 KiB buffer for every recv until glibc's malloc has adapted its mmap threshold, and
# measured several times slower (asyncio-proto pp-c100-64: 44k/s cold, 132-168k after 3 s of load).
# Server names: the asyncloop ones of bench/servers.sh (asyncloop-{nio,epoll}-{proto,streams,buffered}); from the
# shared harness ($HARNESS, default ../shared/bench): c-epoll (its echo_server.c, built here), netty-nio and
# netty-epoll (its netty-echo jar, which run-anchors.sh builds), asyncio-{proto,streams,buffered} and
# uvloop-{proto,streams,buffered} (its echo_server.py, run by $PYTHON, default /usr/bin/python3.11 as in the harness
# (bench/lib/python.sh); uvloop must be importable, e.g. PYTHONPATH=/usr/lib/python3/dist-packages).
#
# Knobs (environment): SERVERS (required), CONFIGS (default "pp-c1-64 pp-c100-1k pp-c100-16k pl16-c100-64
# pl16-c10-16k", mode-connections-size with pp = ping-pong, plN = pipelined depth N), ROUNDS (3), DURATION (3),
# WARMUP (1), WARM_S (3, each of the two generic warm-up phases; 0 skips them), SERVER_CPUS (0), CLIENT_CPUS (1),
# SKIP_BUILD=1 (reuse the asyncloop jars), RESULTS (raw JSON lines; default bench/target/ab-results/<stamp>/).
# Besides messages/s, each cell records the server's CPU time (user + system, /proc/PID/stat) over the measured
# window; the second table divides it by the messages, which separates two servers when the load generator's
# core, not theirs, sets the rate.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
die() { echo "ab-echo.sh: $*" >&2; exit 1; }

[[ -n "${SERVERS:-}" ]] || die "set SERVERS to two or more server names (see the header of this script)"
command -v python3 >/dev/null || die "python3 is needed to format the table"
command -v taskset >/dev/null || die "taskset (util-linux) is needed to place server and client on CPUs"
harness="${HARNESS:-$root/../shared/bench}"
# shellcheck source=lib/echo-client.sh
source "$root/bench/lib/echo-client.sh"
# shellcheck source=lib/python.sh
source "$root/bench/lib/python.sh"
python="$(asyncloop_python)"
client="$(asyncloop_echo_client "$root" "$harness")" || die "no echo_client (see above)"
# shellcheck source=servers.sh
source "$root/bench/servers.sh"   # builds the asyncloop jars unless SKIP_BUILD=1; defines extra_server_cmd

# harness_cmd NAME PORT: the command of a harness server, one word a line, or status 1
harness_cmd() {
    local name="$1" port="$2"
    case "$name" in
        c-epoll)
            local src="$harness/echo-client/echo_server.c" bin="$root/bench/target/c_echo_server"
            [[ -f "$src" ]] || return 1
            [[ -x "$bin" && "$bin" -nt "$src" ]] || cc -O2 -o "$bin" "$src" || return 1
            printf '%s\n' "$bin" "$port" ;;
        netty-nio|netty-epoll)
            local jar="$harness/anchors/netty-echo/target/netty-echo.jar"
            [[ -f "$jar" && -n "$ASYNCLOOP_JAVA_BIN" ]] || return 1
            printf '%s\n' "$ASYNCLOOP_JAVA_BIN" -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED \
                -Dio.netty.leakDetection.level=disabled -jar "$jar" echo "${name#netty-}" "$port" ;;
        asyncio-proto|asyncio-streams|asyncio-buffered|uvloop-proto|uvloop-streams|uvloop-buffered)
            [[ -f "$harness/anchors/py-asyncio/echo_server.py" ]] || return 1
            printf '%s\n' "$python" "$harness/anchors/py-asyncio/echo_server.py" --mode "${name#*-}" \
                --loop "${name%%-*}" --port "$port" ;;
        *) return 1 ;;
    esac
}

server_cmd() { extra_server_cmd "$1" "$2" 2>/dev/null || harness_cmd "$1" "$2"; }

read -r -a servers <<<"$SERVERS"
read -r -a configs <<<"${CONFIGS:-pp-c1-64 pp-c100-1k pp-c100-16k pl16-c100-64 pl16-c10-16k}"
rounds="${ROUNDS:-3}" duration="${DURATION:-3}" warmup="${WARMUP:-1}" warm_s="${WARM_S:-3}"
server_cpus="${SERVER_CPUS:-0}" client_cpus="${CLIENT_CPUS:-1}"
for s in "${servers[@]}"; do
    server_cmd "$s" 1 >/dev/null || die "unknown or unavailable server: $s"
done
results="${RESULTS:-$root/bench/target/ab-results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$results"
out="$results/ab-echo.jsonl"
: >"$out"
port=$((25600 + RANDOM % 1000))
hz="$(getconf CLK_TCK)"
# cpu_ticks PID: the process's user + system CPU time so far, in clock ticks (fields 14 and 15 of /proc/PID/stat,
# counted after the command name, which may contain spaces)
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; server on CPUs $server_cpus, client on $client_cpus; python: $python" >&2

for ((r = 1; r <= rounds; r++)); do
    for cfg in "${configs[@]}"; do
        [[ "$cfg" =~ ^(pp|pl([0-9]+))-c([0-9]+)-([0-9]+)(k?)$ ]] || die "bad configuration: $cfg"
        if [[ "${BASH_REMATCH[1]}" == pp ]]; then mode=pingpong depth=1; else mode=pipeline depth="${BASH_REMATCH[2]}"; fi
        conns="${BASH_REMATCH[3]}" size="${BASH_REMATCH[4]}"
        [[ -n "${BASH_REMATCH[5]}" ]] && size=$((size * 1024))
        for s in "${servers[@]}"; do
            port=$((port + 1))
            mapfile -t cmd < <(server_cmd "$s" "$port")
            log="$results/$s-$cfg-$r.log"
            PYTHONPATH="${PYTHONPATH:-}" taskset -c "$server_cpus" "${cmd[@]}" >"$log" 2>&1 &
            pid=$!
            for _ in $(seq 200); do grep -q READY "$log" 2>/dev/null && break; sleep 0.1; done
            grep -q READY "$log" || { kill "$pid" 2>/dev/null; die "$s did not print READY within 20 s (see $log)"; }
            if [[ "$warm_s" != 0 ]]; then
                taskset -c "$client_cpus" "$client" -p "$port" -c 100 -s 64 -d "$warm_s" -w 0 -l warmup >/dev/null 2>&1 || true
                taskset -c "$client_cpus" "$client" -p "$port" -c 100 -s 1024 -d "$warm_s" -w 0 -m pipeline -D 4 \
                    -l warmup >/dev/null 2>&1 || true
            fi
            taskset -c "$client_cpus" "$client" -p "$port" -c "$conns" -s "$size" -m "$mode" -D "$depth" \
                -d "$duration" -w "$warmup" -l "$s/$cfg" >"$results/client.out" 2>/dev/null &
            client_pid=$!
            sleep "$warmup"
            cpu0="$(cpu_ticks "$pid")" t0="$(date +%s.%N)"
            wait "$client_pid" || true
            cpu1="$(cpu_ticks "$pid")" t1="$(date +%s.%N)"
            line="$(cat "$results/client.out")"
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            [[ -n "$line" ]] || die "$s $cfg: the load generator printed nothing"
            printf '{"round":%d,"server":"%s","config":"%s","server_cpu_s":%s,"window_s":%s,"result":%s}\n' "$r" "$s" \
                "$cfg" "$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$hz" 'BEGIN { printf "%.3f", (b - a) / hz }')" \
                "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" "$line" >>"$out"
            echo "   round $r $cfg $s: $(grep -o '"msgs_per_s":[0-9.]*' <<<"$line")" >&2
        done
    done
done

python3 - "$out" "$SERVERS" <<'PY'
import json, statistics, sys, collections
path, servers = sys.argv[1], sys.argv[2].split()
runs = collections.defaultdict(list)
cpu = collections.defaultdict(list)
configs = []
for line in open(path):
    r = json.loads(line)
    runs[(r["config"], r["server"])].append(r["result"]["msgs_per_s"])
    msgs = r["result"]["messages"]
    if msgs > 0 and r["window_s"] > 0:
        cpu[(r["config"], r["server"])].append((r["server_cpu_s"] * 1e6 / msgs, r["server_cpu_s"] / r["window_s"]))
    if r["config"] not in configs:
        configs.append(r["config"])
first = servers[0]
print("| config | " + " | ".join(servers) + " | " + " | ".join(f"{first} / {s}" for s in servers[1:]) + " |")
print("|---|" + "---:|" * (2 * len(servers) - 1))
for c in configs:
    med = {s: statistics.median(runs[(c, s)]) for s in servers}
    cells = [f"{med[s]:,.0f} ({min(runs[(c, s)]):,.0f}–{max(runs[(c, s)]):,.0f})" for s in servers]
    ratios = [f"{med[first] / med[s]:.2f}" for s in servers[1:]]
    print(f"| {c} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
print(f"\nmedian messages/s (min–max) over {len(next(iter(runs.values())))} rounds; raw: {path}")
print()
print("| config | " + " | ".join(servers) + " |")
print("|---|" + "---:|" * len(servers))
for c in configs:
    cells = []
    for s in servers:
        per_msg = statistics.median(x for x, _ in cpu[(c, s)]) if cpu[(c, s)] else float("nan")
        load = statistics.median(u for _, u in cpu[(c, s)]) if cpu[(c, s)] else float("nan")
        cells.append(f"{per_msg:.2f} µs ({load:.0%})")
    print(f"| {c} | " + " | ".join(cells) + " |")
print("\nserver CPU time per message while measured (median), and the server's CPU use then (a server below ~95% of")
print("its core is waiting for the load generator: then CPU per message, not messages/s, says which server is lighter)")
PY
