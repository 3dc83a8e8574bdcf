#include "txaio/testutil/matchers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "txaio/errors.hpp"
#include "txaio/testutil/sim_test.hpp"

namespace {

using txaio::Future;
using txaio::testutil::is_cancelled;
using txaio::testutil::is_pending;
using txaio::testutil::is_rejected;
using txaio::testutil::is_resolved;
using txaio::testutil::is_settled;
using txaio::testutil::rejected_with;
using txaio::testutil::resolved_with;
using ::testing::Gt;
using ::testing::HasSubstr;
using ::testing::Not;

/// The explanation a matcher gives for `value`, and whether it matched.
template <class M, class T>
std::pair<bool, std::string> explain(const M& matcher, const T& value) {
  const ::testing::Matcher<const T&> m = matcher;
  ::testing::StringMatchResultListener listener;
  const bool ok = m.MatchAndExplain(value, &listener);
  return {ok, listener.str()};
}

template <class M, class T>
std::string description(const M& matcher) {
  const ::testing::Matcher<const T&> m = matcher;
  return ::testing::DescribeMatcher<const T&>(m);
}

class Matchers : public txaio::testutil::SimTest {};

TEST_F(Matchers, StateMatchers) {
  Future<int> pending = txaio::create_future<int>();
  Future<int> resolved = txaio::create_future_success(1);
  Future<int> rejected = txaio::create_future_error<int>(std::runtime_error("x"));
  Future<int> cancelled = txaio::create_future<int>();
  txaio::cancel(cancelled);

  EXPECT_THAT(pending, is_pending());
  EXPECT_THAT(pending, Not(is_settled()));
  EXPECT_THAT(resolved, is_resolved());
  EXPECT_THAT(resolved, Not(is_pending()));
  EXPECT_THAT(resolved, is_settled());
  EXPECT_THAT(rejected, is_rejected());
  EXPECT_THAT(rejected, Not(is_cancelled()));
  EXPECT_THAT(rejected, Not(is_resolved()));
  EXPECT_THAT(cancelled, is_cancelled());
  EXPECT_THAT(cancelled, is_rejected());
}

TEST_F(Matchers, ResolvedWithValueOrMatcher) {
  Future<int> f = txaio::create_future_success(5);
  EXPECT_THAT(f, resolved_with(5));
  EXPECT_THAT(f, resolved_with(Gt(3)));
  EXPECT_THAT(f, Not(resolved_with(6)));
  EXPECT_THAT(txaio::create_future<int>(), Not(resolved_with(5)));
  EXPECT_THAT(txaio::create_future_success(std::string("abc")), resolved_with(HasSubstr("b")));
}

TEST_F(Matchers, RejectedWithTypeAndMessage) {
  Future<int> f = txaio::create_future_error<int>(std::invalid_argument("bad port"));
  EXPECT_THAT(f, rejected_with<std::invalid_argument>());
  EXPECT_THAT(f, rejected_with<std::logic_error>());  // a base class matches
  EXPECT_THAT(f, rejected_with<std::invalid_argument>("bad port"));
  EXPECT_THAT(f, rejected_with<std::invalid_argument>(HasSubstr("port")));
  EXPECT_THAT(f, Not(rejected_with<std::runtime_error>()));
  EXPECT_THAT(f, Not(rejected_with<std::invalid_argument>("other")));
  EXPECT_THAT(txaio::create_future_success(1), Not(rejected_with<std::exception>()));
}

TEST_F(Matchers, ExplanationsSayWhatTheFutureIs) {
  Future<int> f = txaio::create_future_success(5);
  auto [ok, why] = explain(resolved_with(6), f);
  EXPECT_FALSE(ok);
  EXPECT_THAT(why, HasSubstr("resolved with 5"));
  EXPECT_THAT(why, HasSubstr("isn't equal to 6"));

  Future<int> e = txaio::create_future_error<int>(std::runtime_error("boom"));
  std::tie(ok, why) = explain(rejected_with<std::logic_error>(), e);
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, "which is rejected, whose exception is a std::runtime_error, not a std::logic_error");

  std::tie(ok, why) = explain(is_resolved(), txaio::create_future<int>());
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, "which is pending");

  std::tie(ok, why) = explain(is_pending(), Future<int>());
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, "which is empty");
}

// A failed EXPECT_THAT shows the future's description (where it was created, its state, its
// failure) once, as the actual value, and the matcher's explanation adds only what it checked.
TEST_F(Matchers, AFailureMessageShowsTheFutureOnce) {
  auto message_of = [](auto&& check) {
    ::testing::TestPartResultArray failures;
    {
      ::testing::ScopedFakeTestPartResultReporter reporter(
          ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
      check();
    }
    EXPECT_EQ(failures.size(), 1);
    return failures.size() == 0 ? std::string() : std::string(failures.GetTestPartResult(0).message());
  };
  auto occurrences = [](const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
  };
  Future<int> pending = txaio::create_future<int>();
  const std::string a = message_of([&] { EXPECT_THAT(pending, is_resolved()); });
  EXPECT_EQ(occurrences(a, "matchers_test.cpp"), 1u) << a;
  EXPECT_THAT(a, HasSubstr("Expected: is resolved\n"));
  EXPECT_THAT(a, HasSubstr(", which is pending"));

  Future<int> e = txaio::create_future_error<int>(std::runtime_error("boom"));
  const std::string b = message_of([&] { EXPECT_THAT(e, rejected_with<std::logic_error>()); });
  EXPECT_EQ(occurrences(b, "boom"), 1u) << b;
  EXPECT_THAT(b, HasSubstr("whose exception is a std::runtime_error, not a std::logic_error"));
}

TEST_F(Matchers, Descriptions) {
  EXPECT_EQ((description<decltype(is_pending()), Future<int>>(is_pending())), "is pending");
  EXPECT_EQ((description<decltype(Not(is_cancelled())), Future<int>>(Not(is_cancelled()))), "is not cancelled");
  EXPECT_EQ((description<decltype(resolved_with(4)), Future<int>>(resolved_with(4))), "is resolved with a value matching 4");
  EXPECT_THAT((description<decltype(rejected_with<std::runtime_error>("x")), Future<int>>(
                  rejected_with<std::runtime_error>("x"))),
              HasSubstr("is rejected with a std::runtime_error whose message is equal to \"x\""));
}

TEST_F(Matchers, MatchingARejectedFutureHandlesItsFailure) {
  allow_unhandled_failures();  // the unmatched one below is left unhandled on purpose
  {
    Future<int> f = txaio::create_future_error<int>(std::runtime_error("seen by the test"));
    EXPECT_THAT(f, rejected_with<std::runtime_error>());
  }
  {
    Future<int> g = txaio::create_future_error<int>(std::runtime_error("checked as rejected"));
    EXPECT_THAT(g, is_rejected());
  }
  EXPECT_EQ(loop_.unhandled_failures(), 0u);
  {
    Future<int> h = txaio::create_future_error<int>(std::runtime_error("never looked at"));
  }
  EXPECT_EQ(loop_.unhandled_failures(), 1u);
}

TEST_F(Matchers, PrintToShowsStateAndValue) {
  EXPECT_THAT(::testing::PrintToString(txaio::create_future_success(42)), HasSubstr("(resolved"));
  EXPECT_THAT(::testing::PrintToString(txaio::create_future_success(42)), HasSubstr("value 42"));
  EXPECT_THAT(::testing::PrintToString(Future<int>()), HasSubstr("empty Future handle"));
}

}  // namespace
