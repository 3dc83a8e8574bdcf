#pragma once
/// Which loop is dispatching callbacks on this thread. Loops set it around the callbacks they
/// run; the logger reads it to timestamp lines with that loop's `wall_now()`.

namespace txaio {
class Loop;
}

namespace txaio::detail {

inline thread_local Loop* t_current_loop = nullptr;

/// The loop running callbacks on this thread, or nullptr outside any loop's dispatch.
inline Loop* current_loop() noexcept { return t_current_loop; }

/// Marks `loop` as dispatching on this thread while the scope lives; scopes nest.
class DispatchScope {
public:
  explicit DispatchScope(Loop* loop) noexcept : previous_(t_current_loop) { t_current_loop = loop; }
  ~DispatchScope() { t_current_loop = previous_; }
  DispatchScope(const DispatchScope&) = delete;
  DispatchScope& operator=(const DispatchScope&) = delete;

private:
  Loop* previous_;
};

}  // namespace txaio::detail
