#include "txaio/batched_timer.hpp"

#include <cxxabi.h>
#include <fmt/format.h>

#include <boost/core/demangle.hpp>

#include <algorithm>
#include <deque>
#include <limits>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

#include "txaio/detail/report.hpp"
#include "txaio/errors.hpp"

namespace txaio {

nanoseconds bucket_key(nanoseconds due, nanoseconds bucket, BatchRounding rounding) noexcept {
  const std::int64_t d = std::max<std::int64_t>(due.count(), 0);
  const std::int64_t b = bucket.count();
  const std::int64_t floor = d - d % b;
  if (rounding == BatchRounding::down || floor == d || floor > std::numeric_limits<std::int64_t>::max() - b) {
    return nanoseconds(floor);
  }
  return nanoseconds(floor + b);
}

namespace detail {
namespace {

constexpr std::uint32_t no_slot = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t no_key = std::numeric_limits<std::int64_t>::min();

/// `"<demangled type>: <what()>"` of the exception being handled.
std::string describe_current_exception() {
  const std::type_info* type = abi::__cxa_current_exception_type();
  std::string text = type != nullptr ? boost::core::demangle(type->name()) : std::string("unknown exception");
  try {
    throw;
  } catch (const std::exception& e) {
    text += ": ";
    text += e.what();
  } catch (...) {
    text += ": not a std::exception";
  }
  return text;
}

/// Open-addressing hash map from a bucket key to its bucket slot: linear probing, Fibonacci
/// hashing (keys are multiples of the bucket width, so their low bits are poor), deletion by
/// backward shift (no tombstones).
class BucketMap {
public:
  BucketMap() { rehash(16); }

  std::uint32_t find(std::int64_t key) const noexcept {
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.key == key) return e.value;
      if (e.key == no_key) return no_slot;
    }
  }

  /// Precondition: `key` is absent.
  void insert(std::int64_t key, std::uint32_t value) {
    if ((count_ + 1) * 2 > entries_.size()) rehash(entries_.size() * 2);
    place(key, value);
    ++count_;
  }

  void erase(std::int64_t key) noexcept {
    std::size_t i = home(key);
    while (entries_[i].key != key) {
      if (entries_[i].key == no_key) return;
      i = (i + 1) & mask_;
    }
    for (std::size_t j = (i + 1) & mask_; entries_[j].key != no_key; j = (j + 1) & mask_) {
      // Entry j may move back to the hole at i if i lies on its probe path (from its home to j).
      if (((j - home(entries_[j].key)) & mask_) >= ((j - i) & mask_)) {
        entries_[i] = entries_[j];
        i = j;
      }
    }
    entries_[i].key = no_key;
    --count_;
  }

  std::size_t size() const noexcept { return count_; }
  std::size_t bytes_reserved() const noexcept { return entries_.capacity() * sizeof(Entry); }

  void clear() noexcept {
    for (Entry& e : entries_) e.key = no_key;
    count_ = 0;
  }

private:
  struct Entry {
    std::int64_t key;
    std::uint32_t value;
  };

  std::size_t home(std::int64_t key) const noexcept {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(key) * 0x9e3779b97f4a7c15ULL) >> shift_);
  }

  void place(std::int64_t key, std::uint32_t value) noexcept {
    std::size_t i = home(key);
    while (entries_[i].key != no_key) i = (i + 1) & mask_;
    entries_[i] = Entry{key, value};
  }

  void rehash(std::size_t capacity) {
    std::vector<Entry> old(capacity, Entry{no_key, 0});
    old.swap(entries_);
    mask_ = capacity - 1;
    shift_ = 64;
    for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
    for (const Entry& e : old) {
      if (e.key != no_key) place(e.key, e.value);
    }
  }

  std::vector<Entry> entries_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t count_ = 0;
};

}  // namespace

void throw_bad_bucket(double seconds) {
  throw std::invalid_argument(
      fmt::format("make_batched_timer: bucket must be a finite duration of at least 1 ms, got {} s", seconds));
}

/// The state behind a `BatchedTimer`: the buckets (each an array of its calls in
/// registration order, so both registering and running walk memory in order), and a map from
/// key to the buckets still waiting for their loop timer.
class BatchedTimerImpl : public std::enable_shared_from_this<BatchedTimerImpl> {
public:
  BatchedTimerImpl(Loop& loop, std::int64_t bucket_ns, std::int64_t chunk_size, BatchRounding rounding)
      : loop_(&loop),
        bucket_ns_(bucket_ns),
        chunk_size_(static_cast<std::uint64_t>(chunk_size)),
        rounding_(rounding) {}

