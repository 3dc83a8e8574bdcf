#include "txaio/replay/junit.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <unistd.h>

#include <array>

#include "txaio/scenario/detail/utf8.hpp"

namespace txaio::replay {

namespace {

// classname: the folder, with '.' for '/'; name: the file name.
std::pair<std::string, std::string> split_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {"scenarios", std::string(path)};
  std::string dir(path.substr(0, slash));
  for (char& c : dir) {
    if (c == '/') c = '.';
  }
  while (!dir.empty() && dir.front() == '.') dir.erase(0, 1);
  return {dir.empty() ? std::string("scenarios") : dir, std::string(path.substr(slash + 1))};
}

std::string failure_text(const Verdict& o) {
  std::string text = o.message;
  if (!o.comparison.report.empty()) {
    if (!text.empty()) text += '\n';
    text += o.comparison.report;
  }
  if (o.scenario) {
    text += fmt::format("\nreplayed with seed {}, ties {}", o.run.seed, to_string(o.run.ties));
  }
  return text;
}

std::string first_line(std::string_view text) { return std::string(text.substr(0, text.find('\n'))); }

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const scenario::detail::Utf8Char ch = scenario::detail::decode_utf8(text, i);
    if (ch.length == 0) {
      out += "\uFFFD";  // a byte that is not UTF-8 (a file name may hold any)
      ++i;
      continue;
    }
    const char32_t c = ch.code_point;
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 holds no other C0 control, nor U+FFFE and U+FFFF; DEL is legal but invisible.
        if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7F || c == 0xFFFE || c == 0xFFFF) {
          out += '?';
        } else {
          out.append(text.substr(i, ch.length));
        }
    }
    i += ch.length;
  }
  return out;
}

JunitRun junit_run(std::chrono::system_clock::time_point start, double seconds) {
  JunitRun run;
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) == 0 && host[0] != '\0') {
    run.hostname = host.data();
  } else {
    run.hostname = "localhost";
  }
  const auto s = std::chrono::floor<std::chrono::seconds>(start);
  const std::chrono::year_month_day date{std::chrono::floor<std::chrono::days>(s)};
  const std::chrono::hh_mm_ss time{s - std::chrono::floor<std::chrono::days>(s)};
  run.timestamp = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(date.year()),
                              static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                              time.hours().count(), time.minutes().count(), time.seconds().count());
  run.seconds = seconds;
  return run;
}

void write_junit(std::ostream& out, std::span<const Verdict> outcomes, const JunitRun& run) {
  std::size_t failures = 0, errors = 0, skipped = 0;
  for (const Verdict& o : outcomes) {
    switch (o.status) {
      case Status::failed:
      case Status::nondeterministic: ++failures; break;
      case Status::parse_error:
      case Status::run_error: ++errors; break;
      case Status::not_run: ++skipped; break;
      case Status::passed: break;
    }
  }
  fmt::print(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  // <testsuites> has no skipped attribute in the schema; the suite has.
  fmt::print(out, "<testsuites name=\"txaio-replay\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.6f}\">\n",
             outcomes.size(), failures, errors, run.seconds);
  fmt::print(out,
             "  <testsuite name=\"txaio-replay\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
             "time=\"{:.6f}\" timestamp=\"{}\" hostname=\"{}\">\n",
             outcomes.size(), failures, errors, skipped, run.seconds, xml_escape(run.timestamp),
             xml_escape(run.hostname));
  for (const Verdict& o : outcomes) {
    const auto [classname, name] = split_name(o.name);
    fmt::print(out, "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"{:.6f}\"",
               xml_escape(classname), xml_escape(name), xml_escape(o.name), o.seconds);
    switch (o.status) {
      case Status::passed:
        fmt::print(out, "/>\n");
        continue;
      case Status::failed:
        fmt::print(out, ">\n      <failure type=\"expectation\" message=\"{}\">{}</failure>\n",
                   xml_escape(first_line(o.comparison.report)), xml_escape(failure_text(o)));
        break;
      case Status::nondeterministic:
        fmt::print(out, ">\n      <failure type=\"determinism\" message=\"{}\">{}</failure>\n",
                   xml_escape(first_line(o.message)), xml_escape(failure_text(o)));
        break;
      case Status::parse_error:
        fmt::print(out, ">\n      <error type=\"parse\" message=\"{}\">{}</error>\n", xml_escape(o.message),
                   xml_escape(o.message));
        break;
      case Status::run_error:
        fmt::print(out, ">\n      <error type=\"run\" message=\"{}\">{}</error>\n", xml_escape(first_line(o.message)),
                   xml_escape(failure_text(o)));
        break;
      case Status::not_run:
        fmt::print(out, ">\n      <skipped message=\"{}\"/>\n",
                   xml_escape(o.message.empty() ? std::string("not run") : o.message));
        break;
    }
    if (o.scenario) {
      fmt::print(out, "      <system-out>seed {} ties {}, {} events observed</system-out>\n", o.run.seed,
                 to_string(o.run.ties), o.compared.size());
    }
    fmt::print(out, "    </testcase>\n");
  }
  fmt::print(out, "  </testsuite>\n</testsuites>\n");
}

}  // namespace txaio::replay
