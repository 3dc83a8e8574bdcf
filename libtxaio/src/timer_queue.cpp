#include "txaio/detail/timer_queue.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace txaio::detail {
namespace {
// Buckets this small go to the bucket-0 heap whole instead of being split further.
constexpr std::size_t small_bucket = 32;
// Up to this many entries the queue stays one binary heap (bucket 0): the radix buckets pay
// off only when the heap outgrows the caches.
constexpr std::size_t small_heap = 2048;

// Makes room for `extra` more entries, growing geometrically (reserve alone grows exactly).
void make_room(std::vector<TimerQueue::Entry>& v, std::size_t extra) {
  if (v.size() + extra > v.capacity()) v.reserve(std::max(v.size() + extra, 2 * v.capacity()));
}

// std::*_heap build a max-heap; invert the order to get the earliest at the front.
struct Later {
  bool operator()(const TimerQueue::Entry& a, const TimerQueue::Entry& b) const noexcept {
    return runs_before(b, a);
  }
};
}  // namespace

TimerQueue::TimerQueue() = default;
TimerQueue::~TimerQueue() = default;

std::size_t TimerQueue::bucket_of(std::uint64_t key) const noexcept {
  if (key <= last_key_) return 0;
  return static_cast<std::size_t>(64 - std::countl_zero(key ^ last_key_));
}

std::uint32_t TimerQueue::push(std::int64_t due, std::uint64_t tie, Callback fn, std::uint64_t& gen) {
  // Everything that can throw comes before the queue changes.
  if (entries_ == 0) heap_mode_ = true;
  if (heap_mode_ && entries_ >= small_heap) to_radix();
  const std::size_t b = heap_mode_ ? 0 : bucket_of(order_key(due));
  std::vector<Entry>& bucket = buckets_[b];
  make_room(bucket, 1);
  std::uint32_t slot = free_;
  if (slot == no_slot) {
    if (size_ >= no_slot) throw std::length_error("txaio: too many pending timers");
    if ((size_ & (chunk_size - 1)) == 0) chunks_.push_back(std::make_unique<Node[]>(chunk_size));
    slot = size_++;
  } else {
    free_ = static_cast<std::uint32_t>(node(slot).word & ~free_tag);
  }
  const std::uint64_t fresh = next_gen_++;
  bucket.push_back(Entry{due, tie, fresh, slot});
  if (b == 0) {
    std::push_heap(bucket.begin(), bucket.end(), Later{});
  } else {
    occupied_ |= std::uint64_t{1} << (b - 1);
  }
  ++entries_;
  Node& n = node(slot);
  n.fn = std::move(fn);
  n.word = fresh;
  gen = fresh;
  ++live_;
  return slot;
}

// The heap outgrew `small_heap`: its minimum becomes the last key and every entry above it
// moves to its radix bucket.
void TimerQueue::to_radix() {
  std::vector<Entry>& first = buckets_[0];
  const std::uint64_t previous = last_key_;
  last_key_ = order_key(first.front().due);
  std::array<std::size_t, 65> counts{};
  for (const Entry& e : first) ++counts[bucket_of(order_key(e.due))];
  try {
    for (std::size_t b = 1; b < counts.size(); ++b) {
      if (counts[b] != 0) make_room(buckets_[b], counts[b]);
    }
  } catch (...) {
    last_key_ = previous;  // still one heap; push reports the failure
    throw;
  }
  std::size_t kept = 0;
  for (const Entry& e : first) {
    const std::size_t b = bucket_of(order_key(e.due));
    if (b == 0) {
      first[kept++] = e;
    } else {
      buckets_[b].push_back(e);
      occupied_ |= std::uint64_t{1} << (b - 1);
    }
  }
  first.resize(kept);
  std::make_heap(first.begin(), first.end(), Later{});
  heap_mode_ = false;
}

void TimerQueue::release(std::uint32_t slot) noexcept {
  Node& n = node(slot);
  n.word = free_tag | free_;
  free_ = slot;
  --live_;
}

void TimerQueue::compact() noexcept {
  occupied_ = 0;
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    std::erase_if(buckets_[b], [this](const Entry& e) { return !alive(e); });
    if (b != 0 && !buckets_[b].empty()) occupied_ |= std::uint64_t{1} << (b - 1);
  }
  std::make_heap(buckets_[0].begin(), buckets_[0].end(), Later{});
  entries_ = live_;
}

