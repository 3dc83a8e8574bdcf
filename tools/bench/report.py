#!/usr/bin/env python3
"""Writes BENCHMARKS.md from txaio-bench's JSON output and tools/bench/peers.py's.

Every ratio compares two numbers of the same run: items per second of a benchmark divided
by items per second of its baseline (above 1: faster than the baseline).
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys

SIZES = (1000, 100000, 1000000)

# benchmark family -> the family it is measured against (same N where it has one).
BASELINES = {
    "sim_timers": "heap_floor",
    "asio_loop_timers": "asio_raw_timers",
    "batched_sim": "sim_timers",
    "batched_asio": "asio_raw_timers",
    "batched_asio_unchunked": "asio_raw_timers",
    "future_roundtrip": "std_promise_roundtrip",
    "gather": "future_roundtrip",
    "log_disabled": "fmt_format_3args",
    "log_enabled_3args": "fmt_format_3args",
    "replay_parse_run": "sim_timers",
    "coro_roundtrip": "future_roundtrip",
    "coro_sleepers": "sim_timers",
    "txaio_steady_timer": "asio_raw_timers",
    "asio_on_sim": "asio_fake_clock",
}

# The order of the results table: every benchmark the suite is meant to have.
FAMILIES = [
    ("heap_floor", True), ("sim_timers", True), ("asio_raw_timers", True), ("asio_loop_timers", True),
    ("batched_sim", True), ("batched_asio", True), ("batched_asio_unchunked", True), ("future_roundtrip", False),
    ("std_promise_roundtrip", False), ("gather", True), ("log_disabled", False),
    ("log_enabled_3args", False), ("fmt_format_3args", False), ("replay_parse_run", True),
    ("explore_schedules", False), ("explore_schedules_determinism", False),
    ("create_failure/10", False), ("create_failure/10000", False),
    ("coro_roundtrip", False), ("coro_sleepers", True),
    ("txaio_steady_timer", True), ("asio_on_sim", True), ("asio_fake_clock", True),
]
MEMORY_FAMILIES = ["mem_sim_timer", "mem_batched_call"]

WHAT = {
    "heap_floor": "bare binary heap of (due, sequence, function pointer): the floor",
    "sim_timers": "sim::Loop call_later, cancel every 10th, run_until_idle",
    "asio_raw_timers": "one boost::asio::steady_timer per call (wall time)",
    "asio_loop_timers": "AsioLoop call_later on an io_context (wall time)",
    "batched_sim": "batched timer, 1 s buckets, on sim::Loop",
    "batched_asio": "batched timer, 10 ms buckets, on AsioLoop (wall time)",
    "batched_asio_unchunked": "the same with chunk_size = N: one chunk per bucket (wall time)",
    "future_roundtrip": "create_future, add_callbacks, resolve, run the callback (sim::Loop, scheduled)",
    "std_promise_roundtrip": "std::promise::set_value, std::future::get",
    "gather": "gather of N resolved futures, run to the result (per future)",
    "log_disabled": "Logger::debug with 3 arguments at level info",
    "log_enabled_3args": "Logger::info with 3 arguments into a string sink",
    "fmt_format_3args": "fmt::format of the same message",
    "replay_parse_run": "txaio-replay: parse and run an N-event scenario held in memory (per event)",
    "explore_schedules": "check_schedules over generated sim::Options, a body of 100 timers (per schedule)",
    "explore_schedules_determinism": "the same, each schedule run twice and its event traces compared",
    "create_failure/10": "create_failure with the stack 10 frames deep",
    "create_failure/10000": "create_failure with the stack 10,000 frames deep",
    "coro_roundtrip": "a coroutine awaits a future resolved from outside, the loop resumes it (sim::Loop)",
    "coro_sleepers": "N coroutines co_await sleep(d), every 10th cancelled, run_until_idle (sim::Loop)",
    "rust_tokio_paused": "Rust: tokio paused clock, N spawned tasks sleep(d).await, every 10th aborted (CPU time)",
    "txaio_steady_timer": "txaio::steady_timer async_wait on an io_context, cancel every 10th (wall time)",
    "asio_on_sim": "N asio::awaitable coroutines awaiting txaio::steady_timer on sim::Loop, run_until_idle",
    "asio_fake_clock": "the same on an io_context: fake-clock basic_waitable_timer, zero wait traits, 1 ms steps + poll()",
    "py_twisted_clock": "Python: twisted.internet.task.Clock.callLater",
    "py_txaio_batched": "Python: txaio.make_batched_timer(1 s) on task.Clock",
    "py_asyncio_virtual": "Python: asyncio call_later, virtual clock",
    "py_asyncio_real": "Python: asyncio call_later, real clock, delays in [0, 10 ms) (wall time)",
}

SUFFIX = re.compile(r"/(real_time|manual_time|process_time|iterations:\d+|min_time:[0-9.]+s?|repeats:\d+|threads:\d+)")


def base_name(run_name):
    return SUFFIX.sub("", run_name)


def family_of(name):
    return name.split("/")[0]


def size_of(name):
    parts = name.split("/")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def to_seconds(value, unit):
    return value * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def load_bench(path):
    """name -> result: of a benchmark's repetitions, the one with the most items per second
    (noise on a shared machine only ever adds time), else the last one."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    results = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type") == "aggregate":
            continue
        name = base_name(b.get("run_name", b["name"]))
        if b.get("error_occurred"):
            results[name] = {"error": b.get("error_message", "error")}
            continue
        previous = results.get(name)
        if previous is not None and "error" not in previous and \
                b.get("items_per_second", 0) <= previous.get("items_per_second", 0) and "items_per_second" in b:
            continue
        unit = b.get("time_unit", "ns")
        r = {
            "real_s": to_seconds(b["real_time"], unit),
            "cpu_s": to_seconds(b["cpu_time"], unit),
            "wall": "/real_time" in b.get("run_name", b["name"]),
            "iterations": b.get("iterations"),
        }
        for key, value in b.items():
            if key in ("name", "run_name", "run_type", "aggregate_name", "aggregate_unit", "family_index",
                       "per_family_instance_index", "repetitions", "repetition_index", "threads",
                       "iterations", "real_time", "cpu_time", "time_unit"):
                continue
            if isinstance(value, (int, float)):
                r[key] = value
        results[name] = r
    return data.get("context", {}), results


