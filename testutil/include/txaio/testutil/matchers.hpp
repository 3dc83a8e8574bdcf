#pragma once
/// GoogleTest matchers for futures: pending, resolved (with a value), rejected (with an
/// exception type and message), cancelled. They inspect the future synchronously; run the
/// loop first (`loop.advance(0)`) when the result comes from queued work.
///
///     EXPECT_THAT(f, txaio::testutil::is_pending());
///     EXPECT_THAT(f, txaio::testutil::resolved_with(42));
///     EXPECT_THAT(f, txaio::testutil::resolved_with(testing::Gt(3)));
///     EXPECT_THAT(f, txaio::testutil::rejected_with<std::runtime_error>());
///     EXPECT_THAT(f, txaio::testutil::rejected_with<std::runtime_error>(testing::HasSubstr("lost")));
///     EXPECT_THAT(f, txaio::testutil::is_cancelled());
///
/// Matching a rejected future counts its failure as handled (it is not reported as unhandled).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include "txaio/future.hpp"

namespace txaio {

/// Prints a future in GoogleTest messages: its description, and its value when resolved.
template <class T>
void PrintTo(const Future<T>& future, std::ostream* os) {
  if (!future.valid()) {
    *os << "empty Future handle";
    return;
  }
  *os << describe_future(future);
  if constexpr (!std::is_void_v<T>) {
    if (future_status(future) == FutureStatus::resolved) *os << " value " << ::testing::PrintToString(future_value(future));
  }
}

}  // namespace txaio

namespace txaio::testutil {

namespace matchers_detail {

/// Which settled state a matcher expects.
enum class Expect { pending, settled, resolved, rejected, cancelled };

inline const char* describe_expect(Expect e) {
  switch (e) {
    case Expect::pending: return "pending";
    case Expect::settled: return "settled";
    case Expect::resolved: return "resolved";
    case Expect::rejected: return "rejected";
    case Expect::cancelled: return "cancelled";
  }
  return "?";
}

/// How `resolved_with` names what it expects: the value, or "the given matcher".
template <class Inner>
std::string describe_inner(const Inner& inner) {
  if constexpr (requires(std::ostream& os) { os << inner; }) {
    return ::testing::PrintToString(inner);
  } else {
    return "the given matcher";
  }
}

/// False (explaining why) for an empty handle.
template <class T>
bool valid_or_explain(const Future<T>& f, ::testing::MatchResultListener* listener) {
  if (!f.valid()) *listener << "which is empty";
  return f.valid();
}

/// True for a rejected or cancelled future.
inline bool failed(FutureStatus s) noexcept { return s == FutureStatus::rejected || s == FutureStatus::cancelled; }

/// The state in one word. Explanations say only this: GoogleTest already prints the future's
/// whole description (`PrintTo`) as the actual value, and it should appear once.
inline const char* status_word(FutureStatus status) {
  switch (status) {
    case FutureStatus::pending: return "pending";
    case FutureStatus::resolved: return "resolved";
    case FutureStatus::rejected: return "rejected";
    case FutureStatus::cancelled: return "cancelled";
  }
  return "?";
}

/// Matches a future by state alone.
class StateMatcher {
public:
  using is_gtest_matcher = void;

  explicit StateMatcher(Expect expect) noexcept : expect_(expect) {}

  template <class T>
  bool MatchAndExplain(const Future<T>& f, ::testing::MatchResultListener* listener) const {
    if (!valid_or_explain(f, listener)) return false;
    const FutureStatus status = future_status(f);
    bool ok = false;
    switch (expect_) {
      case Expect::pending: ok = status == FutureStatus::pending; break;
      case Expect::settled: ok = status != FutureStatus::pending; break;
      case Expect::resolved: ok = status == FutureStatus::resolved; break;
      case Expect::rejected: ok = failed(status); break;
      case Expect::cancelled: ok = status == FutureStatus::cancelled; break;
    }
    if (ok && failed(status)) consume_failure(f);
    *listener << "which is " << status_word(future_status(f));
    return ok;
  }
  void DescribeTo(std::ostream* os) const { *os << "is " << describe_expect(expect_); }
  void DescribeNegationTo(std::ostream* os) const { *os << "is not " << describe_expect(expect_); }

private:
  Expect expect_;
};

/// Matches a resolved future whose value matches `inner` (a value or a matcher).
template <class Inner>
class ResolvedWithMatcher {
public:
  using is_gtest_matcher = void;

  explicit ResolvedWithMatcher(Inner inner) : inner_(std::move(inner)) {}

