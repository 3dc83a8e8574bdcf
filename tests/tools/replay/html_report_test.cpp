// The HTML report: self-contained, one timeline per scenario, mismatches marked; and rendered
// by a real browser (headless Chromium) when one is installed.
#include "txaio/replay/html_report.hpp"

#include <gtest/gtest.h>

#ifdef TXAIO_HAVE_PNG
#include <png.h>
#endif

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "process.hpp"

namespace {

using namespace txaio::replay;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

const std::string failing =
    "txaio-scenario 1\n"
    "batched B bucket=1 chunk=2\n"
    "at 0 call_later a 5.1\n"
    "at 0 call_later c 2 via=B\n"
    "at 0 call_later d 2.2 via=B\n"
    "at 0 call_later f 2.4 via=B raise=bang\n"
    "at 0 call_later e 3 raise=boom\n"
    "at 1.2 cancel c\n"
    "run 8\n"
    "expect 2 fire d\n"
    "expect 2 error f bang\n"
    "expect 3 error e boom\n"
    "expect 6 fire a\n";  // wrong: a fires at 5.1

const std::string passing = "txaio-scenario 1\nat 0 call_later x 1\nat 0.5 call_later y 1\nexpect 1 fire x\nexpect 1.5 fire y\n";

std::vector<Verdict> sample_outcomes() {
  std::vector<Verdict> out;
  out.push_back(replay_text(failing, "scenarios/<odd> & failing.txs", {}));
  out.push_back(replay_text(passing, "scenarios/passing.txs", {}));
  out.push_back(replay_text("txaio-scenario 1\nat 0 frobnicate\n", "scenarios/broken.txs", {}));
  return out;
}

std::string render(const std::vector<Verdict>& outcomes) {
  std::ostringstream out;
  write_html_report(out, outcomes, ReportOptions{"txaio-replay scenarios/"});
  return out.str();
}

TEST(HtmlReport, SelfContained) {
  const std::string html = render(sample_outcomes());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  // No script, no stylesheet or image to fetch, no URL but the SVG namespace.
  for (const char* banned : {"<script", "<link", "<img", "<iframe", "url(", "@import", "src=", "https://"}) {
    EXPECT_EQ(html.find(banned), std::string::npos) << banned;
  }
  EXPECT_EQ(count(html, "http://"), count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_NE(html.find("</html>\n"), std::string::npos);
}

TEST(HtmlReport, OneTimelinePerRunScenarioWithRowsAndMismatchMarks) {
  const std::string html = render(sample_outcomes());
  EXPECT_EQ(count(html, "<svg "), 2u);  // the broken file has no timeline
  EXPECT_EQ(count(html, "<section class=\"scenario\""), 3u);
  EXPECT_NE(html.find("scenarios/&lt;odd&gt; &amp; failing.txs"), std::string::npos);
  EXPECT_EQ(html.find("<odd>"), std::string::npos);
  // Rows: ops, the batched timer, plain timers, expectations.
  EXPECT_NE(html.find(">batched B</text>"), std::string::npos);
  EXPECT_NE(html.find(">bucket 1 s, chunk 2</text>"), std::string::npos);
  EXPECT_NE(html.find(">ops</text>"), std::string::npos);
  EXPECT_NE(html.find(">expected</text>"), std::string::npos);
  // Buckets, chunks (B's loop timers), fires, errors, ops.
  // c was cancelled at 1.2: when the bucket fired it held d and f.
  EXPECT_NE(html.find("<title>bucket [2 s, 3 s): 2 calls</title>"), std::string::npos);
  EXPECT_NE(html.find("2 bucket_fire B 1/1 (a loop timer of the batched timer ran)"), std::string::npos);
  EXPECT_NE(html.find("<title>2 error f bang</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>line 8: at 1.2 cancel c</title>"), std::string::npos);
  // Mismatches: the unexpected fire at 5.1, the missing one at 6, the divergence label.
  EXPECT_NE(html.find("<title>5.1 fire a  (not expected)</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>line 13: expect 6 fire a  (not observed)</title>"), std::string::npos);
  EXPECT_NE(html.find("first divergence (line 13)"), std::string::npos);
  EXPECT_NE(html.find("stroke=\"#f39c12\""), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"expected_only\"><td>13</td>"), std::string::npos);
  // The diff and the parse error are shown as text.
  EXPECT_NE(html.find("- line 13    6 fire a"), std::string::npos);
  EXPECT_NE(html.find("scenarios/broken.txs:2:6: error: unknown op"), std::string::npos);
}

TEST(HtmlReport, PassingScenarioHasNoMismatchMarks) {
  std::vector<Verdict> one;
  one.push_back(replay_text(passing, "p.txs", {}));
  const std::string html = render(one);
  EXPECT_EQ(html.find("stroke=\"#f39c12\""), std::string::npos);
  EXPECT_EQ(html.find("first divergence"), std::string::npos);
  EXPECT_EQ(render(one), html);  // deterministic
}

TEST(HtmlReport, LargeRowsBecomeDensities) {
  std::string text = "txaio-scenario 1\n";
  for (int i = 0; i < 5000; ++i) text += "at 0 call_later t" + std::to_string(i) + " " + std::to_string(i) + "ms\n";
  std::vector<Verdict> one;
  one.push_back(replay_text(text, "big.txs", {}));
  const std::string html = render(one);
  EXPECT_NE(html.find("density of 5000 events"), std::string::npos);
  EXPECT_LT(html.size(), 2'000'000u);
}

// --- Rendering in a real browser -------------------------------------------------------

std::string find_chromium() {
  if (const char* env = std::getenv("TXAIO_CHROMIUM"); env != nullptr && *env != '\0') return env;
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
    if (std::filesystem::exists(p)) return p;
  }
  return {};
}

