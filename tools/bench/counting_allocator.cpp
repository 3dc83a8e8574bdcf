#include "counting_allocator.hpp"

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace txaio::bench {
namespace {

std::atomic<int> counting_depth{0};
std::atomic<std::uint64_t> allocations{0};
std::atomic<std::uint64_t> frees{0};
std::atomic<std::uint64_t> bytes_allocated{0};
std::atomic<std::uint64_t> bytes_freed{0};

void note_alloc(void* p) noexcept {
  if (counting_depth.load(std::memory_order_relaxed) == 0) return;
  allocations.fetch_add(1, std::memory_order_relaxed);
  bytes_allocated.fetch_add(malloc_usable_size(p), std::memory_order_relaxed);
}

void note_free(void* p) noexcept {
  if (counting_depth.load(std::memory_order_relaxed) == 0) return;
  frees.fetch_add(1, std::memory_order_relaxed);
  bytes_freed.fetch_add(malloc_usable_size(p), std::memory_order_relaxed);
}

void* allocate(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  note_alloc(p);
  return p;
}

void* allocate_aligned(std::size_t size, std::align_val_t align) {
  const auto a = static_cast<std::size_t>(align);
  // aligned_alloc wants a multiple of the alignment.
  const std::size_t rounded = (size + a - 1) / a * a;
  void* p = std::aligned_alloc(a, rounded == 0 ? a : rounded);
  if (p == nullptr) throw std::bad_alloc();
  note_alloc(p);
  return p;
}

void release(void* p) noexcept {
  if (p == nullptr) return;
  note_free(p);
  std::free(p);
}

}  // namespace

AllocStats alloc_stats() noexcept {
  AllocStats s;
  s.allocations = allocations.load(std::memory_order_relaxed);
  s.frees = frees.load(std::memory_order_relaxed);
  s.bytes_allocated = bytes_allocated.load(std::memory_order_relaxed);
  s.live_bytes = static_cast<std::int64_t>(s.bytes_allocated - bytes_freed.load(std::memory_order_relaxed));
  return s;
}

CountingScope::CountingScope() noexcept { counting_depth.fetch_add(1, std::memory_order_relaxed); }
CountingScope::~CountingScope() { counting_depth.fetch_sub(1, std::memory_order_relaxed); }

}  // namespace txaio::bench

// The replaced global allocation functions ([new.delete]): every form routes to the
// counting malloc/free above.
void* operator new(std::size_t size) { return txaio::bench::allocate(size); }
void* operator new[](std::size_t size) { return txaio::bench::allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return txaio::bench::allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return txaio::bench::allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t align) { return txaio::bench::allocate_aligned(size, align); }
void* operator new[](std::size_t size, std::align_val_t align) { return txaio::bench::allocate_aligned(size, align); }
void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  try {
    return txaio::bench::allocate_aligned(size, align);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  try {
    return txaio::bench::allocate_aligned(size, align);
  } catch (...) {
    return nullptr;
  }
}

void operator delete(void* p) noexcept { txaio::bench::release(p); }
void operator delete[](void* p) noexcept { txaio::bench::release(p); }
void operator delete(void* p, std::size_t) noexcept { txaio::bench::release(p); }
void operator delete[](void* p, std::size_t) noexcept { txaio::bench::release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { txaio::bench::release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { txaio::bench::release(p); }
void operator delete(void* p, std::align_val_t) noexcept { txaio::bench::release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { txaio::bench::release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { txaio::bench::release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { txaio::bench::release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { txaio::bench::release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { txaio::bench::release(p); }