bool TimerQueue::cancel(std::uint32_t slot, std::uint64_t gen) noexcept {
  if (!active(slot, gen)) return false;
  // The entry stays behind and is skipped later; its generation no longer matches.
  Callback dead = std::move(node(slot).fn);
  release(slot);
  // Compact when cancelled entries dominate, so memory stays proportional to live timers.
  if (entries_ > 64 && entries_ > 2 * live_ + 32) compact();
  return true;  // `dead` (the callable) is destroyed here, after the queue is consistent
}

// Bucket 0 is empty: moves the lowest non-empty bucket's entries down, around its minimum.
// Returns false when no entry is left.
bool TimerQueue::refill() noexcept {
  std::vector<Entry>& first = buckets_[0];  // empty here
  while (occupied_ != 0) {
    const auto b = static_cast<std::size_t>(std::countr_zero(occupied_)) + 1;  // the lowest non-empty
    occupied_ &= occupied_ - 1;  // it is emptied below, whatever happens
    std::vector<Entry>& bucket = buckets_[b];
    std::uint64_t least = ~std::uint64_t{0};
    std::uint64_t most = 0;
    std::size_t kept = 0;
    for (const Entry& e : bucket) {
      if (!alive(e)) continue;
      bucket[kept++] = e;
      least = std::min(least, order_key(e.due));
      most = std::max(most, order_key(e.due));
    }
    entries_ -= bucket.size() - kept;
    bucket.resize(kept);
    if (kept == 0) continue;
    if (kept > small_bucket && split(bucket, least)) return true;
    // A few entries (or no memory to split them): they are the earliest of all, so they
    // become the bucket-0 heap whole, with the last key raised to their maximum. Every other
    // bucket keeps its index: the maximum shares the minimum's bits above bit b - 1.
    last_key_ = most;
    first.swap(bucket);
    std::make_heap(first.begin(), first.end(), Later{});
    return true;
  }
  return false;
}

// Moves `bucket`'s entries (all alive, minimum key `least`) to the buckets below it, around
// `least`. Reserves first, so it either moves everything or, out of memory, nothing.
bool TimerQueue::split(std::vector<Entry>& bucket, std::uint64_t least) noexcept {
  const std::uint64_t previous = last_key_;
  last_key_ = least;
  std::array<std::size_t, 65> counts{};
  for (const Entry& e : bucket) ++counts[bucket_of(order_key(e.due))];
  try {
    for (std::size_t b = 0; b < counts.size(); ++b) {
      if (counts[b] != 0) make_room(buckets_[b], counts[b]);
    }
  } catch (...) {
    last_key_ = previous;
    return false;
  }
  for (std::size_t b = 1; b < counts.size(); ++b) {
    if (counts[b] != 0) occupied_ |= std::uint64_t{1} << (b - 1);
  }
  for (const Entry& e : bucket) buckets_[bucket_of(order_key(e.due))].push_back(e);
  bucket.clear();
  std::make_heap(buckets_[0].begin(), buckets_[0].end(), Later{});
  return true;
}

const TimerQueue::Entry* TimerQueue::top() noexcept {
  for (;;) {
    std::vector<Entry>& first = buckets_[0];
    while (!first.empty()) {
      const Entry& e = first.front();
      if (alive(e)) return &e;
      std::pop_heap(first.begin(), first.end(), Later{});
      first.pop_back();
      --entries_;
    }
    if (!refill()) return nullptr;
  }
}

Callback TimerQueue::pop() noexcept {
  std::vector<Entry>& first = buckets_[0];
  const std::uint32_t slot = first.front().slot;
  std::pop_heap(first.begin(), first.end(), Later{});
  first.pop_back();
  --entries_;
  Callback fn = std::move(node(slot).fn);
  release(slot);
  return fn;
}

std::vector<TimerQueue::Entry> TimerQueue::snapshot() const {
  std::vector<Entry> out;
  out.reserve(live_);
  for (const std::vector<Entry>& bucket : buckets_) {
    for (const Entry& e : bucket) {
      if (alive(e)) out.push_back(e);
    }
  }
  std::sort(out.begin(), out.end(), runs_before);
  return out;
}

std::size_t TimerQueue::bytes_reserved() const noexcept {
  std::size_t bytes = chunks_.size() * chunk_size * sizeof(Node) + chunks_.capacity() * sizeof(chunks_[0]);
  for (const std::vector<Entry>& bucket : buckets_) bytes += bucket.capacity() * sizeof(Entry);
  return bytes;
}

}  // namespace txaio::detail