  BatchedTimerImpl(const BatchedTimerImpl&) = delete;
  BatchedTimerImpl& operator=(const BatchedTimerImpl&) = delete;
  ~BatchedTimerImpl() { close(); }

  std::int64_t key_for(std::int64_t due) const noexcept {
    return bucket_key(nanoseconds(due), nanoseconds(bucket_ns_), rounding_).count();
  }

  BatchedCall schedule(nanoseconds delay, Callback fn) {
    const std::int64_t now = loop_->now().count();
    const std::int64_t key = key_for(saturating_add(nanoseconds(now), delay).count());
    std::uint32_t b = cached_bucket_;
    bool opened = false;
    if (key != cached_key_) {
      b = waiting_.find(key);
      if (b == no_slot) {
        b = open_bucket(key, now);
        opened = true;
      }
      cached_key_ = key;
      cached_bucket_ = b;
    }
    Bucket& bucket = buckets_[b];
    const auto index = static_cast<std::uint32_t>(bucket.calls.size());
    if (index == no_slot) throw std::length_error("batched timer: too many calls in one bucket");
    try {
      // Grows by half (not double): less slack per pending call.
      if (index == bucket.calls.capacity()) bucket.calls.reserve(std::max<std::size_t>(4, index + index / 2));
      bucket.calls.push_back(std::move(fn));
    } catch (...) {
      if (bucket.live == 0) abandon_bucket(b);  // just opened for this call
      throw;
    }
    ++bucket.live;
    ++pending_;
    if (loop_->observed()) {
      // At the `now` the key was computed from (a real clock moves meanwhile).
      notify_loop(Event{EventKind::schedule, nanoseconds(now), saturating_add(nanoseconds(now), delay),
                        call_event_id(bucket, index), {}});
    }
    // The call first, then the loop timer its bucket opened.
    if (opened) notify_bucket_timer(EventKind::schedule, bucket.timer, bucket, 0);
    return BatchedCall(this, b, bucket.gen, index, key);
  }

  bool active(std::uint32_t b, std::uint64_t gen, std::uint32_t index) const noexcept {
    if (b >= buckets_.size()) return false;
    const Bucket& bucket = buckets_[b];
    return bucket.gen == gen && bucket.in_use && index >= bucket.next && index < bucket.calls.size() &&
           static_cast<bool>(bucket.calls[index]);
  }

  bool cancel(std::uint32_t b, std::uint64_t gen, std::uint32_t index) noexcept {
    if (closed_ || !active(b, gen, index)) return false;
    Bucket& bucket = buckets_[b];
    --pending_;
    --bucket.live;
    if (loop_->observed()) notify_call(EventKind::cancel, bucket, index, nanoseconds(bucket.key));
    // Destroyed last, when the books are straight: its destructor may call back in. Its
    // empty slot stays: it keeps the others' indices, and a fired bucket's chunk boundaries.
    Callback dead = std::move(bucket.calls[index]);
    if (bucket.live == 0 && !bucket.running) drop_emptied(b);
    return true;
  }

  /// Runs the next chunk of bucket `b` (its loop timer fired).
  void fire(std::uint32_t b, std::uint32_t gen) {
    if (closed_ || FireBucket::low_bits(buckets_[b].gen) != gen || !buckets_[b].in_use) return;
    const std::shared_ptr<BatchedTimerImpl> keep = shared_from_this();  // a call may destroy the timer
    Bucket& bucket = buckets_[b];  // a deque: stays put while calls open buckets
    const DelayedCall fired = bucket.timer;
    bucket.timer = DelayedCall{};
    --timers_;
    if (bucket.chunks == 0) split(b);
    const std::uint32_t chunk = bucket.chunk++;
    notify_bucket_timer(EventKind::fire, fired, bucket, chunk);
    const std::size_t end = bucket.has_bounds()
                                ? bucket.extra->bounds[chunk + 1]
                                : static_cast<std::size_t>(std::min<std::uint64_t>(
                                      bucket.calls.size(), (std::uint64_t{chunk} + 1) * chunk_size_));
    bucket.running = true;
    while (bucket.next < end) {
      // A fired bucket takes no new calls, so its array does not move under the running call.
      Callback& fn = bucket.calls[bucket.next++];  // no longer pending: cancelling it is a no-op
      if (!fn) continue;                             // cancelled
      --bucket.live;
      --pending_;
      run_call(bucket, bucket.next - 1, fn);
      if (closed_) return;
    }
    bucket.running = false;
    if (bucket.live == 0) {
      finish_bucket(b);
    } else {
      schedule_chunk(b);
    }
  }