def load_peers(path):
    if not path or not os.path.exists(path):
        return {}, {}
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return data.get("versions", {}), {r["name"]: r for r in data.get("results", [])}


def fmt_rate(x):
    if x is None:
        return "—"
    for div, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if x >= div:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.3g}"


def fmt_ns(seconds):
    if seconds is None:
        return "—"
    ns = seconds * 1e9
    if ns >= 1e6:
        return f"{ns / 1e6:.3g} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.3g} µs"
    return f"{ns:.3g} ns"


def fmt_ratio(x):
    return "—" if x is None else f"{x:.3g}×"


class Report:
    def __init__(self, context, bench, peer_versions, peers):
        self.context = context
        self.bench = bench
        self.peer_versions = peer_versions
        self.peers = peers

    def rate(self, name):
        r = self.bench.get(name)
        if r is not None and "items_per_second" in r:
            return r["items_per_second"]
        p = self.peers.get(name)
        if p is not None and not p.get("skipped"):
            return p["items_per_second"]
        return None

    def ratio(self, name, baseline):
        a, b = self.rate(name), self.rate(baseline)
        return None if a is None or b is None else a / b

    def baseline_of(self, name):
        fam = family_of(name)
        if fam in BASELINES:
            size = size_of(name)
            base = BASELINES[fam]
            base_sized = any(f == base and sized for f, sized in FAMILIES)
            return f"{base}/{size}" if size is not None and base_sized else base
        if name in self.peers:
            return self.peers[name]["counterpart"]
        return None

    def names(self, family, sized):
        return [f"{family}/{n}" for n in SIZES] if sized else [family]

    def counters_note(self, name):
        r = self.bench.get(name, {})
        notes = []
        if "timers_max" in r:
            notes.append(f"loop timers ≤ {r['timers_max']:.0f} pending, {r['buckets']:.0f} buckets")
        if "alloc_bytes_per_event" in r:
            notes.append(f"{r['alloc_bytes_per_event']:.0f} bytes in {r['allocs_per_event']:.2g} "
                         "allocations per event")
        if "allocs_per_call" in r:
            notes.append(f"{r['allocs_per_call']:.3g} allocations per call")
        if r.get("wall"):
            notes.append(f"wall time; CPU {r['cpu_s'] / r['real_s'] * 100:.0f}% of it")
        return "; ".join(notes)

    # ---- sections ---------------------------------------------------------------------

    def results_table(self):
        lines = ["| benchmark | what | items/s | per item | baseline | ratio | notes |",
                 "|---|---|---:|---:|---|---:|---|"]
        missing = []
        for family, sized in FAMILIES:
            for name in self.names(family, sized):
                r = self.bench.get(name)
                if r is None:
                    missing.append(name)
                    continue
                if "error" in r:
                    lines.append(f"| `{name}` | {WHAT.get(family, '')} | error: {r['error']} | | | | |")
                    continue
                rate = r.get("items_per_second")
                base = self.baseline_of(name)
                ratio = self.ratio(name, base) if base else None
                lines.append(
                    f"| `{name}` | {WHAT.get(family, '')} | {fmt_rate(rate)} | "
                    f"{fmt_ns(1 / rate) if rate else '—'} | {f'`{base}`' if base else '(baseline)'} | "
                    f"{fmt_ratio(ratio)} | {self.counters_note(name)} |")
        for name, p in self.peers.items():
            fam = family_of(name)
            base = p["counterpart"]
            if p.get("unavailable"):
                lines.append(f"| `{name}` | {WHAT.get(fam, '')} | peer could not be built | — | `{base}` | — | "
                             f"{p['unavailable']} |")
                continue
            if p.get("skipped"):
                lines.append(
                    f"| `{name}` | {WHAT.get(fam, '')} | not run | — | `{base}` | — | projected "
                    f"{p['projected_seconds']:.0f} s for one run (growth n^{p['growth_exponent']:g}) |")
                continue
            rate = p["items_per_second"]
            ratio = self.ratio(name, base)
            speedup = 1 / ratio if ratio else None
            faster = ""
            if speedup and speedup > 1:
                faster = f"; `{base}` is {speedup:,.0f}× faster" if speedup >= 100 else \
                    f"; `{base}` is {speedup:.3g}× faster"
            lines.append(
                f"| `{name}` | {WHAT.get(fam, '')} | {fmt_rate(rate)} | {fmt_ns(1 / rate)} | `{base}` | "
                f"{fmt_ratio(ratio)} | mean of {p['runs']} run(s){faster} |")
        return lines, missing

    def memory_table(self):
        lines = ["| benchmark | bytes per pending call beyond the callable | with the callable | "
                 "allocations per call |", "|---|---:|---:|---:|"]
        for family in MEMORY_FAMILIES:
            for name in self.names(family, True):
                r = self.bench.get(name)
                if r is None or "error" in r:
                    lines.append(f"| `{name}` | {'error' if r else 'not measured'} | | |")
                    continue
                lines.append(f"| `{name}` | {r['bytes_per_call']:.1f} | {r['bytes_per_call_total']:.1f} | "
                             f"{r['allocs_per_call']:.4f} |")
        return lines

    def growth_table(self):
        lines = ["| benchmark | per item at N = 1,000 | at 100,000 | at 1,000,000 | 1M / 1k |",
                 "|---|---:|---:|---:|---:|"]
        families = [f for f, sized in FAMILIES if sized] + sorted({family_of(n) for n in self.peers})
        for family in families:
            cells = []
            for n in SIZES:
                rate = self.rate(f"{family}/{n}")
                cells.append(1 / rate if rate else None)
            if all(c is None for c in cells):
                continue
            growth = cells[2] / cells[0] if cells[0] and cells[2] else None
            lines.append(f"| `{family}` | " + " | ".join(fmt_ns(c) for c in cells) + f" | {fmt_ratio(growth)} |")
        return lines

    def targets(self):
        """(target, measured, pass/miss/not measured)."""
        out = []

        def cpu_rate(name):
            r = self.bench.get(name, {})
            if "items_per_second" not in r or not r.get("cpu_s"):
                return None
            return r["items_per_second"] * r["real_s"] / r["cpu_s"] if r.get("wall") else r["items_per_second"]

        def ratio_target(text, a, b, need, aim=None):
            x = self.ratio(a, b)
            if x is None:
                out.append((text, "—", "not measured"))
                return
            verdict = "pass" if x >= need else "**miss**"
            if aim is not None and x >= need:
                verdict += f" (aim {aim:g}×: {'met' if x >= aim else 'not yet'})"
            measured = f"{x:.2f}×"
            walls = [n for n in (a, b) if self.bench.get(n, {}).get("wall")]
            if walls:
                # Wall time grows with other load on the machine; CPU time shows how much.
                ca, cb = cpu_rate(a), cpu_rate(b)
                if ca and cb:
                    measured += f" (on CPU time {ca / cb:.2f}×)"
            out.append((text, measured, verdict))

        for n in (100000, 1000000):
            ratio_target(f"`sim_timers/{n}` ≥ 0.7 × `heap_floor/{n}` (aim 1.0)", f"sim_timers/{n}",
                         f"heap_floor/{n}", 0.7, aim=1.0)
        ratio_target("`sim_timers/100000` ≥ 5 × `asio_raw_timers/100000`", "sim_timers/100000",
                     "asio_raw_timers/100000", 5.0)
        ratio_target("`batched_sim/1000000` ≥ 5 × `sim_timers/1000000`", "batched_sim/1000000",
                     "sim_timers/1000000", 5.0)
        ratio_target("`batched_asio/100000` ≥ 3 × `asio_raw_timers/100000`", "batched_asio/100000",
                     "asio_raw_timers/100000", 3.0)
        r = self.bench.get("batched_asio/100000")
        if r and "timers_max" in r:
            ok = r["timers_max"] <= r["buckets"] + 1
            out.append(("`batched_asio/100000`: loop timers pending ≤ buckets + 1",
                        f"{r['timers_max']:.0f} ≤ {r['buckets']:.0f} + 1", "pass" if ok else "**miss**"))
        else:
            out.append(("`batched_asio/100000`: loop timers pending ≤ buckets + 1", "—", "not measured"))
        ratio_target("`future_roundtrip` ≥ 2 × `std_promise_roundtrip`", "future_roundtrip",
                     "std_promise_roundtrip", 2.0)
        self.coroutine_targets(out, ratio_target)
        r = self.bench.get("log_disabled")
        if r and "items_per_second" in r:
            ns = 1e9 / r["items_per_second"]
            out.append(("`log_disabled` ≤ 2 ns per call", f"{ns:.2f} ns", "pass" if ns <= 2 else "**miss**"))
            allocs = r.get("allocs_per_call")
            out.append(("`log_disabled` allocates nothing", "—" if allocs is None else f"{allocs:g} per call",
                        "not measured" if allocs is None else ("pass" if allocs == 0 else "**miss**")))
        else:
            out.append(("`log_disabled` ≤ 2 ns per call, no allocation", "—", "not measured"))
        ratio_target("`create_failure/10000` costs ≤ 4 × `create_failure/10` (the stack walk is bounded)",
                     "create_failure/10000", "create_failure/10", 0.25)
        r = self.bench.get("replay_parse_run/1000000")
        if r and "real_s" in r:
            seconds = r["real_s"] if r.get("wall") else r["cpu_s"]
            out.append(("`replay_parse_run/1000000` ≤ 2 s", f"{seconds:.2f} s", "pass" if seconds <= 2 else "**miss**"))
        else:
            out.append(("`replay_parse_run/1000000` ≤ 2 s", "—", "not measured"))
        for name, need in (("explore_schedules", 5000), ("explore_schedules_determinism", 2500)):
            text = f"`{name}` ≥ {need:,} schedules/s (a body of 100 timer events)"
            rate = cpu_rate(name)
            if rate is None:
                out.append((text, "—", "not measured"))
            else:
                out.append((text, f"{rate:,.0f}/s", "pass" if rate >= need else "**miss**"))
        for n in (100000, 1000000):
            ratio_target(f"`txaio_steady_timer/{n}` ≥ 2 × `asio_raw_timers/{n}`", f"txaio_steady_timer/{n}",
                         f"asio_raw_timers/{n}", 2.0)
        ratio_target("`asio_on_sim/100000` ≥ 10 × `asio_fake_clock/100000`", "asio_on_sim/100000",
                     "asio_fake_clock/100000", 10.0)
        for family, limit in (("mem_sim_timer", 64), ("mem_batched_call", 48)):
            vals = [(n, self.bench.get(f"{family}/{n}", {}).get("bytes_per_call")) for n in (100000, 1000000)]
            vals = [(n, v) for n, v in vals if v is not None]
            what = "sim timer" if family == "mem_sim_timer" else "batched call"
            text = f"≤ {limit} bytes per pending {what} beyond the callable (N = 100k, 1M)"
            if not vals:
                out.append((text, "—", "not measured"))
                continue
            worst = max(v for _, v in vals)
            out.append((text, ", ".join(f"{v:.1f}" for _, v in vals), "pass" if worst <= limit else "**miss**"))
        return out

    def coroutine_targets(self, out, ratio_target):
        cost = self.ratio("future_roundtrip", "coro_roundtrip")  # coro's time over future's
        text = "`coro_roundtrip` costs ≤ 1.5 × `future_roundtrip` per item"
        out.append((text, "—", "not measured") if cost is None else
                   (text, f"{cost:.2f}×", "pass" if cost <= 1.5 else "**miss**"))
        for n in (100000, 1000000):
            peer = self.peers.get(f"rust_tokio_paused/{n}", {})
            text = f"`coro_sleepers/{n}` ≥ 30 × `rust_tokio_paused/{n}`"
            if peer.get("unavailable"):
                out.append((text, "—", "not measured: peer could not be built"))
            else:
                ratio_target(text, f"coro_sleepers/{n}", f"rust_tokio_paused/{n}", 30.0)

    def machine(self, cmake_cache):
        cpu = "unknown"
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as f:
                for line in f:
                    if line.startswith("model name"):
                        cpu = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        compiler = "unknown"
        build_type = "unknown"
        if cmake_cache and os.path.exists(cmake_cache):
            with open(cmake_cache, encoding="utf-8") as f:
                cache = dict(re.findall(r"^([A-Z_]+):[A-Z]+=(.*)$", f.read(), re.M))
            cxx = cache.get("CMAKE_CXX_COMPILER", "c++")
            build_type = cache.get("CMAKE_BUILD_TYPE", build_type)
            try:
                compiler = subprocess.run([cxx, "--version"], capture_output=True, text=True,
                                          check=True).stdout.splitlines()[0]
            except (OSError, subprocess.CalledProcessError, IndexError):
                compiler = cxx
        ctx = self.context
        caches = ", ".join(f"L{c['level']} {c['type'].lower()} {c['size'] // 1024} KiB"
                           + (f" ×{c['num_sharing'] and ctx.get('num_cpus', 0) // c['num_sharing']}"
                              if c.get("num_sharing") else "")
                           for c in ctx.get("caches", []))
        return [
            f"- CPUs: {os.cpu_count()} (nproc), {cpu}, {ctx.get('mhz_per_cpu', '?')} MHz",
            f"- Caches: {caches or 'unknown'}",
            f"- Load average when the C++ suite started: "
            f"{', '.join(f'{x:.2f}' for x in ctx.get('load_avg', [])) or 'unknown'}",
            f"- Compiler: {compiler}; CMake build type {build_type}",
            f"- Google Benchmark library build: {ctx.get('library_build_type', 'unknown')} "
            "(the Debian package's; it only affects the harness, not the code measured)",
            f"- Python peers: Python {self.peer_versions.get('python', '?')}, Twisted "
            f"{self.peer_versions.get('twisted', '?')}, txaio {self.peer_versions.get('txaio', '?')}",
            f"- Rust peer: tokio {self.peer_versions.get('tokio') or 'not built'} "
            "(Debian's vendored crates, `cargo build --release --offline`)",
            f"- OS: {platform.platform()}",
        ]