std::string chromium_command(const std::string& chromium, const TempDir& dir) {
  return "timeout 180 " + shell_quote(chromium) +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"
         " --disable-component-update --disable-sync --hide-scrollbars --user-data-dir=" +
         shell_quote((dir.path() / "profile").string());
}

struct Png {
  std::uint32_t width = 0, height = 0;
  std::vector<unsigned char> rgba;
};

#ifdef TXAIO_HAVE_PNG
Png decode_png(const std::filesystem::path& path) {
  Png out;
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&image, path.c_str()) == 0) return out;
  image.format = PNG_FORMAT_RGBA;
  out.rgba.resize(PNG_IMAGE_SIZE(image));
  if (png_image_finish_read(&image, nullptr, out.rgba.data(), 0, nullptr) == 0) return {};
  out.width = image.width;
  out.height = image.height;
  return out;
}

std::size_t pixels_near(const Png& png, int r, int g, int b) {
  std::size_t n = 0;
  for (std::size_t i = 0; i + 3 < png.rgba.size(); i += 4) {
    if (std::abs(png.rgba[i] - r) < 24 && std::abs(png.rgba[i + 1] - g) < 24 && std::abs(png.rgba[i + 2] - b) < 24) ++n;
  }
  return n;
}
#endif

TEST(HtmlReport, TimesNearTheLimitStayInsideThePlot) {
  // 9.1e9 s plus the 2% margin after the last event passed the limit of int64 nanoseconds,
  // which put the markers at negative x.
  const std::string text =
      "txaio-scenario 1\n"
      "batched B bucket=1000 chunk=1\n"
      "at 9100000000 call_later a 1\n"
      "at 9100000000 call_later b 100000000 via=B\n"
      "at 9223372036 call_later c 0.854775807\n"
      "expect 9100000001 fire a\n"
      "expect 9223372036.854775807 fire c\n";
  const std::string html = render({replay_text(text, "scenarios/far.txs", {})});
  const std::regex coordinate(R"re(\b(cx|x|x1|x2)="([^"]*)")re");
  std::size_t seen = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), coordinate), end; it != end; ++it) {
    const double x = std::stod((*it)[2].str());
    EXPECT_GE(x, 0.0) << it->str();
    EXPECT_LE(x, 1100.0) << it->str();
    ++seen;
  }
  EXPECT_GT(seen, 10u);
}

TEST(HtmlReportBrowser, RendersInHeadlessChromium) {
  const std::string chromium = find_chromium();
  if (chromium.empty()) {
    GTEST_SKIP() << "Chromium is not installed (Debian package 'chromium'; in CI set "
                    "TXAIO_EXTRA_PACKAGES=chromium): the report was not rendered in a browser";
  }
  TempDir dir;
  const auto html = dir.write("report.html", render(sample_outcomes()));
  const auto png = dir.path() / "report.png";

  // The browser parses it into the DOM we wrote: two SVG timelines, the divergence label.
  const CommandResult dom = run_command(chromium_command(chromium, dir) + " --dump-dom " +
                                        shell_quote("file://" + html.string()) + " 2>/dev/null");
  ASSERT_EQ(dom.exit_code, 0) << dom.output;
  EXPECT_EQ(count(dom.output, "<svg "), 2u) << dom.output.substr(0, 2000);
  EXPECT_NE(dom.output.find("first divergence (line 13)"), std::string::npos);

  const CommandResult shot = run_command(chromium_command(chromium, dir) + " --window-size=1200,1500 --screenshot=" +
                                         shell_quote(png.string()) + " " + shell_quote("file://" + html.string()));
  ASSERT_EQ(shot.exit_code, 0) << shot.output;
  ASSERT_TRUE(std::filesystem::exists(png)) << shot.output;
  const std::string bytes = TempDir::read(png);
  ASSERT_GT(bytes.size(), 24u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto be32 = [&](std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) << 24 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 3]));
  };
  EXPECT_EQ(bytes.substr(12, 4), "IHDR");
  EXPECT_EQ(be32(16), 1200u);
  EXPECT_EQ(be32(20), 1500u);
  if (const char* keep = std::getenv("TXAIO_KEEP_SCREENSHOT"); keep != nullptr && *keep != '\0') {
    std::filesystem::copy_file(png, keep, std::filesystem::copy_options::overwrite_existing);
  }
