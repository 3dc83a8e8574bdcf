#include "txaio/detail/timer_queue.hpp"

#include <algorithm>
#include <stdexcept>

namespace txaio::detail {
namespace {
// std::*_heap build a max-heap; invert the order to get the earliest at the front.
struct Later {
  bool operator()(const TimerQueue::Entry& a, const TimerQueue::Entry& b) const noexcept {
    return runs_before(b, a);
  }
};
}  // namespace

TimerQueue::TimerQueue() = default;
TimerQueue::~TimerQueue() = default;

std::uint32_t TimerQueue::push(std::int64_t due, std::uint64_t tie, Callback fn, std::uint32_t& gen) {
  std::uint32_t slot = free_;
  if (slot == no_slot) {
    if (size_ >= no_slot) throw std::length_error("txaio: too many pending timers");
    if ((size_ & (chunk_size - 1)) == 0) chunks_.push_back(std::make_unique<Node[]>(chunk_size));
    slot = size_++;
  } else {
    free_ = node(slot).next_free;
  }
  heap_.push_back(Entry{due, tie, slot, node(slot).gen});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
  Node& n = node(slot);
  n.fn = std::move(fn);
  n.live = 1;
  gen = n.gen;
  ++live_;
  return slot;
}

void TimerQueue::release(std::uint32_t slot) noexcept {
  Node& n = node(slot);
  n.live = 0;
  ++n.gen;
  n.next_free = free_;
  free_ = slot;
  --live_;
}

bool TimerQueue::cancel(std::uint32_t slot, std::uint32_t gen) noexcept {
  if (!active(slot, gen)) return false;
  // The heap entry stays behind and is skipped by top(); its generation no longer matches.
  Callback dead = std::move(node(slot).fn);
  release(slot);
  // Compact when cancelled entries dominate, so memory stays proportional to live timers.
  if (heap_.size() > 64 && heap_.size() > 2 * live_ + 32) {
    std::erase_if(heap_, [this](const Entry& e) { return node(e.slot).gen != e.gen; });
    std::make_heap(heap_.begin(), heap_.end(), Later{});
  }
  return true;  // `dead` (the callable) is destroyed here, after the queue is consistent
}

void TimerQueue::pop_heap_top() noexcept {
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  heap_.pop_back();
}

const TimerQueue::Entry* TimerQueue::top() noexcept {
  while (!heap_.empty()) {
    const Entry& e = heap_.front();
    if (node(e.slot).gen == e.gen) return &e;
    pop_heap_top();
  }
  return nullptr;
}

Callback TimerQueue::pop() noexcept {
  const std::uint32_t slot = heap_.front().slot;
  pop_heap_top();
  Callback fn = std::move(node(slot).fn);
  release(slot);
  return fn;
}

std::vector<TimerQueue::Entry> TimerQueue::snapshot() const {
  std::vector<Entry> out;
  out.reserve(live_);
  for (const Entry& e : heap_) {
    if (node(e.slot).gen == e.gen) out.push_back(e);
  }
  std::sort(out.begin(), out.end(), runs_before);
  return out;
}

std::size_t TimerQueue::bytes_reserved() const noexcept {
  return chunks_.size() * chunk_size * sizeof(Node) + heap_.capacity() * sizeof(Entry) +
         chunks_.capacity() * sizeof(chunks_[0]);
}

}  // namespace txaio::detail