def git_describe(root):
    try:
        rev = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return rev + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", required=True, help="txaio-bench --benchmark_out JSON")
    parser.add_argument("--peers", help="peers.py JSON")
    parser.add_argument("--cmake-cache", help="the build's CMakeCache.txt (for the compiler)")
    parser.add_argument("--command", default="bash tools/bench/run", help="the command that reproduces this")
    parser.add_argument("--notes", help="a Markdown file of analysis notes to include")
    parser.add_argument("--root", default=".", help="the repository (for the commit)")
    parser.add_argument("--commit", help="the commit the run measured (default: the repository's HEAD now)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    context, bench = load_bench(args.bench)
    peer_versions, peers = load_peers(args.peers)
    rep = Report(context, bench, peer_versions, peers)

    results, missing = rep.results_table()
    out = [
        "# Benchmarks",
        "",
        "Written by `tools/bench/run`; do not edit by hand. Every ratio is items per second of a "
        "benchmark over items per second of its baseline, both from this run (above 1×: faster "
        "than the baseline). CPU-bound benchmarks report CPU time; the ones marked *wall time* "
        "wait for real timers and report elapsed time, so they are the most exposed to other "
        "load on the machine. Each figure is the best of the repetitions (`REPETITIONS`, "
        "default 3): noise from other processes only ever adds time.",
        "",
        f"Run {context.get('date') or datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M%z')} "
        f"at commit {args.commit or git_describe(args.root)}.",
        "",
        "## Reproduce",
        "",
        "```sh",
        args.command,
        "```",
        "",
        "## Targets",
        "",
        "| target | measured | verdict |",
        "|---|---:|---|",
    ]
    out += [f"| {t} | {m} | {v} |" for t, m, v in rep.targets()]
    out += ["", "Verdicts use each benchmark's own time (wall time for the Asio ones, as they wait "
            "for real timers). Where a wall-time benchmark is involved, the ratio on CPU time is "
            "shown too: a large gap means other load stretched the wall time."]
    out += ["", "## Results", "", "The timer family shares one seeded workload: N calls at "
            "uniform random delays (splitmix64, seed 42) in [0, 100 s) on virtual clocks and "
            "[0, 10 ms) on real ones, every 10th cancelled, the rest run; every benchmark checks "
            "that exactly the kept calls ran. The Python peers run the same delays.", ""]
    out += results
    if missing:
        out += ["", "Not in this run: "
                + ", ".join(f"`{m}`" for m in missing) + "."]
    out += ["", "## Memory", "", "Measured with txaio-bench's counting global allocator "
            "(`malloc_usable_size` of every block): the bytes the loop or batched timer holds while "
            "N calls are pending, over N, less the 16-byte callable each call holds inline.", ""]
    out += rep.memory_table()
    out += ["", "## Growth", "", "Cost per item from N = 1,000 to 1,000,000 (real-time benchmarks "
            "include the 10 ms wait, which dominates at N = 1,000).", ""]
    out += rep.growth_table()
    if args.notes and os.path.exists(args.notes):
        with open(args.notes, encoding="utf-8") as f:
            out += ["", f.read().rstrip()]
    out += ["", "## Machine", ""] + rep.machine(args.cmake_cache)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print(f"report.py: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