#ifdef TXAIO_HAVE_PNG
  // The timeline really is drawn: bucket rectangles, green fires, red errors, orange mismatch
  // marks are all on screen.
  const Png image = decode_png(png);
  ASSERT_EQ(image.width, 1200u);
  EXPECT_GT(pixels_near(image, 0xdb, 0xe9, 0xfb), 500u) << "bucket rectangles";
  EXPECT_GT(pixels_near(image, 0x27, 0xae, 0x60), 30u) << "fires";
  EXPECT_GT(pixels_near(image, 0xd6, 0x45, 0x41), 30u) << "errors";
  EXPECT_GT(pixels_near(image, 0xf3, 0x9c, 0x12), 100u) << "mismatch marks";
#endif
}


// The buckets are drawn where the run saw them fire: a never_early call due at 2.3 runs in
// the bucket [3, 4), not in [2, 3) where the 'down' rule would put it.
TEST(HtmlReport, NeverEarlyBucketsAreDrawnWhereTheyFired) {
  const std::string text =
      "txaio-scenario 1\nbatched L bucket=1 never_early=1\nbatched E bucket=1\nat 0 call_later late 2.3 via=L\n"
      "at 0 call_later early 2.3 via=E\nat 0 call_later on_grid 2 via=L\nexpect 2 fire early\nexpect 2 fire on_grid\n"
      "expect 3 fire late\n";
  const std::vector<Verdict> outcomes{replay_text(text, "never_early.txs", {})};
  ASSERT_EQ(outcomes[0].status, Status::passed) << outcomes[0].comparison.report;
  std::ostringstream out;
  write_html_report(out, outcomes);
  const std::string html = out.str();
  // The bucket's rectangle, by its title; and the x range it covers.
  auto bucket_x = [&](const std::string& title) {
    const std::size_t t = html.find("<title>" + title + "</title>");
    EXPECT_NE(t, std::string::npos) << title;
    const std::size_t rect = html.rfind("<rect x=\"", t);
    const double x = std::stod(html.substr(rect + 9));
    const std::size_t w = html.find("width=\"", rect);
    return std::pair<double, double>{x, x + std::stod(html.substr(w + 7))};
  };
  auto fire_x = [&](const std::string& event) {
    const std::size_t t = html.find("<title>" + event + "</title>");
    EXPECT_NE(t, std::string::npos) << event;
    return std::stod(html.substr(html.find("cx=\"", t) + 4));
  };
  const auto late_bucket = bucket_x("bucket [3 s, 4 s): 1 calls");
  const auto grid_bucket = bucket_x("bucket [2 s, 3 s): 1 calls");
  EXPECT_EQ(count(html, "bucket [2 s, 3 s): 2 calls"), 0u);  // the 'down' rule's picture
  const double late = fire_x("3 fire late");
  const double on_grid = fire_x("2 fire on_grid");
  EXPECT_GE(late, late_bucket.first);
  EXPECT_LT(late, late_bucket.second);
  EXPECT_GE(on_grid, grid_bucket.first);
  EXPECT_LT(on_grid, grid_bucket.second);
  EXPECT_LT(grid_bucket.second, late_bucket.first + 0.2);
}


TEST(HtmlReport, CausalOpsAreDrawnWhereTheirParentRan) {
  const std::string text = "txaio-scenario 1\nat 0 call_later a 1.5\nand call_later b 1.5\non a cancel b\n"
                           "on a call_later c 1\nexpect 1.5 fire a\nexpect 2.5 fire c\n";
  const std::vector<Verdict> outcomes{replay_text(text, "causal.txs", {})};
  ASSERT_EQ(outcomes[0].status, Status::passed) << outcomes[0].comparison.report;
  std::ostringstream out;
  write_html_report(out, outcomes);
  const std::string html = out.str();
  EXPECT_NE(html.find("<title>line 3: and call_later b 1.5</title>"), std::string::npos);
  const std::size_t cancel = html.find("<title>line 4: on a cancel b</title>");
  const std::size_t fire = html.find("<title>1.5 fire a</title>");
  ASSERT_NE(cancel, std::string::npos);
  ASSERT_NE(fire, std::string::npos);
  // The cancel is drawn at a's fire: the same x.
  const std::string cancel_x = html.substr(html.find("M", cancel) + 1, 5);
  const double x_fire = std::stod(html.substr(html.find("cx=\"", fire) + 4));
  EXPECT_NEAR(std::stod(cancel_x) + 3.5, x_fire, 0.11);
}

}  // namespace
