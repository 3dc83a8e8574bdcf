// The scenario parser: the format as specified, exact times, and every malformed input
// rejected with its line, column and what was expected.
#include "txaio/replay/scenario.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "malformed_cases.hpp"

namespace {

using namespace txaio::replay;

constexpr const char* design_example = R"(txaio-scenario 1                 # first line: format name and version
# '#' starts a comment; blank lines are ignored.
# Times and durations: decimal seconds, up to 9 decimals, parsed exactly to
# nanoseconds; a unit suffix ms, us or ns is also accepted.
seed 42                          # optional, default 0
ties fifo                        # optional: fifo | lifo | random
batched B bucket=1 chunk=2       # declare batched timer B before using it
at 0   call_later a 5.1          # at virtual time 0, timer a, delay 5.1 s, on the loop
at 0   call_later c 2 via=B      # through batched timer B
at 0   call_later e 3 raise=boom # its callback throws std::runtime_error("boom")
at 1.2 cancel c                  # cancel c at virtual time 1.2
run 20                           # run until virtual time 20 (default: until idle, bounded)
expect 3   error e boom          # the observed events, in order
expect 5.1 fire a
)";

TEST(ScenarioParse, DesignExample) {
  const Scenario s = parse_scenario(design_example, "example.txs");
  EXPECT_EQ(s.name, "example.txs");
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.ties, Ties::fifo);
  ASSERT_EQ(s.batched.size(), 1u);
  EXPECT_EQ(s.batched[0].name, "B");
  EXPECT_EQ(s.batched[0].bucket_ns, 1'000'000'000);
  EXPECT_EQ(s.batched[0].chunk, 2u);
  EXPECT_EQ(s.batched[0].line, 7u);
  ASSERT_EQ(s.calls.size(), 3u);
  EXPECT_EQ(s.calls[0].id, "a");
  EXPECT_EQ(s.calls[0].delay_ns, 5'100'000'000);
  EXPECT_FALSE(s.calls[0].via);
  EXPECT_EQ(s.calls[1].via, 0u);
  EXPECT_EQ(s.calls[2].raise, "boom");
  ASSERT_EQ(s.ops.size(), 4u);
  EXPECT_EQ(s.ops[3].kind, OpKind::cancel);
  EXPECT_EQ(s.ops[3].at_ns, 1'200'000'000);
  EXPECT_EQ(s.ops[3].call, 1u);
  EXPECT_EQ(s.ops[3].line, 11u);
  EXPECT_EQ(s.run_ns, 20'000'000'000);
  ASSERT_EQ(s.expects.size(), 2u);
  EXPECT_EQ(s.expects[0].event, (Event{3'000'000'000, EventKind::error, "e", "boom", 0}));
  EXPECT_EQ(s.expects[0].line, 13u);
  EXPECT_EQ(s.expects[1].event, (Event{5'100'000'000, EventKind::fire, "a", "", 0}));
  EXPECT_FALSE(s.expects_trace());
  EXPECT_EQ(s.line_count, 14u);
}

TEST(ScenarioParse, DefaultsAndMinimalFile) {
  const Scenario s = parse_scenario("txaio-scenario 1\n", "min.txs");
  EXPECT_FALSE(s.seed);
  EXPECT_FALSE(s.ties);
  EXPECT_FALSE(s.run_ns);
  EXPECT_TRUE(s.calls.empty());
  EXPECT_TRUE(s.expects.empty());
}

TEST(ScenarioParse, CrLfByteOrderMarkTabsAndNoFinalNewline) {
  const Scenario s = parse_scenario("\xEF\xBB\xBFtxaio-scenario 1\r\nat\t0\tcall_later\tx\t1\r\nexpect 1 fire x", "crlf.txs");
  ASSERT_EQ(s.calls.size(), 1u);
  EXPECT_EQ(s.calls[0].id, "x");
  ASSERT_EQ(s.expects.size(), 1u);
  EXPECT_EQ(s.expects[0].line, 3u);
}

TEST(ScenarioParse, UnitsAreExact) {
  const Scenario s = parse_scenario(
      "txaio-scenario 1\n"
      "at 0 call_later a 250ms\n"
      "at 0 call_later b 1.5us\n"
      "at 0 call_later c 7ns\n"
      "at 0 call_later d 0.000000001\n"
      "at 0 call_later e 1.000001ms\n"
      "at 0.1 call_later f 0\n",
      "u.txs");
  EXPECT_EQ(s.calls[0].delay_ns, 250'000'000);
  EXPECT_EQ(s.calls[1].delay_ns, 1'500);
  EXPECT_EQ(s.calls[2].delay_ns, 7);
  EXPECT_EQ(s.calls[3].delay_ns, 1);
  EXPECT_EQ(s.calls[4].delay_ns, 1'000'001);
  EXPECT_EQ(s.calls[5].at_ns, 100'000'000);
}

TEST(ScenarioParse, RaiseMessagesQuotedAndExpectMessagesToEndOfLine) {
  const Scenario s = parse_scenario(
      "txaio-scenario 1\n"
      "at 0 call_later a 1 raise=\"two words # not a comment\"\n"
      "at 0 call_later b 2 raise=\"say \\\"hi\\\"\\n\"\n"
      "expect 1 error a two words # this is a comment\n"
      "expect 1 error a \"two words # not a comment\"\n"
      "expect 2 error b    spaced   out   \n",
      "q.txs");
  EXPECT_EQ(s.calls[0].raise, "two words # not a comment");
  EXPECT_EQ(s.calls[1].raise, "say \"hi\"\n");
  EXPECT_EQ(s.expects[0].event.message, "two words");
  EXPECT_EQ(s.expects[1].event.message, "two words # not a comment");
  EXPECT_EQ(s.expects[2].event.message, "spaced   out");
}

TEST(ScenarioParse, TraceKindsAndBatchedOptions) {
  const Scenario s = parse_scenario(
      "txaio-scenario 1\n"
      "batched P bucket=100ms never_early=1\n"
      "at 0 call_later a 1 via=P\n"
      "at 0.5 cancel a\n"
      "expect 0 schedule a 1\n"
      "expect 0 bucket_timer P 1\n"
      "expect 0.5 cancel a\n"
      "expect 0.5 bucket_cancel P\n"
      "expect 1 bucket_fire P 2/3\n"
      "expect 1 batch_error P 4\n",
      "t.txs");
  EXPECT_TRUE(s.batched[0].never_early);
  EXPECT_EQ(s.batched[0].chunk, 100u);  // the default
  EXPECT_TRUE(s.expects_trace());
  EXPECT_EQ(s.expects[0].event.value, 1'000'000'000);
  EXPECT_EQ(s.expects[4].event.message, "2/3");
  EXPECT_EQ(s.expects[5].event.value, 4);
}

TEST(ScenarioParse, ExpectMayNameCallsDeclaredLater) {
  const Scenario s = parse_scenario("txaio-scenario 1\nexpect 1 fire a\nat 0 call_later a 1\n", "later.txs");
  EXPECT_EQ(s.expects[0].event.id, "a");
}

TEST(ScenarioParse, CausalOpsAreGroupedByTheCallThatAppliesThem) {
  const Scenario s = parse_scenario(
      "txaio-scenario 1\nbatched B bucket=1\nat 0 call_later a 1\nat 0.5 call_later b 1\non a cancel b\n"
      "on b call_later c 2s\non a call_later d 3 via=B\n",
      "on.txs");
  ASSERT_EQ(s.ops.size(), 2u);
  ASSERT_EQ(s.calls.size(), 4u);
  ASSERT_EQ(s.causal_ops.size(), 3u);
  // a's two ops first, in file order, then b's.
  EXPECT_EQ(s.calls[0].causal_begin, 0u);
  EXPECT_EQ(s.calls[0].causal_end, 2u);
  EXPECT_EQ(s.causal_ops[0].kind, OpKind::cancel);
  EXPECT_EQ(s.causal_ops[0].call, 1u);
  EXPECT_EQ(s.causal_ops[0].line, 5u);
  EXPECT_EQ(s.causal_ops[1].call, 3u);
  EXPECT_EQ(s.calls[1].causal_begin, 2u);
  EXPECT_EQ(s.calls[1].causal_end, 3u);
  EXPECT_EQ(s.causal_ops[2].on, 1u);
  // c is scheduled when b runs: at b's due time 1.5, for 2 s.
  EXPECT_EQ(s.calls[2].at_ns, 1'500'000'000);
  EXPECT_EQ(s.calls[2].delay_ns, 2'000'000'000);
  EXPECT_EQ(s.calls[3].via, 0u);
  EXPECT_EQ(s.calls[2].causal_begin, s.calls[2].causal_end);
}

TEST(ScenarioParse, CancelOfACallAtTheSameTimeAndTwice) {
  const Scenario s =
      parse_scenario("txaio-scenario 1\nat 1 call_later a 1\nat 1 cancel a\nat 1 cancel a\n", "twice.txs");
  EXPECT_EQ(s.ops.size(), 3u);
}

TEST(ScenarioTime, FormatIsExactAndShortest) {
  EXPECT_EQ(format_time(0), "0");
  EXPECT_EQ(format_time(5'100'000'000), "5.1");
  EXPECT_EQ(format_time(1), "0.000000001");
  EXPECT_EQ(format_time(2'000'000'000), "2");
  EXPECT_EQ(format_time(std::numeric_limits<std::int64_t>::max()), "9223372036.854775807");
  EXPECT_EQ(format_time(-1'500'000'000), "-1.5");
}

TEST(ScenarioTime, ParseLimits) {
  EXPECT_EQ(parse_time("9223372036.854775807"), std::numeric_limits<std::int64_t>::max());
  EXPECT_FALSE(parse_time("9223372036.854775808"));
  EXPECT_EQ(parse_time("9223372036854775807ns"), std::numeric_limits<std::int64_t>::max());
  EXPECT_FALSE(parse_time("9223372036854775808ns"));
  EXPECT_FALSE(parse_time("99999999999999999999999"));
  for (const char* bad : {"", ".5", "5.", "1e3", "+1", "-1", "0x10", "5sec", "s", "5ss", "5 ms", "ms", "1.2.3", "1,5", "１"}) {
    std::string why;
    EXPECT_FALSE(parse_time(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  EXPECT_EQ(parse_time("007"), 7'000'000'000);
  EXPECT_EQ(parse_time("5s"), 5'000'000'000);
  EXPECT_EQ(parse_time("1.25s"), 1'250'000'000);
  EXPECT_EQ(parse_time("0.000000001s"), 1);
  EXPECT_EQ(parse_time("0.1"), 100'000'000);
}

RC_GTEST_PROP(ScenarioTime, FormatThenParseIsIdentity, ()) {
  const auto ns = *rc::gen::inRange<std::int64_t>(0, std::numeric_limits<std::int64_t>::max());
  RC_ASSERT(parse_time(format_time(ns)) == ns);
}

RC_GTEST_PROP(ScenarioTime, UnitsAgree, ()) {
  const auto ms = *rc::gen::inRange<std::int64_t>(0, 1'000'000'000);
  RC_ASSERT(parse_time(std::to_string(ms) + "ms") == ms * 1'000'000);
  RC_ASSERT(parse_time(std::to_string(ms) + "us") == ms * 1'000);
  RC_ASSERT(parse_time(std::to_string(ms) + "ns") == ms);
}

// Any message, written by the writers' quoting rules, reads back unchanged.
RC_GTEST_PROP(ScenarioQuote, MessagesRoundTrip, ()) {
  const auto chars = *rc::gen::container<std::string>(
      rc::gen::element<char>('a', 'Z', ' ', '\t', '#', '"', '\\', '\n', '=', 'x', '\r'));
  RC_PRE(!chars.empty());
  const std::string text = "txaio-scenario 1\nat 0 call_later a 1 raise=" + quote_token(chars) +
                           "\nexpect 1 error a " + quote_message(chars) + "\n";
  const Scenario s = parse_scenario(text, "q.txs");
  RC_ASSERT(s.calls[0].raise == chars);
  RC_ASSERT(s.expects[0].event.message == chars);
}

TEST(ScenarioEvent, FormatEveryKind) {
  EXPECT_EQ(format_event({1'500'000'000, EventKind::fire, "a", "", 0}), "1.5 fire a");
  EXPECT_EQ(format_event({3'000'000'000, EventKind::error, "e", "boom", 0}), "3 error e boom");
  EXPECT_EQ(format_event({0, EventKind::error, "e", "has # hash", 0}), "0 error e \"has # hash\"");
  EXPECT_EQ(format_event({0, EventKind::schedule, "a", "", 5'100'000'000}), "0 schedule a 5.1");
  EXPECT_EQ(format_event({1, EventKind::cancel, "a", "", 0}), "0.000000001 cancel a");
  EXPECT_EQ(format_event({0, EventKind::bucket_timer, "B", "", 2'000'000'000}), "0 bucket_timer B 2");
  EXPECT_EQ(format_event({2'000'000'000, EventKind::bucket_fire, "B", "1/2", 0}), "2 bucket_fire B 1/2");
  EXPECT_EQ(format_event({0, EventKind::bucket_cancel, "B", "", 0}), "0 bucket_cancel B");
  EXPECT_EQ(format_event({0, EventKind::batch_error, "B", "", 3}), "0 batch_error B 3");
}

// Every malformed case: ParseError with the right line, column and message, and a what()
// of the form file:line:col: error: message.
class ScenarioMalformed : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(ScenarioMalformed, RejectedWithLineAndColumn) {
  const MalformedCase& c = GetParam();
  try {
    (void)parse_scenario(c.text, "bad.txs");
    FAIL() << "accepted: " << c.name;
  } catch (const ParseError& e) {
    EXPECT_EQ(e.file(), "bad.txs");
    EXPECT_EQ(e.line(), c.line) << e.what();
    EXPECT_EQ(e.column(), c.column) << e.what();
    EXPECT_NE(e.message().find(c.message), std::string::npos) << e.what() << "\n  wanted: " << c.message;
    EXPECT_EQ(std::string(e.what()), "bad.txs:" + std::to_string(c.line) + ":" + std::to_string(c.column) +
                                         ": error: " + e.message());
    // Every message says what was expected.
    EXPECT_NE(e.message().find("expected"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ScenarioMalformed, ::testing::ValuesIn(malformed_cases()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(ScenarioMalformed, AtLeastThirtyCases) { EXPECT_GE(malformed_cases().size(), 30u); }

}  // namespace
