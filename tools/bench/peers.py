#!/usr/bin/env python3
"""The timer workload of txaio-bench on Python peers, as JSON for tools/bench/report.py.

Same workload as tools/bench/workload.cpp: N calls at delays drawn from splitmix64(seed 42),
every 10th cancelled (index 9 mod 10), the rest run. Peers:

  py_twisted_clock/N       twisted.internet.task.Clock.callLater, delays in [0, 100 s)
  py_txaio_batched/N       txaio.make_batched_timer(1 s) on that Clock, delays in [0, 100 s)
  py_asyncio_virtual/N     asyncio call_later on a loop whose clock jumps to the next timer
                           (a virtual clock, like sim::Loop), delays in [0, 100 s)
  py_asyncio_real/N        asyncio call_later on the real clock, delays in [0, 10 ms)
  rust_tokio_paused/N      tokio on its paused clock: N spawned tasks each
                           `tokio::time::sleep(d).await`, every 10th aborted, delays in
                           [0, 100 s); CPU time (the runtime is single-threaded), as
                           txaio-bench reports; compared with coro_sleepers. Built offline with cargo
                           from Debian's vendored crates (tools/bench/tokio_peer); when it
                           cannot be built, the report says so and the run goes on.

A peer whose run would pass the time budget at the next size (projected from the largest
size it ran with the peer's growth: quadratic for Twisted's Clock, which sorts its whole
list of calls on every callLater and after every call it runs, and for txaio's batched
timer, whose cancel and chunking are linear in the bucket size; n log n, taken as n^1.1,
for asyncio's heap) is not run; the report says so.
"""

import argparse
import asyncio
import gc
import json
import os
import platform
import re
import selectors
import shutil
import subprocess
import sys
import time

SEED = 42
SIM_SPAN_NS = 100_000_000_000
ASIO_SPAN_NS = 10_000_000
MASK64 = (1 << 64) - 1


def splitmix64_stream(seed):
    state = seed
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        yield z ^ (z >> 31)


def delays_s(n, span_ns):
    """The workload's delays in seconds (workload.cpp's delays_ns, divided by 1e9)."""
    stream = splitmix64_stream(SEED)
    return [((next(stream) * span_ns) >> 64) / 1e9 for _ in range(n)]


def is_dropped(i):
    return i % 10 == 9


def expected_tally(n):
    kept = [i for i in range(n) if not is_dropped(i)]
    return len(kept), sum(kept)


class Tally:
    __slots__ = ("fired", "index_sum")

    def __init__(self):
        self.fired = 0
        self.index_sum = 0

    def hit(self, i):
        self.fired += 1
        self.index_sum += i


def check(name, n, tally):
    want = expected_tally(n)
    if (tally.fired, tally.index_sum) != want:
        raise SystemExit(f"peers.py: {name}/{n}: ran {tally.fired} calls (index sum "
                         f"{tally.index_sum}), expected {want[0]} ({want[1]})")


def drain_clock(clock):
    while clock.calls:
        clock.advance(max(0.0, clock.calls[0].getTime() - clock.seconds()))


def run_twisted_clock(delays):
    from twisted.internet import task
    clock = task.Clock()
    tally = Tally()
    cancels = []
    for i, d in enumerate(delays):
        call = clock.callLater(d, tally.hit, i)
        if is_dropped(i):
            cancels.append(call)
    for call in cancels:
        call.cancel()
    drain_clock(clock)
    return tally


def run_txaio_batched(delays):
    import txaio
    from twisted.internet import task
    txaio.use_twisted()
    clock = task.Clock()
    txaio.config.loop = clock
    timer = txaio.make_batched_timer(1.0)
    tally = Tally()
    cancels = []
    for i, d in enumerate(delays):
        call = timer.call_later(d, tally.hit, i)
        if is_dropped(i):
            cancels.append(call)
    for call in cancels:
        call.cancel()
    drain_clock(clock)
    return tally


class _JumpingSelector(selectors.DefaultSelector):
    """Moves the loop's virtual clock forward by the time the loop asked to sleep, instead
    of sleeping. It reports no I/O: like Twisted's Clock and sim::Loop, the virtual loop
    runs timers only (its self-pipe stays registered but is never polled)."""

    def __init__(self):
        super().__init__()
        self.loop = None

    def select(self, timeout=None):
        if timeout is not None and timeout > 0:
            self.loop.virtual_now += timeout
        return []


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """An asyncio loop on a virtual clock: waiting for a timer takes no real time."""

    def __init__(self):
        self.virtual_now = 0.0
        selector = _JumpingSelector()
        super().__init__(selector)
        selector.loop = self

    def time(self):
        return self.virtual_now


def run_asyncio(delays, loop):
    tally = Tally()
    want = expected_tally(len(delays))[0]

    def hit(i):
        tally.hit(i)
        if tally.fired == want:
            loop.stop()

    try:
        cancels = []
        for i, d in enumerate(delays):
            handle = loop.call_later(d, hit, i)
            if is_dropped(i):
                cancels.append(handle)
        for handle in cancels:
            handle.cancel()
        if want:
            loop.run_forever()
    finally:
        loop.close()
    return tally


PEERS = {
    # name: (span, runner, growth exponent for projections, the C++ benchmark it is compared with)
    "py_twisted_clock": (SIM_SPAN_NS, run_twisted_clock, 2.0, "sim_timers"),
    # txaio's _BatchedTimer: cancel is list.remove on the bucket, and each chunk re-slices
    # the bucket's remaining calls: quadratic in the bucket size.
    "py_txaio_batched": (SIM_SPAN_NS, run_txaio_batched, 2.0, "batched_sim"),
    "py_asyncio_virtual": (SIM_SPAN_NS, lambda d: run_asyncio(d, VirtualClockLoop()), 1.1, "sim_timers"),
    "py_asyncio_real": (ASIO_SPAN_NS, lambda d: run_asyncio(d, asyncio.new_event_loop()), 1.1, "asio_loop_timers"),
}