  /// Cancels every loop timer and drops every pending call. Errors already collected are
  /// still reported.
  void close() noexcept {
    if (closed_) return;
    closed_ = true;
    for (Bucket& bucket : buckets_) {
      if (!bucket.in_use) continue;
      bucket.timer.cancel();
      // Calls before `next` ran (one may be running right now, below us on the stack).
      for (std::size_t i = bucket.next; i < bucket.calls.size(); ++i) {
        Callback dead = std::move(bucket.calls[i]);
      }
      bucket.next = static_cast<std::uint32_t>(bucket.calls.size());
      bucket.live = 0;
      report(take_errors(bucket));
    }
    waiting_.clear();
    cached_key_ = no_key;
    pending_ = 0;
    chunking_ = 0;
    timers_ = 0;
  }

  Loop& loop() const noexcept { return *loop_; }
  std::int64_t bucket_ns() const noexcept { return bucket_ns_; }
  std::int64_t chunk_size() const noexcept { return static_cast<std::int64_t>(chunk_size_); }
  BatchRounding rounding() const noexcept { return rounding_; }
  std::size_t pending_count() const noexcept { return pending_; }
  std::size_t waiting_buckets() const noexcept { return waiting_.size(); }
  std::size_t chunking_buckets() const noexcept { return chunking_; }
  std::size_t underlying_timers() const noexcept { return timers_; }

  std::size_t bytes_reserved() const noexcept {
    std::size_t bytes = buckets_.size() * sizeof(Bucket) + waiting_.bytes_reserved();
    for (const Bucket& bucket : buckets_) {
      bytes += bucket.calls.capacity() * sizeof(Callback);
      if (bucket.extra != nullptr) {
        bytes += sizeof(Extra) + bucket.extra->bounds.capacity() * sizeof(std::uint32_t) +
                 bucket.extra->errors.capacity() * sizeof(std::string);
      }
    }
    return bytes;
  }

  void skip_generations(std::uint64_t n) noexcept {
    for (Bucket& bucket : buckets_) bucket.gen += n;
  }

private:
  /// What only some buckets need: allocated on first use, kept with the slot.
  struct Extra {
    std::vector<std::uint32_t> bounds;  // chunk i runs calls [bounds[i], bounds[i + 1]); empty: i * chunk_size
    std::vector<std::string> errors;    // what its calls raised, in run order
  };

  struct Bucket {
    std::int64_t key = 0;
    std::vector<Callback> calls;         // registration order; empty once run or cancelled
    std::unique_ptr<Extra> extra;
    std::uint32_t live = 0;              // pending calls
    std::uint32_t next = 0;              // the first call not yet run (or skipped)
    std::uint64_t gen = 0;               // bumped on release, so stale handles are recognised (never wraps)
    std::uint32_t chunk = 0;             // the next chunk to run
    std::uint32_t chunks = 0;            // k, decided when the bucket fires; 0 while waiting
    std::uint32_t next_free = no_slot;
    std::uint32_t serial = 0;            // which bucket this is, counting from 0 (for event ids)
    bool in_use = false;
    bool running = false;  // a chunk of it is running right now
    DelayedCall timer;     // its pending loop timer, if any

    bool has_bounds() const noexcept { return extra != nullptr && !extra->bounds.empty(); }
    bool has_errors() const noexcept { return extra != nullptr && !extra->errors.empty(); }
    Extra& ensure_extra() {
      if (extra == nullptr) extra = std::make_unique<Extra>();
      return *extra;
    }
  };

