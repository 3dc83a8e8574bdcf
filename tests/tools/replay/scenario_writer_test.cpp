// scenario::write_scenario: what it writes parses back to the same model (every bundled
// scenario), `on` lines wait for the calls they cancel, messages are made writable, and a
// model that cannot be written is refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "txaio/scenario.hpp"

namespace {

namespace sc = txaio::scenario;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The model without line numbers, as text: two scenarios are the same model when these match.
std::string describe(const sc::Scenario& s) {
  std::ostringstream out;
  out << "seed=" << (s.seed ? std::to_string(*s.seed) : "-") << " ties=" << (s.ties ? to_string(*s.ties) : "-")
      << " jitter=" << (s.jitter_ns ? sc::format_time(*s.jitter_ns) : "-")
      << " run=" << (s.run_ns ? sc::format_time(*s.run_ns) : "-") << '\n';
  for (const sc::BatchedDecl& b : s.batched) out << "batched " << b.name << ' ' << b.bucket_ns << ' ' << b.chunk << ' ' << b.never_early << '\n';
  auto op = [&](const sc::Op& o) {
    const sc::Call& c = s.calls[o.call];
    out << sc::format_time(o.at_ns) << (o.chained ? " and " : " at ") << (o.on ? "on " + s.calls[*o.on].id + " " : "")
        << (o.kind == sc::OpKind::cancel ? "cancel " : "call_later ") << c.id;
    if (o.kind == sc::OpKind::call_later) {
      out << ' ' << c.at_ns << '+' << c.delay_ns << " via=" << (c.via ? s.batched[*c.via].name : "-")
          << " raise=" << c.raise.value_or("-");
    }
    out << '\n';
  };
  for (const sc::Op& o : s.ops) op(o);
  for (const sc::Call& c : s.calls) {
    for (std::uint32_t i = c.causal_begin; i < c.causal_end; ++i) op(s.causal_ops[i]);
  }
  for (const sc::Expect& e : s.expects) out << (e.unordered ? "expect any " : "expect ") << sc::format_event(e.event) << '\n';
  return out.str();
}

TEST(ScenarioWriter, EveryBundledScenarioWritesBackToTheSameModel) {
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(TXAIO_SCENARIOS_DIR)) {
    if (entry.path().extension() != ".txs" || entry.file_size() > (1u << 20)) continue;
    const sc::Scenario parsed = sc::parse_scenario(read_file(entry.path()), entry.path().string());
    const std::string written = sc::write_scenario(parsed);
    const sc::Scenario reread = sc::parse_scenario(written, "written");
    EXPECT_EQ(describe(reread), describe(parsed)) << entry.path() << "\n" << written;
    EXPECT_EQ(sc::write_scenario(reread), written) << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 20u);
}

