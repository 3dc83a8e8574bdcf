//! coro_sleepers on tokio's paused clock: N spawned tasks each `tokio::time::sleep(d).await`
//! at the delays of txaio-bench's timer workload (splitmix64, seed 42, [0, 100 s)), every
//! 10th task aborted, then the runtime runs until every task finished. The clock is paused,
//! so tokio jumps to the next timer when it is idle: virtual time, as sim::Loop.
//!
//! Usage: txaio-tokio-peer N MIN_SECONDS
//! Prints one JSON object: {"n": N, "seconds": mean CPU seconds per run, "runs": runs}. CPU
//! time, as txaio-bench reports for its CPU-bound benchmarks: the runtime is single-threaded,
//! and other load on the machine does not count.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

const SEED: u64 = 42;
const SPAN_NS: u64 = 100_000_000_000;

fn delays_ns(n: usize) -> Vec<u64> {
    let mut state = SEED;
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            ((z as u128 * SPAN_NS as u128) >> 64) as u64
        })
        .collect()
}

/// This process's CPU time in seconds.
fn cpu_seconds() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes the timespec it is given.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID)");
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

fn is_dropped(i: usize) -> bool {
    i % 10 == 9
}

/// One run: returns (tasks that finished their sleep, sum of their indices).
fn run(delays: &[u64]) -> (u64, u64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("tokio runtime");
    let local = tokio::task::LocalSet::new();
    let fired = Rc::new(Cell::new(0u64));
    let index_sum = Rc::new(Cell::new(0u64));
    local.block_on(&runtime, async {
        let mut handles = Vec::with_capacity(delays.len());
        for (i, &d) in delays.iter().enumerate() {
            let (fired, index_sum) = (fired.clone(), index_sum.clone());
            handles.push(tokio::task::spawn_local(async move {
                tokio::time::sleep(Duration::from_nanos(d)).await;
                fired.set(fired.get() + 1);
                index_sum.set(index_sum.get() + i as u64);
            }));
        }
        for (i, h) in handles.iter().enumerate() {
            if is_dropped(i) {
                h.abort();
            }
        }
        for h in handles {
            let _ = h.await;
        }
    });
    (fired.get(), index_sum.get())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: txaio-tokio-peer N MIN_SECONDS");
        std::process::exit(2);
    }
    let n: usize = args[1].parse().expect("N: a count");
    let min_seconds: f64 = args[2].parse().expect("MIN_SECONDS: a number");
    let delays = delays_ns(n);
    let kept: Vec<u64> = (0..n).filter(|&i| !is_dropped(i)).map(|i| i as u64).collect();
    let want = (kept.len() as u64, kept.iter().sum::<u64>());
    let (mut runs, mut total) = (0u32, 0.0f64);
    while runs == 0 || total < min_seconds {
        let start = cpu_seconds();
        let got = run(&delays);
        total += cpu_seconds() - start;
        runs += 1;
        if got != want {
            eprintln!("txaio-tokio-peer: {} tasks finished (index sum {}), expected {} ({})", got.0, got.1, want.0, want.1);
            std::process::exit(1);
        }
    }
    println!("{{\"n\": {}, \"seconds\": {}, \"runs\": {}}}", n, total / runs as f64, runs);
}
