#pragma once
/// `txaio::gather`: one future for many (txaio's `gather`, asyncio's `gather`, Twisted's
/// `DeferredList`).
///
///     std::vector<txaio::Future<int>> parts = {a, b, c};
///     txaio::add_callbacks(txaio::gather(parts), [](const std::vector<txaio::Outcome<int>>& all) {
///       for (const auto& o : all) o ? use(o.value()) : log(o.failure());
///     });
///
/// Contract:
/// - Results are in input order, whatever the completion order.
/// - `gather(futures)` (txaio's `consume_exceptions=True`) resolves once every input settled,
///   each slot an `Outcome`: the value or the `Failure` (cancelled inputs: `CancelledError`).
///   It is never rejected by its inputs.
/// - `gather(futures, txaio::propagate_errors)` resolves with the values once every input
///   resolved, or is rejected with the first failure as soon as it happens (fail fast). The
///   other inputs keep running; their later failures are handled (never reported).
/// - `gather(fa, fb, ...)` is the consuming form over futures of different types: a tuple of
///   outcomes.
/// - An empty input resolves at once.
/// - Cancelling the gathered future cancels exactly the inputs still pending (with the same
///   message) and leaves the gathered future cancelled, in both dispatch policies.
/// - The gathered future keeps itself alive while inputs are pending, so callbacks added to it
///   run even if its handle is dropped.

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "txaio/config.hpp"
#include "txaio/errors.hpp"
#include "txaio/failure.hpp"
#include "txaio/future.hpp"

namespace txaio {

/// A settled future's result: its value (`Unit` for `void`) or its `Failure`.
template <class T>
class Outcome {
public:
  using value_type = value_or_unit_t<T>;

  Outcome(value_type value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Outcome(Failure failure) : v_(std::in_place_index<1>, std::move(failure)) {}  // NOLINT: implicit

  bool has_value() const noexcept { return v_.index() == 0; }
  bool has_failure() const noexcept { return v_.index() == 1; }
  explicit operator bool() const noexcept { return has_value(); }

  /// The value; throws the failure's exception when the outcome is a failure.
  const value_type& value() const& {
    if (has_failure()) std::get<1>(v_).rethrow();
    return std::get<0>(v_);
  }
  value_type&& value() && {
    if (has_failure()) std::get<1>(v_).rethrow();
    return std::get<0>(std::move(v_));
  }
  /// The failure; `UsageError` when the outcome is a value.
  const Failure& failure() const {
    if (!has_failure()) throw UsageError("txaio::Outcome::failure(): the outcome holds a value, not a failure");
    return std::get<1>(v_);
  }

private:
  std::variant<value_type, Failure> v_;
};

/// Tag selecting fail-fast `gather`.
struct propagate_errors_t {
  explicit propagate_errors_t() = default;
};
/// `gather(futures, txaio::propagate_errors)`: reject with the first failure.
inline constexpr propagate_errors_t propagate_errors{};

namespace detail {

/// Cancels the inputs still pending; `inputs` entries are cleared as inputs complete.
void cancel_pending_inputs(std::span<FutureStateBase*> inputs, std::string_view message);
/// "from gather of N futures (k pending)".
std::string gather_origin(std::span<FutureStateBase* const> inputs);
[[noreturn]] void throw_empty_gather_input(std::size_t index);

template <class T, bool Propagate>
using gather_vector_result_t =
    std::conditional_t<Propagate, std::vector<value_or_unit_t<T>>, std::vector<Outcome<T>>>;

/// The gathered future of the vector forms.
template <class T, bool Propagate>
class GatherVectorState final : public FutureState<gather_vector_result_t<T, Propagate>> {
  using Result = gather_vector_result_t<T, Propagate>;
  using Slot = std::conditional_t<Propagate, value_or_unit_t<T>, Outcome<T>>;

public:
  GatherVectorState(Loop& loop, std::size_t n) : FutureState<Result>(loop), inputs_(n, nullptr), slots_(n), remaining_(n) {}

  /// Input `i` settled.
  void complete(std::size_t i, FutureStateBase& base) {
    inputs_[i] = nullptr;
    if (this->settled() || this->cancelling()) return;
    auto& input = static_cast<FutureState<T>&>(base);
    if (input.status() == FutureStatus::resolved) {
      slots_[i].emplace(input.value());
    } else if constexpr (Propagate) {
      this->settle_failure(input.failure());
      return;
    } else {
      slots_[i].emplace(input.failure());
    }
    if (--remaining_ == 0) finish();
  }

  void finish() {
    Result out;
    out.reserve(slots_.size());
    for (std::optional<Slot>& s : slots_) out.push_back(std::move(*s));
    slots_.clear();
    this->resolve("gather", std::move(out));
  }

  /// Raw pointers to the inputs still pending; cleared when an input's slot continuation runs
  /// or is destroyed, so a non-null entry always points to a live state.
  std::vector<FutureStateBase*> inputs_;

protected:
  void on_cancel(std::string_view message) override { cancel_pending_inputs(inputs_, message); }
  std::string origin() const override { return gather_origin(inputs_); }

private:
  std::vector<std::optional<Slot>> slots_;
  std::size_t remaining_;
};

/// The continuation a vector gather adds to input `index`.
template <class G>
struct GatherSlot {
  StateRef<G> gather;
  std::size_t index;

