#!/usr/bin/env bash
# A/B two commits of asyncloop on the echo benchmark. Each commit is checked out in a git worktree of its own
# (bench/target/ab-commits/<commit>) and its servers built there; then one-round runs of that checkout's own
# bench/ab-echo.sh (so each commit runs with its own bench/servers.sh flags) alternate A, B, A, B, ... RUNS times,
# and the script prints every run and, per configuration, the median messages/s of A and B and their ratio.
# Alternating runs of one server spread the machine's drift over both sides, which one long run of each does not.
#
#   SERVERS="asyncloop-epoll-streams" CONFIGS="pp-c100-16k pl16-c10-16k" bench/ab-commits.sh 6bb4166 HEAD
#
# Knobs (environment): SERVERS (one asyncloop server name of bench/servers.sh, required), CONFIGS (ab-echo.sh's
# default otherwise), RUNS (4), and ab-echo.sh's own (HARNESS, DURATION, WARMUP, WARM_S, SERVER_CPUS, CLIENT_CPUS).
# Raw results: bench/target/ab-commits/results-<stamp>/<A|B>-<run>/ab-echo.jsonl. The worktrees stay, built, for
# the next comparison; `git worktree remove bench/target/ab-commits/<commit>` drops one (after `mvn clean`,
# `git worktree prune` forgets the deleted ones).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { echo "ab-commits.sh: $*" >&2; exit 1; }

[[ $# -eq 2 ]] || die "usage: SERVERS=NAME [CONFIGS=...] bench/ab-commits.sh COMMIT_A COMMIT_B"
[[ -n "${SERVERS:-}" && "$SERVERS" != *" "* ]] || die "set SERVERS to one server name (see bench/servers.sh)"
command -v python3 >/dev/null || die "python3 is needed to format the table"
harness="${HARNESS:-$root/../shared/bench}"
work="$root/bench/target/ab-commits"
results="$work/results-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$results"

# checkout REV: prints the worktree of REV, created on first use. Its build is bench/servers.sh's: sourced by the
# worktree's ab-echo.sh, it builds there whenever its classpath cache is missing, SKIP_BUILD=1 or not.
checkout() {
    local sha dir
    sha="$(git -C "$root" rev-parse --short=12 "$1^{commit}")" || die "not a commit: $1"
    dir="$work/$sha"
    if [[ ! -d "$dir" ]]; then
        git -C "$root" worktree add --detach -q "$dir" "$sha" >&2
        echo "ab-commits.sh: $1 ($sha) checked out in $dir; its first run builds it" >&2
    fi
    echo "$dir"
}

dir_a="$(checkout "$1")"
dir_b="$(checkout "$2")"
for run in $(seq 1 "${RUNS:-4}"); do
    for side in A B; do
        dir="$dir_a"
        [[ "$side" == B ]] && dir="$dir_b"
        (cd "$dir" && HARNESS="$harness" SKIP_BUILD=1 ROUNDS=1 RESULTS="$results/$side-$run" bench/ab-echo.sh \
            >"$results/$side-$run.log" 2>&1) || die "run $side-$run failed; see $results/$side-$run.log"
        echo "run $run $side: $(python3 -c '
import json, sys
print(", ".join("%s %.0f" % (r["config"], r["result"]["msgs_per_s"])
                for r in map(json.loads, open(sys.argv[1]))))' "$results/$side-$run/ab-echo.jsonl")"
    done
done

python3 - "$results" "$1" "$2" <<'EOF'
import glob, json, os, statistics, sys
results, a, b = sys.argv[1:]
values = {}
for path in sorted(glob.glob(os.path.join(results, "*", "ab-echo.jsonl"))):
    side = os.path.basename(os.path.dirname(path)).split("-")[0]
    for line in open(path):
        r = json.loads(line)
        values.setdefault(r["config"], {}).setdefault(side, []).append(r["result"]["msgs_per_s"])
print()
print("| config | A = %s | B = %s | B / A |" % (a, b))
print("|---|---:|---:|---:|")
for config, sides in values.items():
    ma, mb = statistics.median(sides.get("A", [0])), statistics.median(sides.get("B", [0]))
    print("| %s | %s | %s | %s |" % (config, f"{ma:,.0f}", f"{mb:,.0f}", f"{mb / ma:.2f}" if ma else "-"))
print()
print("median messages/s over the runs of each side; raw: %s" % results)
EOF