// Call a (due at 1) cancels b, which an `at` line declares later: its `on` line follows it.
TEST(ScenarioWriter, AnOnLineWaitsForTheCallItCancels) {
  sc::Scenario s;
  s.calls = {sc::Call{"a", 0, 1'000'000'000, {}, {}, 0, 1, 0}, sc::Call{"b", 500'000'000, 1'000'000'000, {}, {}, 0, 0, 0}};
  s.ops = {sc::Op{0, sc::OpKind::call_later, 0, false, {}, 0}, sc::Op{500'000'000, sc::OpKind::call_later, 1, false, {}, 0}};
  s.causal_ops = {sc::Op{1'000'000'000, sc::OpKind::cancel, 1, false, 0, 0}};
  s.run_ns = 3'000'000'000;
  s.expects.push_back(sc::Expect{sc::Event{1'000'000'000, sc::EventKind::fire, "a", {}, 0}, 0, false});
  // a's cancel of b comes after b's declaration.
  EXPECT_EQ(sc::write_scenario(s),
            "txaio-scenario 1\n"
            "at 0 call_later a 1\n"
            "at 0.5 call_later b 1\n"
            "on a cancel b\n"
            "run 3\n"
            "expect 1 fire a\n");
  EXPECT_EQ(describe(sc::parse_scenario(sc::write_scenario(s), "w")), describe(s));
}

TEST(ScenarioWriter, ChainedUnorderedAndCommentedLines) {
  const std::string text =
      "txaio-scenario 1\n"
      "# hello\n"
      "seed 7\n"
      "ties random\n"
      "jitter 1ms\n"
      "batched B bucket=0.01 chunk=2 never_early=1\n"
      "at 0 call_later a 1 via=B raise=\"two words\"\n"
      "and call_later b 1\n"
      "on a call_later c 0\n"
      "on c cancel b\n"
      "run 2\n"
      "expect any 1 fire b\n"
      "# between\n"
      "expect any 1 error a two words\n";
  sc::Scenario s = sc::parse_scenario(text, "t");
  s.preamble = {"hello"};
  s.comments = {sc::Comment{1, "between"}};
  EXPECT_EQ(sc::write_scenario(s),
            "txaio-scenario 1\n"
            "# hello\n"
            "seed 7\n"
            "ties random\n"
            "jitter 0.001\n"
            "batched B bucket=0.01 chunk=2 never_early=1\n"
            "at 0 call_later a 1 via=B raise=\"two words\"\n"
            "on a call_later c 0\n"
            "and call_later b 1\n"
            "on c cancel b\n"
            "run 2\n"
            "expect any 1 fire b\n"
            "# between\n"
            "expect any 1 error a two words\n");
}

TEST(ScenarioWriter, MessagesAndCommentsAreMadeWritable) {
  EXPECT_EQ(sc::writable_message(std::string("a\xff" "b\x01" "c", 5)), "a?b?c");
  EXPECT_EQ(sc::writable_message(""), "(empty message)");
  EXPECT_EQ(sc::writable_message(std::string(5000, 'x')).size(), 1000u);
  sc::Scenario s;
  s.calls = {sc::Call{"e", 0, 0, {}, std::string("bad\xc0" "byte\nline", 13), 0, 0, 0}};
  s.ops = {sc::Op{0, sc::OpKind::call_later, 0, false, {}, 0}};
  s.expects.push_back(sc::Expect{sc::Event{0, sc::EventKind::error, "e", std::string("bad\xc0" "byte\nline", 13), 0}, 0, false});
  s.preamble = {"two\nlines"};
  const std::string written = sc::write_scenario(s);
  EXPECT_NE(written.find("# two lines\n"), std::string::npos) << written;
  const sc::Scenario back = sc::parse_scenario(written, "w");
  EXPECT_EQ(back.calls[0].raise, "bad?byte\nline");
  EXPECT_EQ(back.expects[0].event.message, "bad?byte\nline");
}

TEST(ScenarioWriter, RefusesModelsItCannotWrite) {
  sc::Scenario s;
  s.calls = {sc::Call{"a", 0, 0, {}, {}, 0, 0, 0}};
  s.ops = {sc::Op{0, sc::OpKind::call_later, 3, false, {}, 0}};
  EXPECT_THROW(sc::write_scenario(s), std::invalid_argument);  // an op names no call
  s.ops[0].call = 0;
  s.calls[0].id = "not an id";
  EXPECT_THROW(sc::write_scenario(s), std::invalid_argument);
  s.calls[0].id = "a";
  s.calls.push_back(sc::Call{"b", 0, 0, {}, {}, 0, 0, 0});
  s.causal_ops = {sc::Op{0, sc::OpKind::cancel, 1, false, 0, 0}};  // b is never declared
  s.calls[0].causal_end = 1;
  try {
    sc::write_scenario(s);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "write_scenario: 'on a cancel b' names a call that no op declares");
  }
  s.causal_ops.clear();
  s.calls[0].causal_end = 0;
  s.ops.push_back(sc::Op{-1, sc::OpKind::call_later, 1, false, {}, 0});
  EXPECT_THROW(sc::write_scenario(s), std::invalid_argument);  // times decrease
  s.ops.pop_back();
  s.batched.push_back(sc::BatchedDecl{"B", 1'000'000, 0, false, 0});
  EXPECT_THROW(sc::write_scenario(s), std::invalid_argument);  // chunk 0
  s.batched[0].chunk = sc::max_chunk + 1;
  EXPECT_THROW(sc::write_scenario(s), std::invalid_argument);
  s.batched[0].chunk = 1;
  s.batched[0].bucket_ns = 999'999;
  EXPECT_THROW(sc::write_scenario(s), std::invalid_argument);  // bucket under 1ms
  s.batched[0].bucket_ns = 1'000'000;
  EXPECT_NO_THROW(sc::write_scenario(s));
}

}  // namespace
