// libFuzzer target for the scenario parser. Any input either parses or throws ParseError with
// a sane location and a message saying what was expected. An input that parses keeps the
// parser's promises (ops in time order, known calls, run after the ops), and --update's
// writer round-trips: rewriting its expect lines to any list built from its events gives a
// file that parses back to exactly that list. The model's writer (`write_scenario`, the
// recorder's) writes a file that parses, and writing that again gives the same text.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "txaio/replay/scenario.hpp"
#include "txaio/time.hpp"
#include "txaio/replay/update.hpp"

namespace {

using namespace txaio::replay;
using namespace std::chrono_literals;

[[noreturn]] void broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "invariant broken: %s\n%s\n", what, detail.c_str());
  std::abort();
}

std::vector<Event> events_of(const Scenario& s) {
  std::vector<Event> out;
  for (const Expect& e : s.expects) out.push_back(e.event);
  return out;
}

void check_round_trip(std::string_view text, const Scenario& s, const std::vector<Event>& wanted) {
  for (const Event& e : wanted) {
    // A line the format cannot hold (a huge time and message at once): nothing to check.
    if (expect_line(e).size() > max_line_bytes) return;
  }
  const std::string rewritten = rewrite_expectations(text, s, wanted, 0);
  try {
    const Scenario again = parse_scenario(rewritten, "fuzz.txs");
    if (events_of(again) != wanted) broken("rewritten expect lines read back", rewritten);
    if (again.ops.size() != s.ops.size() || again.calls.size() != s.calls.size()) broken("ops kept", rewritten);
  } catch (const ParseError& e) {
    broken("a rewritten scenario parses", std::string(e.what()) + "\n" + rewritten);
  }
}

void check_writer(const Scenario& s) {
  const std::string written = txaio::scenario::write_scenario(s);
  try {
    const std::string again = txaio::scenario::write_scenario(parse_scenario(written, "written.txs"));
    if (again != written) broken("written scenario writes back the same", written + "\n---\n" + again);
  } catch (const ParseError& e) {
    broken("a written scenario parses", std::string(e.what()) + "\n" + written);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Scenario s;
  try {
    s = parse_scenario(text, "fuzz.txs");
  } catch (const ParseError& e) {
    const std::string what = e.what();
    if (e.line() < 1 || e.column() < 1 || e.column() > max_line_bytes + 1) broken("error location", what);
    if (what.rfind("fuzz.txs:", 0) != 0 || what.find(": error: ") == std::string::npos) broken("error format", what);
    if (e.message().find("expected") == std::string::npos) broken("error says what was expected", what);
    return 0;
  }
  std::int64_t last = 0;
  for (const Op& op : s.ops) {
    if (op.at_ns < last || op.call >= s.calls.size()) broken("ops in order, calls known", std::string(text));
    last = op.at_ns;
  }
  if (s.run_ns && *s.run_ns < last) broken("run after the ops", std::string(text));
  for (const Call& c : s.calls) {
    if (c.via && *c.via >= s.batched.size()) broken("batched timers known", std::string(text));
  }

  check_writer(s);
  const std::vector<Event> same = events_of(s);
  check_round_trip(text, s, same);
  // Some dropped, some repeated, times moved: still read back as written.
  std::vector<Event> changed;
  for (std::size_t i = 0; i < same.size(); ++i) {
    if (i % 3 == 1) continue;
    changed.push_back(same[i]);
    if (i % 4 == 0) {
      changed.push_back(same[i]);
      changed.back().time_ns = txaio::saturating_add(std::chrono::nanoseconds(changed.back().time_ns), 1ms).count();
    }
  }
  check_round_trip(text, s, changed);
  return 0;
}
