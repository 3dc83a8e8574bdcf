#include "txaio/failure.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include "txaio/errors.hpp"

namespace txaio_failure_test {

/// A user exception type in a namespace, to check demangling.
struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace txaio_failure_test

namespace {

using txaio::Failure;
using txaio::StackFrame;
using ::testing::HasSubstr;
using ::testing::StartsWith;

[[gnu::noinline]] Failure failure_made_in_helper() {
  try {
    throw std::runtime_error("deep");
  } catch (...) {
    return txaio::create_failure();
  }
}

[[gnu::noinline]] Failure failure_made_from_exception_ptr() {
  return txaio::create_failure(std::make_exception_ptr(std::runtime_error("ptr")));
}

TEST(Failure, MessageIsTypeColonWhat) {
  const Failure f = txaio::create_failure(std::runtime_error("it failed"));
  EXPECT_EQ(txaio::failure_message(f), "std::runtime_error: it failed");
  EXPECT_EQ(f.type_name(), "std::runtime_error");
  EXPECT_EQ(f.message(), "it failed");
}

TEST(Failure, TypeNameIsTheDemangledDynamicType) {
  try {
    throw txaio_failure_test::ProtocolError("bad frame");
  } catch (const std::exception&) {
    const Failure f = txaio::create_failure();
    EXPECT_EQ(txaio::failure_message(f), "txaio_failure_test::ProtocolError: bad frame");
  }
  const Failure from_base_ptr =
      txaio::create_failure(std::make_exception_ptr<std::logic_error>(std::invalid_argument("arg")));
  EXPECT_EQ(from_base_ptr.type_name(), "std::logic_error");  // make_exception_ptr copies the static type
}

TEST(Failure, EmptyMessageGivesTheTypeAlone) {
  EXPECT_EQ(txaio::failure_message(txaio::create_failure(txaio::CancelledError())), "txaio::CancelledError");
  EXPECT_EQ(txaio::failure_message(txaio::create_failure(txaio::CancelledError("why"))), "txaio::CancelledError: why");
}

TEST(Failure, NonStandardExceptions) {
  const Failure i = txaio::create_failure(std::make_exception_ptr(42));
  EXPECT_EQ(txaio::failure_message(i), "int");
  const Failure s = txaio::create_failure(std::make_exception_ptr(std::string("text")));
  EXPECT_EQ(txaio::failure_message(s), "std::string: text");
  const Failure c = txaio::create_failure(std::make_exception_ptr("literal"));
  EXPECT_EQ(txaio::failure_message(c), "const char*: literal");
}

TEST(Failure, CreateFailureFromCurrentException) {
  try {
    throw std::out_of_range("index 7");
  } catch (...) {
    const Failure f = txaio::create_failure();
    EXPECT_EQ(txaio::failure_message(f), "std::out_of_range: index 7");
  }
}

TEST(Failure, CreateFailureOutsideCatchIsUsageError) {
  EXPECT_THROW(txaio::create_failure(), txaio::UsageError);
}

TEST(Failure, EmptyExceptionPtrIsInvalidArgument) {
  try {
    txaio::create_failure(std::exception_ptr());
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("exception_ptr"));
  }
}

TEST(Failure, IsAndAsFollowTheHierarchy) {
  const Failure f = txaio::create_failure(std::system_error(std::make_error_code(std::errc::timed_out), "connect"));
  EXPECT_TRUE(f.is<std::system_error>());
  EXPECT_TRUE(f.is<std::runtime_error>());
  EXPECT_TRUE(f.is<std::exception>());
  EXPECT_FALSE(f.is<std::logic_error>());
  const auto* e = f.as<std::system_error>();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->code(), std::make_error_code(std::errc::timed_out));
  const Failure copy = f;
  EXPECT_EQ(copy.as<std::system_error>(), e);  // the same exception object
  EXPECT_EQ(f.as<std::logic_error>(), nullptr);
}

TEST(Failure, RethrowThrowsTheException) {
  const Failure f = txaio::create_failure(std::length_error("too long"));
  try {
    f.rethrow();
    ADD_FAILURE() << "no exception";
  } catch (const std::length_error& e) {
    EXPECT_STREQ(e.what(), "too long");
  }
}

TEST(Failure, CopiesCompareEqualAndShareTheException) {
  const Failure a = txaio::create_failure(std::runtime_error("x"));
  const Failure b = a;
  const Failure c = txaio::create_failure(std::runtime_error("x"));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(a.exception(), b.exception());
  EXPECT_EQ(txaio::create_failure(a), a);
}

TEST(Failure, FormattingNeverThrows) {
  static_assert(noexcept(txaio::failure_message(std::declval<const Failure&>())));
  static_assert(noexcept(txaio::failure_traceback(std::declval<const Failure&>())));
  static_assert(noexcept(txaio::failure_format_traceback(std::declval<const Failure&>())));
  Failure f = txaio::create_failure(std::runtime_error("moved"));
  Failure g = std::move(f);
  // A moved-from failure formats as empty rather than crashing.
  EXPECT_EQ(txaio::failure_message(f), "");  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(txaio::failure_traceback(f).empty());
  EXPECT_EQ(txaio::failure_format_traceback(f), "");
  EXPECT_EQ(txaio::failure_message(g), "std::runtime_error: moved");
}

TEST(Failure, StackIsCapturedWhereTheFailureWasCreated) {
  const Failure f = failure_made_in_helper();
  EXPECT_GT(f.frame_count(), 1u);
  const std::vector<StackFrame> frames = txaio::failure_traceback(f);
  ASSERT_EQ(frames.size(), f.frame_count());
  for (const StackFrame& frame : frames) EXPECT_NE(frame.address, 0u);
#ifdef TXAIO_TEST_SYMBOLIZED_TRACES
  // The innermost frame is the function that called create_failure, not txaio's internals.
  // Function names come from the symbol table, so every build type has them.
  EXPECT_THAT(frames[0].function, HasSubstr("failure_made_in_helper"));
#ifdef TXAIO_TEST_DEBUG_INFO
  // File and line come from debug information: Debug and RelWithDebInfo builds only.
  EXPECT_THAT(frames[0].file, HasSubstr("failure_test.cpp"));
  EXPECT_GT(frames[0].line, 0u);
#endif
  // Its caller, this test, is next.
  ASSERT_GT(frames.size(), 1u);
  EXPECT_THAT(frames[1].function, HasSubstr("StackIsCapturedWhereTheFailureWasCreated"));
  const std::vector<StackFrame> from_ptr = txaio::failure_traceback(failure_made_from_exception_ptr());
  ASSERT_FALSE(from_ptr.empty());
  EXPECT_THAT(from_ptr[0].function, HasSubstr("failure_made_from_exception_ptr"));
#endif
}

TEST(Failure, FormatTracebackHasTheMessageThenOneLinePerFrame) {
  const Failure f = failure_made_in_helper();
  const std::string text = txaio::failure_format_traceback(f);
  EXPECT_THAT(text, StartsWith("std::runtime_error: deep\n"));
  EXPECT_THAT(text, HasSubstr("Stack where the failure was created"));
  EXPECT_THAT(text, HasSubstr("\n  #0 "));
  EXPECT_THAT(text, HasSubstr("\n  #1 "));
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  EXPECT_EQ(lines, 1 + f.frame_count());
#ifdef TXAIO_TEST_SYMBOLIZED_TRACES
  EXPECT_THAT(text, HasSubstr("failure_made_in_helper"));
#endif
#ifdef TXAIO_TEST_DEBUG_INFO
  EXPECT_THAT(text, HasSubstr("failure_test.cpp:"));
#endif
}

}  // namespace