  /// The loop timer's callable: 16 bytes, stored inline. It keeps the low 32 bits of the
  /// bucket's generation only: a bucket's loop timer is always cancelled before its slot is
  /// released, so the check is a safeguard, and handles (which may outlive a bucket) keep all 64.
  struct FireBucket {
    BatchedTimerImpl* self;
    std::uint32_t bucket;
    std::uint32_t gen;
    static std::uint32_t low_bits(std::uint64_t gen) noexcept { return static_cast<std::uint32_t>(gen); }
    void operator()() const { self->fire(bucket, gen); }
  };

  /// Runs call `index` of `bucket`, collecting what it throws, and tells the loop's observers.
  void run_call(Bucket& bucket, std::uint32_t index, Callback& fn) {
    const nanoseconds key(bucket.key);
    const std::uint64_t id = call_event_id(bucket, index);
    if (loop_->observed()) notify_loop(Event{EventKind::fire, loop_->now(), key, id, {}});
    try {
      fn();
    } catch (...) {
      record_error(bucket);
      if (loop_->observed()) notify_call_error(key, id);
    }
    fn.reset();
    if (loop_->observed()) notify_loop(Event{EventKind::done, loop_->now(), key, id, {}});
  }

  /// A bucket's first loop timer fired: decides its chunks from the calls pending now.
  void split(std::uint32_t b) {
    Bucket& bucket = buckets_[b];
    forget_waiting(b);
    const std::uint64_t n = bucket.live;
    bucket.chunks = static_cast<std::uint32_t>(n / chunk_size_ + (n % chunk_size_ != 0 ? 1 : 0));
    ++chunking_;
    if (n == bucket.calls.size()) return;  // nothing cancelled: chunk i starts at i * chunk_size
    // Some calls were cancelled: chunk boundaries fall on every chunk_size-th pending call.
    std::vector<std::uint32_t>& bounds = bucket.ensure_extra().bounds;
    bounds.reserve(bucket.chunks + 1);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket.calls.size(); ++i) {
      if (!bucket.calls[i]) continue;
      if (seen % chunk_size_ == 0) bounds.push_back(static_cast<std::uint32_t>(i));
      ++seen;
    }
    bounds.push_back(static_cast<std::uint32_t>(bucket.calls.size()));
    bounds.front() = 0;  // chunk 0 also skips the cancelled calls before its first
  }

  std::uint32_t open_bucket(std::int64_t key, std::int64_t now) {
    std::uint32_t b = free_bucket_;
    if (b != no_slot) {
      free_bucket_ = buckets_[b].next_free;
    } else {
      if (buckets_.size() >= no_slot) throw std::length_error("batched timer: too many buckets");
      b = static_cast<std::uint32_t>(buckets_.size());
      buckets_.emplace_back();
    }
    Bucket& bucket = buckets_[b];
    bucket.key = key;
    bucket.in_use = true;
    bucket.serial = next_serial_++;
    try {
      waiting_.insert(key, b);
      bucket.timer = arm(b, key, now);
    } catch (...) {
      waiting_.erase(key);
      release_bucket(b);
      throw;
    }
    ++timers_;
    return b;
  }

  /// Schedules bucket `b`'s loop timer for loop time `target` (at once if that is past).
  DelayedCall arm(std::uint32_t b, std::int64_t target, std::int64_t now) {
    const nanoseconds delay(target > now ? target - now : 0);
    return loop_->schedule(delay, Callback(FireBucket{this, b, FireBucket::low_bits(buckets_[b].gen)}));
  }

  /// Closes a bucket that was opened for a call which then could not be stored.
  void abandon_bucket(std::uint32_t b) noexcept {
    DelayedCall timer = buckets_[b].timer;
    forget_waiting(b);
    release_bucket(b);
    --timers_;
    timer.cancel();
  }

  void schedule_chunk(std::uint32_t b) {
    Bucket& bucket = buckets_[b];
    // chunk * bucket / chunks without overflow: chunk < chunks < 2^32, so neither product does.
    const std::uint64_t i = bucket.chunk;
    const std::uint64_t k = bucket.chunks;
    const auto width = static_cast<std::uint64_t>(bucket_ns_);
    const auto offset = static_cast<std::int64_t>(i * (width / k) + i * (width % k) / k);
    const std::int64_t target = saturating_add(nanoseconds(bucket.key), nanoseconds(offset)).count();
    bucket.timer = arm(b, target, loop_->now().count());
    ++timers_;
    notify_bucket_timer(EventKind::schedule, bucket.timer, bucket, bucket.chunk);
  }

  /// A fired bucket has no pending call left: reports its errors and frees it.
  void finish_bucket(std::uint32_t b) noexcept {
    --chunking_;
    release_and_report(b);
  }

  /// Bucket `b` lost its last pending call while waiting or between chunks: its loop timer
  /// is cancelled (observers see the loop's `cancel`, then the bucket_timer `cancel`), then
  /// it goes, reporting what its earlier chunks raised.
  void drop_emptied(std::uint32_t b) noexcept {
    Bucket& bucket = buckets_[b];
    DelayedCall timer = bucket.timer;
    if (bucket.chunks == 0) {
      forget_waiting(b);  // no call can join it while observers are told
    } else {
      --chunking_;
    }
    if (timer.id() != 0) {
      --timers_;
      timer.cancel();
    }
    notify_bucket_timer(EventKind::cancel, timer, bucket, bucket.chunk);
    release_and_report(b);
  }

  void release_and_report(std::uint32_t b) noexcept {
    std::vector<std::string> errors = take_errors(buckets_[b]);
    release_bucket(b);
    report(std::move(errors));
  }

  void forget_waiting(std::uint32_t b) noexcept {
    waiting_.erase(buckets_[b].key);
    if (cached_bucket_ == b) cached_key_ = no_key;
  }

  void release_bucket(std::uint32_t b) noexcept {
    Bucket& bucket = buckets_[b];
    // Keep the arrays for the slot's next bucket, unless a burst left them mostly unused.
    if (bucket.calls.capacity() > 1024 && bucket.calls.capacity() > 2 * bucket.calls.size()) {
      std::vector<Callback>().swap(bucket.calls);
    } else {
      bucket.calls.clear();
    }
    if (bucket.extra != nullptr) {
      bucket.extra->bounds.clear();
      bucket.extra->errors.clear();
    }
    bucket.live = 0;
    bucket.next = 0;
    ++bucket.gen;
    bucket.chunk = 0;
    bucket.chunks = 0;
    bucket.in_use = false;
    bucket.running = false;
    bucket.timer = DelayedCall{};
    bucket.next_free = free_bucket_;
    free_bucket_ = b;
  }

  void record_error(Bucket& bucket) noexcept {
    try {
      bucket.ensure_extra().errors.push_back(describe_current_exception());
    } catch (...) {
      // Out of memory while recording: the loop still goes on.
    }
  }

  static std::vector<std::string> take_errors(Bucket& bucket) noexcept {
    std::vector<std::string> errors;
    if (bucket.has_errors()) errors.swap(bucket.extra->errors);
    return errors;
  }

  /// Reports what a bucket's calls raised (nothing if none did) as one `BatchError`.
  void report(std::vector<std::string> errors) noexcept {
    if (errors.empty()) return;
    try {
      const BatchError error(std::move(errors));
      if (loop_->observed()) notify_loop(Event{EventKind::error, loop_->now(), loop_->now(), 0, error.what()});
      loop_->report_exception(std::make_exception_ptr(error), "batched timer");
    } catch (...) {
      // Building the error failed (out of memory): nothing left to report it with.
    }
  }

  /// The id observers see for call `index` of `bucket` (unique among the calls of the
  /// timer's last 2^32 buckets).
  static std::uint64_t call_event_id(const Bucket& bucket, std::uint32_t index) noexcept {
    return (std::uint64_t{bucket.serial} << 32 | index) + 1;
  }

  /// Tells the loop's observers about one of this timer's events.
  void notify_loop(Event event) const noexcept {
    if (event.source == EventSource::loop) event.source = event.id == 0 ? EventSource::bucket_timer : EventSource::batched_call;
    event.batched = reinterpret_cast<std::uintptr_t>(this);
    event.settings = BatchedSettings{nanoseconds(bucket_ns_), static_cast<std::int64_t>(chunk_size_),
                                     rounding_ == BatchRounding::never_early};
    loop_->notify(event);
  }

  void notify_call(EventKind kind, const Bucket& bucket, std::uint32_t index, nanoseconds due) const noexcept {
    notify_loop(Event{kind, loop_->now(), due, call_event_id(bucket, index), {}});
  }

  /// The `error` event of the exception being handled, raised by call `id`.
  void notify_call_error(nanoseconds key, std::uint64_t id) const noexcept {
    try {
      const std::string message = current_exception_text();
      notify_loop(Event{EventKind::error, loop_->now(), key, id, message});
    } catch (...) {
      // Out of memory for the message: the error is still collected for the BatchError.
    }
  }

  /// Tells the loop's observers about a step of one of this timer's own loop timers, the one
  /// of chunk `chunk` of `bucket`: scheduled, fired or cancelled (see `txaio::Event`).
  void notify_bucket_timer(EventKind kind, const DelayedCall& timer, const Bucket& bucket,
                           std::uint32_t chunk) const noexcept {
    if (!loop_->observed()) return;
    Event event{kind, loop_->now(), timer.when(), timer.id(), {}, EventSource::bucket_timer};
    event.bucket = BucketInfo{nanoseconds(bucket.key), chunk, bucket.chunks, bucket.live};
    notify_loop(event);
  }

  Loop* loop_;
  std::int64_t bucket_ns_;
  std::uint64_t chunk_size_;
  BatchRounding rounding_;
  bool closed_ = false;

  std::deque<Bucket> buckets_;
  std::uint32_t free_bucket_ = no_slot;
  BucketMap waiting_;
  std::int64_t cached_key_ = no_key;  // the last bucket call_later used, while it waits
  std::uint32_t cached_bucket_ = no_slot;

  std::uint32_t next_serial_ = 0;  // wraps after 2^32 buckets
  std::size_t pending_ = 0;
  std::size_t chunking_ = 0;
  std::size_t timers_ = 0;  // loop timers pending
};

}  // namespace detail

