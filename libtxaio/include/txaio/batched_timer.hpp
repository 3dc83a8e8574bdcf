#pragma once
/// Batched timers (txaio's `make_batched_timer`): many calls whose exact time does not matter
/// (auto-ping timeouts, two per connection) share one loop timer per time bucket.
///
///     auto timer = txaio::make_batched_timer(std::chrono::seconds(1));
///     txaio::BatchedCall ping = timer.call_later(30.0, send_ping, connection);
///     ping.cancel();  // idempotent
///
/// Contract (docs/contracts.md, "Batched timers"):
/// - A call due at `due = now + delay` goes to the bucket with key `due` floored to a multiple
///   of `bucket` since the loop's epoch, in integer nanoseconds (`bucket_key`), as txaio does
///   (but on the bucket's own grid, not whole seconds). With `BatchRounding::never_early` the
///   key is the first multiple of `bucket` at or after `due`: the call never runs before its
///   due time.
/// - Each non-empty bucket owns one loop timer, due after `max(0, key - now)`.
/// - When a bucket's timer fires with `n` pending calls, the calls are split in registration
///   order into `k = ceil(n / chunk_size)` chunks of `chunk_size`; chunk `i` runs at
///   `key + i * bucket / k`, each chunk on its own loop timer, so at most one timer per bucket
///   is pending at any time. The split is fixed when the bucket fires: cancelling a call later
///   does not move other calls to another chunk.
/// - So a call runs in `[key, key + bucket)` (later only if its bucket opened after that, in
///   the past: then at once): by default up to one bucket before or after its due time; with
///   `never_early` at or up to two buckets after it.
/// - A cancelled call never runs, also while its bucket is being worked through in chunks.
///   A bucket whose calls are all cancelled cancels its loop timer.
/// - An exception escaping a call is collected as `"<type>: <what>"`; the bucket's other
///   calls still run, and after its last chunk one `BatchError` carrying every message is
///   passed to `Loop::report_exception(..., "batched timer")` (`sim::Loop` rethrows it from
///   `advance`, `AsioLoop` logs it).
/// - `call_later` (amortized) and `cancel` are O(1). A bucket keeps its calls in one array
///   in registration order, so a pending call costs its callable (a `Callback`: 24 bytes,
///   callables of up to 16 bytes inline) plus the array's growth slack; a cancelled call's
///   empty slot is reclaimed when its bucket is done.
/// - Observers of the loop are told each call's `schedule`, `cancel`, `fire`, `error` and
///   `done` (`EventSource::batched_call`, with `Event::batched` = `id()`); the `schedule`,
///   `fire` and `cancel` of the timer's own loop timers, with their bucket's key, chunk, chunk
///   count and pending calls (`EventSource::bucket_timer`, `Event::bucket`); and each
///   `BatchError` before it is reported (see `txaio::Event` for the order).
/// - Not thread-safe: use a batched timer on its loop's thread only.

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

#include "txaio/config.hpp"
#include "txaio/detail/callback.hpp"
#include "txaio/loop.hpp"
#include "txaio/time.hpp"

namespace txaio {

class BatchedTimer;

namespace detail {
class BatchedTimerImpl;
[[noreturn]] void throw_bad_bucket(double seconds);
/// Test seam: adds `n` to the generation of every bucket slot of `timer`, as if each slot had
/// been reused `n` more times (to reach 2^32 reuses without making them).
void skip_bucket_generations(BatchedTimer& timer, std::uint64_t n) noexcept;
/// Bytes held by `timer`'s own structures (capacity included; heap-stored callables not), for
/// the memory tests.
std::size_t batched_bytes_reserved(const BatchedTimer& timer) noexcept;
}  // namespace detail

/// How a call's due time maps onto the bucket grid.
enum class BatchRounding : std::uint8_t {
  down,         ///< txaio's rule: the bucket holding the due time
  never_early,  ///< the first bucket boundary at or after the due time
};

/// The key of the bucket a call due at loop time `due` goes to, for buckets of width `bucket`
/// (> 0): `due` floored to a multiple of `bucket` (`down`), or the first multiple at or after
/// it (`never_early`, saturating at the largest multiple). A negative `due` counts as 0.
///
///     bucket_key(3200us, 1500us, BatchRounding::down) == 3ms
nanoseconds bucket_key(nanoseconds due, nanoseconds bucket, BatchRounding rounding) noexcept;

/// Handle to a call scheduled with `BatchedTimer::call_later`. Cheap to copy. Must not be
/// used after its `BatchedTimer` is destroyed (like `DelayedCall` and its loop).
class BatchedCall {
public:
  BatchedCall() noexcept = default;

  /// Cancels the call if it has not run yet: it will never run. Idempotent: no error twice,
  /// after it ran, or on an empty handle. Empties and cancels its bucket's loop timer when
  /// it was the bucket's last pending call.
  void cancel() noexcept;
  /// True while the call is pending (neither run nor cancelled).
  bool active() const noexcept;
  /// The key of the call's bucket (loop time): it runs at `key()` plus its chunk's offset,
  /// which is less than one bucket (or at once, if that was past when its bucket opened).
  nanoseconds key() const noexcept { return nanoseconds(key_); }

private:
  friend class detail::BatchedTimerImpl;  // the only maker of handles
  BatchedCall(detail::BatchedTimerImpl* timer, std::uint32_t bucket, std::uint64_t gen, std::uint32_t index,
              std::int64_t key) noexcept
      : timer_(timer), gen_(gen), key_(key), bucket_(bucket), index_(index) {}

