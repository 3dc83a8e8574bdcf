#pragma once
// Coroutines as a user writes them: a retry with exponential backoff and a timeout, a fan-out
// with gather, and a cancellation that cleans up. docs/coroutines.md walks through them; the
// tests run them on sim::Loop (exact virtual times) and on AsioLoop (a real io_context).

#include <chrono>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "txaio/txaio.hpp"

namespace example {

using namespace std::chrono_literals;
using txaio::Api;
using txaio::Future;
using txaio::nanoseconds;

/// An operation did not finish in time.
struct TimeoutError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// `operation`'s value, or `TimeoutError` once `timeout` passed (the operation is cancelled).
template <class T>
Future<T> with_timeout(Api api, Future<T> operation, nanoseconds timeout) {
  bool timed_out = false;
  struct CancelOnExit {  // however the body ends, the timer goes with it
    txaio::DelayedCall timer;
    ~CancelOnExit() { timer.cancel(); }
  } guard{api.call_later(timeout, [&timed_out, api, operation] {
    timed_out = true;
    api.cancel(operation, "timed out");
  })};
  try {
    co_return co_await operation;
  } catch (const txaio::CancelledError&) {
    if (!timed_out) throw;  // we were cancelled ourselves: not a timeout
  }
  throw TimeoutError("timed out after " + std::to_string(timeout / 1ms) + " ms");
}

/// Calls `attempt()` until one succeeds within `timeout`, at most `tries` times, waiting
/// `backoff`, then twice as long, and so on between tries. Rejects with the last failure.
template <class T>
Future<T> retry(Api api, std::function<Future<T>()> attempt, int tries, nanoseconds backoff, nanoseconds timeout) {
  for (int i = 1;; ++i) {
    try {
      co_return co_await with_timeout(api, attempt(), timeout);
    } catch (const txaio::CancelledError&) {
      throw;  // cancelled from outside: stop retrying
    } catch (const std::exception&) {
      if (i == tries) throw;
    }
    co_await api.sleep(backoff);
    backoff *= 2;
  }
}

/// A key-value store answering after a latency per key; keys starting with '!' fail.
struct SlowStore {
  Api api;
  std::vector<std::string> log;  // "get <key>" as the store answers

  Future<int> get(std::string key, nanoseconds latency) {
    co_await api.sleep(latency);
    log.push_back("get " + key);
    if (key.starts_with("!")) throw std::runtime_error("no such key: " + key);
    co_return static_cast<int>(key.size());
  }
};

/// Looks up every key at once (the latency of key `i` is `latencies[i]`) and sums the values
/// of those found; `missing` counts the others. Takes as long as the slowest lookup.
inline Future<int> total_of(Api api, SlowStore& store, std::vector<std::string> keys,
                            std::vector<nanoseconds> latencies, int& missing) {
  std::vector<Future<int>> lookups;
  for (std::size_t i = 0; i < keys.size(); ++i) lookups.push_back(store.get(keys[i], latencies[i]));
  std::vector<txaio::Outcome<int>> outcomes = co_await api.gather(lookups);
  int total = 0;
  for (const txaio::Outcome<int>& o : outcomes) {
    if (o.has_value()) {
      total += o.value();
    } else {
      ++missing;
    }
  }
  co_return total;
}

/// A connection pool with one connection: who holds it, and what happened to it.
struct Pool {
  bool leased = false;
  std::vector<std::string> log;
};

/// Leases the pool's connection, sends one message a second for `messages` seconds, and
/// gives the connection back in every case. Cancelled, it first sends a goodbye (which takes
/// 100 ms and is not interrupted by a second cancel), then ends cancelled.
inline Future<int> session(Api api, Pool& pool, int messages) {
  struct Lease {
    Pool& pool;
    explicit Lease(Pool& p) : pool(p) { pool.leased = true; }
    ~Lease() {
      pool.leased = false;
      pool.log.push_back("released");
    }
  } lease(pool);
  int sent = 0;
  std::exception_ptr cancelled;
  try {
    for (; sent < messages; ++sent) co_await api.sleep(1s);
  } catch (const txaio::CancelledError&) {
    cancelled = std::current_exception();  // C++ allows no co_await inside a handler
  }
  if (cancelled) {
    pool.log.push_back("cancelled after " + std::to_string(sent));
    co_await api.sleep(100ms);
    pool.log.push_back("goodbye sent");
    std::rethrow_exception(cancelled);
  }
  pool.log.push_back("done");
  co_return sent;
}

}  // namespace example