void BatchedCall::cancel() noexcept {
  if (timer_ != nullptr) timer_->cancel(bucket_, gen_, index_);
}

bool BatchedCall::active() const noexcept { return timer_ != nullptr && timer_->active(bucket_, gen_, index_); }

BatchedTimer::BatchedTimer(Loop& loop, nanoseconds bucket, std::int64_t chunk_size, BatchRounding rounding) {
  if (bucket < std::chrono::milliseconds(1)) {
    throw std::invalid_argument(
        fmt::format("make_batched_timer: bucket must be at least 1 ms, got {} ns", bucket.count()));
  }
  if (chunk_size < 1) {
    throw std::invalid_argument(fmt::format("make_batched_timer: chunk_size must be at least 1, got {}", chunk_size));
  }
  impl_ = std::make_shared<detail::BatchedTimerImpl>(loop, bucket.count(), chunk_size, rounding);
}

BatchedTimer::BatchedTimer(BatchedTimer&& other) noexcept = default;

BatchedTimer& BatchedTimer::operator=(BatchedTimer&& other) noexcept {
  if (this != &other) {
    if (impl_) impl_->close();
    impl_ = std::move(other.impl_);
  }
  return *this;
}

BatchedTimer::~BatchedTimer() {
  if (impl_) impl_->close();
}