  detail::BatchedTimerImpl* timer_ = nullptr;
  std::uint64_t gen_ = 0;     // the bucket slot's generation (64 bits: bumped each time the slot is reused)
  std::int64_t key_ = 0;
  std::uint32_t bucket_ = 0;  // the bucket's slot,
  std::uint32_t index_ = 0;   // and the call's place in it
};

/// A set of buckets on one loop (see the header comment for the contract). Movable, not
/// copyable. Destroying it cancels its loop timers and drops its pending calls (errors
/// already collected from a bucket are still reported). It must not outlive its loop; it may
/// be destroyed from inside one of its own calls, after which no further call runs.
class BatchedTimer {
public:
  /// `bucket` at least 1 ms and `chunk_size` at least 1, else `std::invalid_argument`.
  BatchedTimer(Loop& loop, nanoseconds bucket, std::int64_t chunk_size = 100,
               BatchRounding rounding = BatchRounding::down);
  BatchedTimer(BatchedTimer&& other) noexcept;
  BatchedTimer& operator=(BatchedTimer&& other) noexcept;
  BatchedTimer(const BatchedTimer&) = delete;
  BatchedTimer& operator=(const BatchedTimer&) = delete;
  ~BatchedTimer();

  /// Runs `fn(args...)` in the bucket of `now + delay` (any duration, or seconds as a
  /// number; negative means 0). The arguments are stored by value.
  template <class D, class F, class... Args>
    requires is_delay_v<D> && std::is_invocable_v<std::decay_t<F>&, std::decay_t<Args>&...>
  BatchedCall call_later(D delay, F&& fn, Args&&... args) {
    return schedule(to_delay(delay), detail::bind_callback(std::forward<F>(fn), std::forward<Args>(args)...));
  }

  /// Primitive behind `call_later`: `delay` is non-negative.
  BatchedCall schedule(nanoseconds delay, Callback fn);

  Loop& loop() const noexcept;
  nanoseconds bucket() const noexcept;
  std::int64_t chunk_size() const noexcept;
  BatchRounding rounding() const noexcept;

  /// The bucket key of a call due at loop time `due`.
  nanoseconds key_for(nanoseconds due) const noexcept;

  /// Calls neither run nor cancelled.
  std::size_t pending_count() const noexcept;
  /// Buckets with pending calls whose loop timer has not fired yet.
  std::size_t waiting_buckets() const noexcept;
  /// Buckets that fired and still have chunks with pending calls to run (also the bucket
  /// whose chunk is running right now).
  std::size_t chunking_buckets() const noexcept;
  /// Loop timers this batched timer has pending: one per waiting or chunking bucket, so
  /// `waiting_buckets() + chunking_buckets()`, less the bucket whose chunk is running now.
  std::size_t underlying_timers() const noexcept;
  /// This timer's identity in loop events (`Event::batched`): the same for the timer's life,
  /// and for its moved-to owner.
  std::uint64_t id() const noexcept;

private:
  friend void detail::skip_bucket_generations(BatchedTimer& timer, std::uint64_t n) noexcept;
  friend std::size_t detail::batched_bytes_reserved(const BatchedTimer& timer) noexcept;
  std::shared_ptr<detail::BatchedTimerImpl> impl_;
};

namespace detail {
/// Validates `bucket` (finite, at least 1 ms) and converts it to nanoseconds.
template <class D>
nanoseconds batched_bucket_ns(D bucket) {
  if constexpr (std::is_floating_point_v<D>) {
    if (!std::isfinite(bucket)) throw_bad_bucket(static_cast<double>(bucket));
  } else if constexpr (is_duration<D>::value) {
    if constexpr (std::is_floating_point_v<typename D::rep>) {
      if (!std::isfinite(bucket.count())) throw_bad_bucket(std::chrono::duration<double>(bucket).count());
    }
  }
  return to_ns(bucket, "bucket");
}
}  // namespace detail

/// A batched timer on `loop` with buckets of `bucket` (any duration, or seconds as a number).
/// `std::invalid_argument` naming the argument if `bucket` is under 1 ms or not finite, or
/// `chunk_size` is under 1.
template <class D>
  requires is_delay_v<D>
BatchedTimer make_batched_timer(Loop& loop, D bucket, std::int64_t chunk_size = 100,
                                BatchRounding rounding = BatchRounding::down) {
  return BatchedTimer(loop, detail::batched_bucket_ns(bucket), chunk_size, rounding);
}

/// `make_batched_timer` on the default loop (`UsageError` if none is chosen).
template <class D>
  requires is_delay_v<D>
BatchedTimer make_batched_timer(D bucket, std::int64_t chunk_size = 100, BatchRounding rounding = BatchRounding::down) {
  const nanoseconds bucket_ns = detail::batched_bucket_ns(bucket);
  return BatchedTimer(default_loop(), bucket_ns, chunk_size, rounding);
}

}  // namespace txaio
