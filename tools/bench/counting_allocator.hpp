#pragma once
/// A counting global allocator: txaio-bench replaces the global `operator new` / `operator
/// delete` family so benchmarks can measure what they allocate. Counting is off (a relaxed
/// load per call) until a `CountingScope` turns it on.

#include <cstdint>

namespace txaio::bench {

/// What the global allocator did while counting was on.
struct AllocStats {
  std::uint64_t allocations = 0;  ///< calls of operator new (every form)
  std::uint64_t frees = 0;        ///< calls of operator delete with a non-null pointer
  std::uint64_t bytes_allocated = 0;  ///< usable bytes handed out (malloc_usable_size)
  std::int64_t live_bytes = 0;        ///< bytes_allocated minus the bytes freed
};

/// The totals since the program started (only what happened while counting was on).
AllocStats alloc_stats() noexcept;

/// Turns counting on for its lifetime (nests).
class CountingScope {
public:
  CountingScope() noexcept;
  ~CountingScope();
  CountingScope(const CountingScope&) = delete;
  CountingScope& operator=(const CountingScope&) = delete;
};

}  // namespace txaio::bench