BatchedCall BatchedTimer::schedule(nanoseconds delay, Callback fn) { return impl_->schedule(delay, std::move(fn)); }

Loop& BatchedTimer::loop() const noexcept { return impl_->loop(); }
nanoseconds BatchedTimer::bucket() const noexcept { return nanoseconds(impl_->bucket_ns()); }
std::int64_t BatchedTimer::chunk_size() const noexcept { return impl_->chunk_size(); }
BatchRounding BatchedTimer::rounding() const noexcept { return impl_->rounding(); }
nanoseconds BatchedTimer::key_for(nanoseconds due) const noexcept { return nanoseconds(impl_->key_for(due.count())); }
std::size_t BatchedTimer::pending_count() const noexcept { return impl_->pending_count(); }
std::size_t BatchedTimer::waiting_buckets() const noexcept { return impl_->waiting_buckets(); }
std::size_t BatchedTimer::chunking_buckets() const noexcept { return impl_->chunking_buckets(); }
std::size_t BatchedTimer::underlying_timers() const noexcept { return impl_->underlying_timers(); }
std::uint64_t BatchedTimer::id() const noexcept { return reinterpret_cast<std::uintptr_t>(impl_.get()); }

void detail::skip_bucket_generations(BatchedTimer& timer, std::uint64_t n) noexcept {
  timer.impl_->skip_generations(n);
}

std::size_t detail::batched_bytes_reserved(const BatchedTimer& timer) noexcept { return timer.impl_->bytes_reserved(); }

}  // namespace txaio