  template <class T>
  bool MatchAndExplain(const Future<T>& f, ::testing::MatchResultListener* listener) const {
    static_assert(!std::is_void_v<T>, "resolved_with(v) needs a Future<T> with a value; use is_resolved()");
    if (!valid_or_explain(f, listener)) return false;
    if (future_status(f) != FutureStatus::resolved) {
      *listener << "which is " << status_word(future_status(f));
      return false;
    }
    const ::testing::Matcher<const T&> m = ::testing::SafeMatcherCast<const T&>(inner_);
    *listener << "which is resolved with " << ::testing::PrintToString(future_value(f));
    ::testing::StringMatchResultListener inner_listener;
    const bool ok = m.MatchAndExplain(future_value(f), &inner_listener);
    if (!ok && listener->IsInterested()) {
      *listener << ", and the value ";
      m.DescribeNegationTo(listener->stream());
    }
    if (!inner_listener.str().empty()) *listener << ", " << inner_listener.str();
    return ok;
  }
  void DescribeTo(std::ostream* os) const { *os << "is resolved with a value matching " << describe_inner(inner_); }
  void DescribeNegationTo(std::ostream* os) const {
    *os << "is not resolved with a value matching " << describe_inner(inner_);
  }

private:
  Inner inner_;
};

/// Matches a rejected (or cancelled) future whose exception is an `E` and whose message
/// matches `message`.
template <class E, class MessageMatcher>
class RejectedWithMatcher {
public:
  using is_gtest_matcher = void;

  explicit RejectedWithMatcher(MessageMatcher message) : message_(std::move(message)) {}

  template <class T>
  bool MatchAndExplain(const Future<T>& f, ::testing::MatchResultListener* listener) const {
    if (!valid_or_explain(f, listener)) return false;
    *listener << "which is " << status_word(future_status(f));
    if (!failed(future_status(f))) return false;
    const Failure& failure = consume_failure(f);
    if (!failure.is<E>()) {
      *listener << ", whose exception is a " << failure.type_name() << ", not a " << type_name();
      return false;
    }
    const ::testing::Matcher<const std::string&> m = ::testing::SafeMatcherCast<const std::string&>(message_);
    return ::testing::ExplainMatchResult(m, std::string(failure.message()), listener);
  }
  void DescribeTo(std::ostream* os) const {
    *os << "is rejected with a " << type_name() << " whose message ";
    ::testing::SafeMatcherCast<const std::string&>(message_).DescribeTo(os);
  }
  void DescribeNegationTo(std::ostream* os) const {
    *os << "is not rejected with a " << type_name() << " whose message ";
    ::testing::SafeMatcherCast<const std::string&>(message_).DescribeTo(os);
  }

private:
  static std::string type_name() { return ::testing::internal::GetTypeName<E>(); }
  MessageMatcher message_;
};

}  // namespace matchers_detail

/// The future is not settled yet.
inline matchers_detail::StateMatcher is_pending() { return matchers_detail::StateMatcher(matchers_detail::Expect::pending); }
/// The future is settled (resolved, rejected or cancelled).
inline matchers_detail::StateMatcher is_settled() { return matchers_detail::StateMatcher(matchers_detail::Expect::settled); }
/// The future is resolved (any value).
inline matchers_detail::StateMatcher is_resolved() {
  return matchers_detail::StateMatcher(matchers_detail::Expect::resolved);
}
/// The future is rejected or cancelled (any failure).
inline matchers_detail::StateMatcher is_rejected() {
  return matchers_detail::StateMatcher(matchers_detail::Expect::rejected);
}
/// The future was cancelled with `cancel` and its canceller did not settle it.
inline matchers_detail::StateMatcher is_cancelled() {
  return matchers_detail::StateMatcher(matchers_detail::Expect::cancelled);
}

/// The future is resolved with a value equal to `inner`, or matching it when it is a matcher.
template <class Inner>
matchers_detail::ResolvedWithMatcher<std::decay_t<Inner>> resolved_with(Inner&& inner) {
  return matchers_detail::ResolvedWithMatcher<std::decay_t<Inner>>(std::forward<Inner>(inner));
}

/// The future is rejected (or cancelled) with an exception that is an `E`.
template <class E>
auto rejected_with() {
  return matchers_detail::RejectedWithMatcher<E, decltype(::testing::A<const std::string&>())>(
      ::testing::A<const std::string&>());
}
/// The future is rejected with an `E` whose message equals `message`, or matches it when it is
/// a matcher.
template <class E, class MessageMatcher>
auto rejected_with(MessageMatcher&& message) {
  return matchers_detail::RejectedWithMatcher<E, std::decay_t<MessageMatcher>>(std::forward<MessageMatcher>(message));
}

}  // namespace txaio::testutil