  GatherSlot(StateRef<G> g, std::size_t i) noexcept : gather(std::move(g)), index(i) {}
  GatherSlot(GatherSlot&&) noexcept = default;
  GatherSlot& operator=(GatherSlot&&) = delete;
  ~GatherSlot() {
    if (gather) gather->inputs_[index] = nullptr;  // the input went away without settling
  }
  void operator()(FutureStateBase& input) {
    StateRef<G> g = std::move(gather);
    g->complete(index, input);
  }
};

template <class T, bool Propagate>
Future<gather_vector_result_t<T, Propagate>> gather_vector_on(Loop& loop, const std::vector<Future<T>>& futures) {
  using G = GatherVectorState<T, Propagate>;
  using Result = gather_vector_result_t<T, Propagate>;
  for (std::size_t i = 0; i < futures.size(); ++i) {
    if (!futures[i].valid()) throw_empty_gather_input(i);
  }
  auto g = StateRef<G>::adopt(new G(loop, futures.size()));
  if (futures.empty()) {
    g->finish();
  } else {
    for (std::size_t i = 0; i < futures.size(); ++i) {
      FutureState<T>& input = *FutureAccess::state(futures[i]);
      g->inputs_[i] = &input;
      input.add_continuation(Continuation(GatherSlot<G>(g, i)), true);
    }
  }
  return FutureAccess::make(StateRef<FutureState<Result>>(std::move(g)));
}

/// The gathered future of the variadic form.
template <class... Ts>
class GatherTupleState final : public FutureState<std::tuple<Outcome<Ts>...>> {
  using Result = std::tuple<Outcome<Ts>...>;

public:
  explicit GatherTupleState(Loop& loop) : FutureState<Result>(loop) { inputs_.fill(nullptr); }

  template <std::size_t I>
  void complete(FutureStateBase& base) {
    inputs_[I] = nullptr;
    if (this->settled() || this->cancelling()) return;
    using T = std::tuple_element_t<I, std::tuple<Ts...>>;
    auto& input = static_cast<FutureState<T>&>(base);
    if (input.status() == FutureStatus::resolved) {
      std::get<I>(slots_).emplace(input.value());
    } else {
      std::get<I>(slots_).emplace(input.failure());
    }
    if (--remaining_ == 0) {
      this->resolve("gather", std::apply([](auto&... s) { return Result(std::move(*s)...); }, slots_));
    }
  }

  std::array<FutureStateBase*, sizeof...(Ts)> inputs_;

protected:
  void on_cancel(std::string_view message) override { cancel_pending_inputs(inputs_, message); }
  std::string origin() const override { return gather_origin(inputs_); }

private:
  std::tuple<std::optional<Outcome<Ts>>...> slots_;
  std::size_t remaining_ = sizeof...(Ts);
};

template <class G, std::size_t I>
struct GatherTupleSlot {
  StateRef<G> gather;

  explicit GatherTupleSlot(StateRef<G> g) noexcept : gather(std::move(g)) {}
  GatherTupleSlot(GatherTupleSlot&&) noexcept = default;
  GatherTupleSlot& operator=(GatherTupleSlot&&) = delete;
  ~GatherTupleSlot() {
    if (gather) gather->inputs_[I] = nullptr;
  }
  void operator()(FutureStateBase& input) {
    StateRef<G> g = std::move(gather);
    g->template complete<I>(input);
  }
};

template <class... Ts>
Future<std::tuple<Outcome<Ts>...>> gather_tuple_on(Loop& loop, const Future<Ts>&... futures) {
  using G = GatherTupleState<Ts...>;
  using Result = std::tuple<Outcome<Ts>...>;
  {
    std::size_t i = 0;
    ((futures.valid() ? void(++i) : throw_empty_gather_input(i)), ...);
  }
  auto g = StateRef<G>::adopt(new G(loop));
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((g->inputs_[I] = FutureAccess::state(futures),
      FutureAccess::state(futures)->add_continuation(Continuation(GatherTupleSlot<G, I>(g)), true)),
     ...);
  }(std::index_sequence_for<Ts...>{});
  return FutureAccess::make(StateRef<FutureState<Result>>(std::move(g)));
}

}  // namespace detail

/// Waits for every future in `futures`: a vector of outcomes in input order (see above).
template <class T>
Future<std::vector<Outcome<T>>> gather(const std::vector<Future<T>>& futures) {
  return detail::gather_vector_on<T, false>(default_loop(), futures);
}

/// Fail-fast `gather`: the values in input order, or the first failure.
template <class T>
Future<std::vector<value_or_unit_t<T>>> gather(const std::vector<Future<T>>& futures, propagate_errors_t) {
  return detail::gather_vector_on<T, true>(default_loop(), futures);
}

/// Waits for futures of different types: a tuple of outcomes in argument order.
template <class A, class... Rest>
Future<std::tuple<Outcome<A>, Outcome<Rest>...>> gather(const Future<A>& first, const Future<Rest>&... rest) {
  return detail::gather_tuple_on(default_loop(), first, rest...);
}

}  // namespace txaio
