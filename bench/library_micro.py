#!/usr/bin/env python3
"""The asyncio side of asyncloop's library benchmarks (bench/.../LibraryBenchmarks.java); stdlib only.

Each benchmark runs the same program as the Java method of the same name and prints one JSON line in the
format of the asyncio anchor micro.py (bench/run-micro.sh reads both): the median and best of --repeat runs,
each run on a fresh asyncio event loop after gc.collect(), timed inside the main coroutine.

  gather_100k      100k tasks of a trivial coroutine created, then `await asyncio.gather(*tasks)`; tasks/s
  taskgroup_100k   100k tasks of a trivial coroutine created in one asyncio.TaskGroup, whose exit awaits them;
                   tasks/s
  wait_100k        100k tasks of a trivial coroutine created, then `await asyncio.wait(tasks)`; tasks/s
  as_completed_100k  100k tasks of a trivial coroutine created, then each awaited in the order
                   `asyncio.as_completed(tasks)` gives; tasks/s
  queue_1_pair     one producer task puts 200k ints into asyncio.Queue(maxsize=100), one consumer task gets
                   them; items/s
  queue_100_pairs  100 producer/consumer pairs, each with its own Queue(maxsize=100), 2,000 items each
                   (200k in all), all running at once; items/s
  lock_handoff     two tasks each take one asyncio.Lock 50k times, holding it across `await asyncio.sleep(0)`,
                   so every release hands the lock to the waiting task; acquire/release pairs/s
  timeout_scope    200k x `async with asyncio.timeout(10): pass` in a row in one task; scopes/s

  python3 library_micro.py [--repeat 3] [--scale 1.0] [--label L] [bench ...]

Needs Python >= 3.11 (asyncio.timeout).
"""
import argparse
import asyncio
import gc
import json
import os
import statistics
import sys
import time

perf = time.perf_counter


async def _trivial():
    return 1


def _trivial_tasks(n):
    """The n tasks of _trivial that gather_100k, wait_100k and as_completed_100k start from (inside their timing)."""
    create_task = asyncio.get_running_loop().create_task
    return [create_task(_trivial()) for _ in range(n)]


async def b_gather_100k(n):
    t0 = perf()
    tasks = _trivial_tasks(n)
    results = await asyncio.gather(*tasks)
    elapsed = perf() - t0
    assert len(results) == n
    return elapsed, {}


async def b_wait_100k(n):
    t0 = perf()
    tasks = _trivial_tasks(n)
    done, pending = await asyncio.wait(tasks)
    elapsed = perf() - t0
    assert len(done) == n and not pending
    return elapsed, {}


async def b_as_completed_100k(n):
    t0 = perf()
    tasks = _trivial_tasks(n)
    total = 0
    for f in asyncio.as_completed(tasks):
        total += await f
    elapsed = perf() - t0
    assert total == n
    return elapsed, {}


async def b_taskgroup_100k(n):
    t0 = perf()
    async with asyncio.TaskGroup() as group:
        create_task = group.create_task
        for _ in range(n):
            create_task(_trivial())
    return perf() - t0, {}


async def _produce(q, n):
    put = q.put
    for i in range(n):
        await put(i)
    return 0


async def _consume(q, n):
    get = q.get
    total = 0
    for _ in range(n):
        total += await get()
    return total


async def _queue_pairs(n, pairs, maxsize=100):
    loop = asyncio.get_running_loop()
    per_pair = n // pairs
    t0 = perf()
    tasks = []
    for _ in range(pairs):
        q = asyncio.Queue(maxsize)
        tasks.append(loop.create_task(_produce(q, per_pair)))
        tasks.append(loop.create_task(_consume(q, per_pair)))
    total = 0
    for t in tasks:
        total += await t
    elapsed = perf() - t0
    assert total == pairs * per_pair * (per_pair - 1) // 2
    return elapsed, {"pairs": pairs, "maxsize": maxsize}


async def b_queue_1_pair(n):
    return await _queue_pairs(n, 1)


async def b_queue_100_pairs(n):
    return await _queue_pairs(n, 100)


async def b_lock_handoff(n, n_tasks=2):
    loop = asyncio.get_running_loop()
    lock = asyncio.Lock()
    sleep = asyncio.sleep

    async def contend(k):
        for _ in range(k):
            async with lock:
                await sleep(0)
        return k

    t0 = perf()
    tasks = [loop.create_task(contend(n // n_tasks)) for _ in range(n_tasks)]
    done = 0
    for t in tasks:
        done += await t
    return perf() - t0, {"tasks": n_tasks}


async def b_timeout_scope(n):
    timeout = asyncio.timeout
    t0 = perf()
    for _ in range(n):
        async with timeout(10):
            pass
    return perf() - t0, {}


BENCHES = {
    # name: (function, default n, unit)
    "gather_100k": (b_gather_100k, 100_000, "tasks/s"),
    "taskgroup_100k": (b_taskgroup_100k, 100_000, "tasks/s"),
    "wait_100k": (b_wait_100k, 100_000, "tasks/s"),
    "as_completed_100k": (b_as_completed_100k, 100_000, "tasks/s"),
    "queue_1_pair": (b_queue_1_pair, 200_000, "items/s"),
    "queue_100_pairs": (b_queue_100_pairs, 200_000, "items/s"),
    "lock_handoff": (b_lock_handoff, 100_000, "acquire/release pairs/s"),
    "timeout_scope": (b_timeout_scope, 200_000, "scopes/s"),
}


def run_one(fn, n, repeat):
    rates, extras = [], []
    loop_name = None
    for _ in range(repeat):
        gc.collect()
        loop = asyncio.new_event_loop()
        loop_name = f"{type(loop).__module__}.{type(loop).__name__}"
        try:
            secs, extra = loop.run_until_complete(fn(n))
        finally:
            loop.close()
        rates.append(n / secs)
        extras.append(extra)
    return loop_name, rates, extras


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("benches", nargs="*", help="subset to run (default: all)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every n (quick checks)")
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    if sys.version_info < (3, 11):
        sys.exit(f"library_micro.py needs Python >= 3.11 (asyncio.timeout); this is {sys.version.split()[0]}")
    names = args.benches or list(BENCHES)
    for name in names:
        if name not in BENCHES:
            sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHES)}")
    for name in names:
        fn, n, unit = BENCHES[name]
        n = max(200, int(n * args.scale)) // 100 * 100  # whole items per pair, whole pairs of lock takes
        loop_name, rates, extras = run_one(fn, n, args.repeat)
        rec = {
            "suite": "py-asyncio-library-micro", "label": args.label, "bench": name, "unit": unit,
            "n": n, "repeat": args.repeat,
            "ops_per_s": round(statistics.median(rates), 1),
            "best_ops_per_s": round(max(rates), 1),
            "runs_ops_per_s": [round(r, 1) for r in rates],
            "loop": loop_name, "python": sys.version.split()[0], "exe": sys.executable,
            "cpus": sorted(os.sched_getaffinity(0)),
        }
        if extras and extras[-1]:
            rec["extra_last_run"] = extras[-1]
        print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