TOKIO_PEER = "rust_tokio_paused"
TOKIO_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tokio_peer")


def build_tokio_peer(build_dir):
    """Builds the tokio peer in a copy of its source under `build_dir`; returns (binary, tokio
    version), or (None, why) when it cannot be built."""
    cargo = shutil.which("cargo")
    if cargo is None:
        return None, "cargo is not installed"
    work = os.path.join(build_dir, "tokio_peer")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(TOKIO_SOURCE, work, ignore=shutil.ignore_patterns("target", "Cargo.lock"))
    build = subprocess.run([cargo, "build", "--release", "--offline"], cwd=work, capture_output=True, text=True)
    if build.returncode != 0:
        return None, build.stderr.strip().splitlines()[-1] if build.stderr.strip() else "cargo failed"
    with open(os.path.join(work, "Cargo.lock"), encoding="utf-8") as f:
        found = re.search(r'name = "tokio"\nversion = "([^"]+)"', f.read())
    return os.path.join(work, "target", "release", "txaio-tokio-peer"), found.group(1) if found else "?"


def run_tokio_peer(sizes, budget, min_time, build_dir):
    """The tokio peer's entries (and its version, or None): measured, not run (over budget),
    or not built."""
    binary, version = build_tokio_peer(build_dir)
    results = []
    if binary is None:
        print(f"{TOKIO_PEER}: peer could not be built ({version})", file=sys.stderr)
        for n in sizes:
            results.append({"name": f"{TOKIO_PEER}/{n}", "peer": TOKIO_PEER, "n": n,
                            "counterpart": f"coro_sleepers/{n}", "skipped": True, "unavailable": version})
        return results, None
    growth = 1.1  # tokio's timer wheel and task spawning: about n log n
    last = None
    for n in sizes:
        entry = {"name": f"{TOKIO_PEER}/{n}", "peer": TOKIO_PEER, "n": n, "counterpart": f"coro_sleepers/{n}"}
        projected = None if last is None else last[1] * (n / last[0]) ** growth
        if projected is not None and projected > budget:
            entry.update(skipped=True, projected_seconds=projected, growth_exponent=growth)
        else:
            out = subprocess.run([binary, str(n), str(min_time)], capture_output=True, text=True, check=True)
            r = json.loads(out.stdout)
            entry.update(skipped=False, seconds=r["seconds"], runs=r["runs"], items_per_second=n / r["seconds"])
            print(f"{TOKIO_PEER}/{n}: {r['seconds'] * 1e3:.1f} ms per run, {n / r['seconds']:,.0f} items/s "
                  f"({r['runs']} runs)", file=sys.stderr)
            last = (n, r["seconds"])
        results.append(entry)
    return results, version


def measure(name, runner, delays, min_seconds):
    """Mean seconds per run over at least one run and at least `min_seconds`."""
    runs = 0
    total = 0.0
    while runs == 0 or total < min_seconds:
        gc.collect()
        start = time.perf_counter()
        tally = runner(delays)
        total += time.perf_counter() - start
        runs += 1
        check(name, len(delays), tally)
    return total / runs, runs


def versions():
    out = {"python": platform.python_version()}
    try:
        import twisted
        out["twisted"] = twisted.__version__
    except ImportError:
        out["twisted"] = None
    try:
        import txaio
        out["txaio"] = txaio.__version__
    except ImportError:
        out["txaio"] = None
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--peers", default=",".join([*PEERS, TOKIO_PEER]))
    parser.add_argument("--build-dir", default=".", help="where the tokio peer is built (default .)")
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds a single run may be projected to take (default 60)")
    parser.add_argument("--min-time", type=float, default=0.3,
                        help="seconds of runs to average at each size (default 0.3)")
    parser.add_argument("--out", required=True, help="JSON file to write")
    args = parser.parse_args()

    sizes = [int(s) for s in args.sizes.split(",") if s]
    results = []
    found = versions()
    for name in args.peers.split(","):
        if name == TOKIO_PEER:
            entries, found["tokio"] = run_tokio_peer(sizes, args.budget, args.min_time, args.build_dir)
            results += entries
            continue
        if name not in PEERS:
            parser.error(f"unknown peer '{name}': expected one of {', '.join([*PEERS, TOKIO_PEER])}")
        span, runner, growth, counterpart = PEERS[name]
        last = None  # (n, seconds)
        for n in sizes:
            entry = {"name": f"{name}/{n}", "peer": name, "n": n, "counterpart": f"{counterpart}/{n}"}
            projected = None if last is None else last[1] * (n / last[0]) ** growth
            if projected is not None and projected > args.budget:
                entry.update(skipped=True, projected_seconds=projected, growth_exponent=growth)
                print(f"{name}/{n}: not run (projected {projected:.0f} s at n^{growth:g} growth, "
                      f"budget {args.budget:.0f} s)", file=sys.stderr)
            else:
                seconds, runs = measure(name, runner, delays_s(n, span), args.min_time)
                entry.update(skipped=False, seconds=seconds, runs=runs, items_per_second=n / seconds)
                print(f"{name}/{n}: {seconds * 1e3:.1f} ms per run, {n / seconds:,.0f} items/s "
                      f"({runs} runs)", file=sys.stderr)
                last = (n, seconds)
            results.append(entry)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"versions": found, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
