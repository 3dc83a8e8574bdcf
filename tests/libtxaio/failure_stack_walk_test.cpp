// Creating a failure walks at most the frames it keeps, however deep the stack: counted by
// wrapping the unwinder's _Unwind_Backtrace, through which Boost.Stacktrace collects frames.
// Its own executable, so the wrapper is seen by no other test.
#include "txaio/failure.hpp"

#include <gtest/gtest.h>

#include <dlfcn.h>
#include <unwind.h>

#include <atomic>
#include <cstddef>
#include <stdexcept>

namespace {

std::atomic<std::size_t> g_frames_walked{0};

struct Counting {
  _Unwind_Trace_Fn fn;
  void* arg;
};

_Unwind_Reason_Code count_frame(_Unwind_Context* context, void* arg) {
  auto* counting = static_cast<Counting*>(arg);
  g_frames_walked.fetch_add(1, std::memory_order_relaxed);
  return counting->fn(context, counting->arg);
}

}  // namespace

extern "C" _Unwind_Reason_Code _Unwind_Backtrace(_Unwind_Trace_Fn fn, void* arg) {
  using Real = _Unwind_Reason_Code (*)(_Unwind_Trace_Fn, void*);
  static const Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "_Unwind_Backtrace"));
  if (real == nullptr) return _URC_FATAL_PHASE1_ERROR;
  Counting counting{fn, arg};
  return real(count_frame, &counting);
}

namespace {

constexpr std::size_t kept_frames = 64;  // failure.cpp's bound

struct Walk {
  std::size_t frames_walked;
  std::size_t frames_kept;
};

// Recurses `depth` frames, then creates a failure there.
[[gnu::noinline]] Walk create_failure_at(int depth) {
  if (depth > 0) {
    const Walk walk = create_failure_at(depth - 1);
    asm volatile("" ::: "memory");  // work after the call: no tail call, the frame stays
    return walk;
  }
  const std::size_t before = g_frames_walked.load();
  const txaio::Failure failure = txaio::create_failure(std::runtime_error("deep"));
  return Walk{g_frames_walked.load() - before, failure.frame_count()};
}

TEST(FailureStackWalk, ADeepStackIsWalkedOnlyAsFarAsTheFramesKept) {
  const Walk walk = create_failure_at(2000);
  EXPECT_EQ(walk.frames_kept, kept_frames);
  ASSERT_GT(walk.frames_walked, 0u) << "the unwinder was not called through the wrapper";
  // The kept frames, plus the few of txaio's and Boost's own that are skipped.
  EXPECT_LE(walk.frames_walked, kept_frames + 16) << "the whole stack was walked";
}

}  // namespace
