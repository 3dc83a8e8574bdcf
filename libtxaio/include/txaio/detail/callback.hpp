#pragma once
/// Move-only `void()` callable with a small inline buffer, used for every queued callback.

#include <cstddef>
#include <cstring>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

namespace txaio::detail {

/// A move-only type-erased `void()` callable. Callables of at most 16 bytes that are
/// nothrow-movable are stored inline; larger ones on the heap.
class Callback {
public:
  static constexpr std::size_t inline_size = 16;

  Callback() noexcept = default;
  Callback(std::nullptr_t) noexcept {}

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, Callback> && std::is_invocable_v<D&>>>
  Callback(F&& f) {  // NOLINT(google-explicit-constructor): implicit like std::function
    if constexpr (fits_inline<D>) {
      ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
      if constexpr (std::is_trivially_copyable_v<D>) {
        ops_ = &trivial_ops<D>;
      } else {
        ops_ = &inline_ops<D>;
      }
    } else {
      *reinterpret_cast<D**>(storage_) = new D(std::forward<F>(f));
      ops_ = &heap_ops<D>;
    }
  }

  Callback(Callback&& other) noexcept : ops_(other.ops_) {
    if (ops_ != nullptr) {
      relocate(other.storage_, storage_);
      other.ops_ = nullptr;
    }
  }

  Callback& operator=(Callback&& other) noexcept {
    if (this != &other) {
      reset();
      ops_ = other.ops_;
      if (ops_ != nullptr) {
        relocate(other.storage_, storage_);
        other.ops_ = nullptr;
      }
    }
    return *this;
  }

  Callback(const Callback&) = delete;
  Callback& operator=(const Callback&) = delete;
  ~Callback() { reset(); }

  explicit operator bool() const noexcept { return ops_ != nullptr; }

  /// Calls the stored callable. Precondition: not empty.
  void operator()() { ops_->call(storage_); }

  void reset() noexcept {
    if (ops_ != nullptr) {
      if (ops_->destroy != nullptr) ops_->destroy(storage_);
      ops_ = nullptr;
    }
  }

private:
  /// `move` and `destroy` are null for trivially copyable callables stored inline: they are
  /// moved by copying the buffer and need no destruction (no indirect calls).
  struct Ops {
    void (*call)(void*);
    void (*move)(void* from, void* to) noexcept;
    void (*destroy)(void*) noexcept;
  };

  void relocate(unsigned char* from, unsigned char* to) noexcept {
    if (ops_->move != nullptr) {
      ops_->move(from, to);
    } else {
      std::memcpy(to, from, inline_size);
    }
  }

  template <class D>
  static constexpr bool fits_inline = sizeof(D) <= inline_size && alignof(D) <= alignof(void*) &&
                                      std::is_nothrow_move_constructible_v<D>;

  template <class D>
  static constexpr Ops trivial_ops{[](void* p) { (*std::launder(static_cast<D*>(p)))(); }, nullptr, nullptr};

  template <class D>
  static constexpr Ops inline_ops{
      [](void* p) { (*std::launder(static_cast<D*>(p)))(); },
      [](void* from, void* to) noexcept {
        D* src = std::launder(static_cast<D*>(from));
        ::new (to) D(std::move(*src));
        src->~D();
      },
      [](void* p) noexcept { std::launder(static_cast<D*>(p))->~D(); },
  };

  template <class D>
  static constexpr Ops heap_ops{
      [](void* p) { (**static_cast<D**>(p))(); },
      [](void* from, void* to) noexcept { *static_cast<D**>(to) = *static_cast<D**>(from); },
      [](void* p) noexcept { delete *static_cast<D**>(p); },
  };

  const Ops* ops_ = nullptr;
  alignas(void*) unsigned char storage_[inline_size];
};

/// A `Callback` running `fn(args...)`, with `fn` and the arguments stored by value
/// (txaio's `call_later(delay, fun, *args)`).
template <class F, class... Args>
Callback bind_callback(F&& fn, Args&&... args) {
  if constexpr (sizeof...(Args) == 0) {
    return Callback(std::forward<F>(fn));
  } else {
    return Callback([f = std::forward<F>(fn), tup = std::make_tuple(std::forward<Args>(args)...)]() mutable {
      std::apply(f, tup);
    });
  }
}

}  // namespace txaio::detail

namespace txaio {
/// The move-only callable type loops queue.
using Callback = detail::Callback;
}  // namespace txaio
