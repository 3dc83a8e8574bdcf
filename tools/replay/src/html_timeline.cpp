// The SVG timeline of `--report`.
#include "html_timeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string_view>
#include <unordered_map>

#include "txaio/replay/html_report.hpp"
#include "txaio/replay/scenario.hpp"
#include "txaio/time.hpp"

namespace txaio::replay::detail {

std::int64_t add_ns(std::int64_t a, std::int64_t b) noexcept {
  return saturating_add(std::chrono::nanoseconds(a), std::chrono::nanoseconds(b)).count();
}

namespace {

constexpr double svg_width = 1100;
constexpr double label_width = 170;
constexpr double right_margin = 24;
constexpr double plot_width = svg_width - label_width - right_margin;
constexpr double row_height = 52;
constexpr double top_margin = 22;
constexpr double axis_height = 34;


// "Nice" tick spacing in ns: 1, 2 or 5 times a power of ten, about `target` ticks.
std::int64_t tick_step(std::int64_t span, int target) {
  const double raw = static_cast<double>(span) / target;
  double step = std::pow(10.0, std::floor(std::log10(std::max(raw, 1.0))));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (step * m >= raw) {
      step *= m;
      break;
    }
  }
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(step));
}


class Timeline {
public:
  Timeline(std::int64_t t_end, std::size_t max_markers) : t_end_(std::max<std::int64_t>(t_end, 1)), max_markers_(max_markers) {}

  double x(std::int64_t t) const {
    return label_width + plot_width * static_cast<double>(t) / static_cast<double>(t_end_);
  }

  std::string render(const std::vector<Row>& rows, const std::vector<TimeLine>& lines) const {
    std::string s;
    const double axis_y = top_margin + row_height * static_cast<double>(rows.size());
    fmt::format_to(std::back_inserter(s),
                   R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" role="img">)",
                   svg_width, axis_y + axis_height);
    s += '\n';
    render_rows(s, rows);
    render_axis(s, axis_y);
    render_buckets(s, rows);
    render_lines(s, lines, axis_y);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const double y = row_y(r);
      if (rows[r].markers.size() > max_markers_) {
        render_density(s, rows[r], y);
      } else {
        render_markers(s, rows[r].markers, y);
      }
      s += '\n';
    }
    s += "</svg>\n";
    return s;
  }

private:
  static double row_y(std::size_t r) { return top_margin + row_height * static_cast<double>(r); }

  // Row backgrounds and labels.
  static void render_rows(std::string& s, const std::vector<Row>& rows) {
    auto out = std::back_inserter(s);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const double y = row_y(r);
      fmt::format_to(out, R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>)", label_width, y, plot_width,
                     row_height, r % 2 == 0 ? "#f7f9fc" : "#ffffff");
      fmt::format_to(out, R"(<text class="rowlabel" x="8" y="{}">{}</text>)", y + row_height / 2 - 2,
                     html_escape(rows[r].label));
      if (!rows[r].sub.empty()) {
        fmt::format_to(out, R"(<text class="rowsub" x="8" y="{}">{}</text>)", y + row_height / 2 + 11,
                       html_escape(rows[r].sub));
      }
      s += '\n';
    }
  }

  // The time axis, with grid lines.
  void render_axis(std::string& s, double axis_y) const {
    auto out = std::back_inserter(s);
    const std::int64_t step = tick_step(t_end_, 8);
    for (std::int64_t t = 0; t <= t_end_; t += step) {
      fmt::format_to(out, R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#e3e7ee"/>)", x(t), top_margin,
                     axis_y);
      fmt::format_to(out, R"(<text x="{:.1f}" y="{}" text-anchor="middle">{} s</text>)", x(t), axis_y + 16,
                     format_time(t));
      if (t > t_end_ - step) break;
    }
    fmt::format_to(out, R"(<line x1="{0}" y1="{2}" x2="{1}" y2="{2}" stroke="#8a93a6"/>)", label_width,
                   label_width + plot_width, axis_y);
    s += '\n';
  }

  void render_buckets(std::string& s, const std::vector<Row>& rows) const {
    auto out = std::back_inserter(s);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const double y = row_y(r);
      for (std::size_t i = 0; i < rows[r].spans.size(); ++i) {
        const auto [b, e] = rows[r].spans[i];
        const double x0 = x(b), x1 = std::max(x(e), x0 + 1.5);
        fmt::format_to(out,
                       R"(<rect x="{:.1f}" y="{}" width="{:.1f}" height="{}" fill="#dbe9fb" stroke="#8fb3e3" rx="2"><title>bucket [{} s, {} s): {} calls</title></rect>)",
                       x0, y + 6, x1 - x0, row_height - 12, format_time(b), format_time(e), rows[r].span_counts[i]);
      }
    }
    s += '\n';
  }

  // Mismatch lines across every row.
  void render_lines(std::string& s, const std::vector<TimeLine>& lines, double axis_y) const {
    auto out = std::back_inserter(s);
    for (const auto& [t, label] : lines) {
      fmt::format_to(out, R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#f39c12" stroke-width="2" stroke-dasharray="5 3" opacity="0.8"/>)",
                     x(t), top_margin - 4, axis_y);
      if (!label.empty()) {
        const bool right = x(t) > label_width + plot_width * 0.75;
        fmt::format_to(out, R"(<text x="{:.1f}" y="{}" text-anchor="{}" style="fill:#c0392b;font-weight:600">{}</text>)",
                       x(t) + (right ? -4 : 4), top_margin - 8, right ? "end" : "start", html_escape(label));
      }
    }
  }

  void render_markers(std::string& s, const std::vector<Marker>& markers, double y) const {
    auto out = std::back_inserter(s);
    static constexpr double offsets[] = {0, -7, 7, -14, 14, -3.5, 3.5, -10.5, 10.5, -17.5, 17.5};
    std::unordered_map<long, int> stack;
    const double cy0 = y + row_height / 2;
    for (const Marker& m : markers) {
      const double cx = x(m.time_ns);
      const int n = stack[std::lround(cx / 3)]++;
      const double cy = cy0 + offsets[n % std::size(offsets)];
      s += "<g>";
      fmt::format_to(out, "<title>{}</title>", html_escape(m.title));
      if (m.mismatch) {
        fmt::format_to(out, R"(<circle cx="{:.1f}" cy="{:.1f}" r="7.5" fill="none" stroke="#f39c12" stroke-width="2.5"/>)", cx, cy);
      }
      if (m.shape == "circle") {
        fmt::format_to(out, R"(<circle cx="{:.1f}" cy="{:.1f}" r="4" fill="{}" stroke="#ffffff" stroke-width="0.8"/>)", cx, cy, m.color);
      } else if (m.shape == "ring") {
        fmt::format_to(out, R"(<circle cx="{:.1f}" cy="{:.1f}" r="4" fill="#ffffff" stroke="{}" stroke-width="1.6"/>)", cx, cy, m.color);
      } else if (m.shape == "tick") {
        fmt::format_to(out, R"(<line x1="{0:.1f}" y1="{1:.1f}" x2="{0:.1f}" y2="{2:.1f}" stroke="{3}" stroke-width="2"/>)", cx,
                       y + 5, y + row_height - 5, m.color);
      } else if (m.shape == "cross") {
        fmt::format_to(out, R"(<path d="M{0:.1f},{1:.1f}l7,7m0,-7l-7,7" stroke="{2}" stroke-width="2"/>)", cx - 3.5, cy - 3.5, m.color);
      } else if (m.shape == "diamond") {
        fmt::format_to(out, R"(<path d="M{0:.1f},{1:.1f}l5,5l-5,5l-5,-5z" fill="{2}"/>)", cx, cy - 5, m.color);
      } else {  // triangle
        fmt::format_to(out, R"(<path d="M{0:.1f},{1:.1f}l4,7h-8z" fill="{2}"/>)", cx, cy - 4, m.color);
      }
      s += "</g>";
    }
  }

  void render_density(std::string& s, const Row& row, double y) const {
    auto out = std::back_inserter(s);
    constexpr std::size_t bins = 400;
    std::vector<std::size_t> ok(bins, 0), bad(bins, 0);
    std::vector<const Marker*> mismatches;
    for (const Marker& m : row.markers) {
      const auto b = std::min<std::size_t>(
          bins - 1, static_cast<std::size_t>(static_cast<double>(m.time_ns) / static_cast<double>(t_end_) * bins));
      (m.error ? bad : ok)[b]++;
      if (m.mismatch && mismatches.size() < 200) mismatches.push_back(&m);
    }
    const std::size_t peak = std::max(*std::max_element(ok.begin(), ok.end()), *std::max_element(bad.begin(), bad.end()));
    const double w = plot_width / bins;
    const double h_max = row_height - 10;
    for (std::size_t b = 0; b < bins; ++b) {
      if (ok[b] + bad[b] == 0) continue;
      const double h1 = h_max * std::sqrt(static_cast<double>(ok[b]) / static_cast<double>(peak));
      const double h2 = h_max * std::sqrt(static_cast<double>(bad[b]) / static_cast<double>(peak));
      const double x0 = label_width + w * static_cast<double>(b);
      const std::string color = row.markers.front().color;
      if (ok[b] > 0) {
        fmt::format_to(out, R"(<rect x="{:.1f}" y="{:.1f}" width="{:.2f}" height="{:.1f}" fill="{}"><title>{} events</title></rect>)",
                       x0, y + row_height - 5 - h1, w, h1, color, ok[b]);
      }
      if (bad[b] > 0) {
        fmt::format_to(out, R"(<rect x="{:.1f}" y="{:.1f}" width="{:.2f}" height="{:.1f}" fill="#d64541" opacity="0.85"><title>{} errors</title></rect>)",
                       x0, y + row_height - 5 - h2, w, h2, bad[b]);
      }
    }
    fmt::format_to(out, R"(<text x="{}" y="{}" text-anchor="end" class="rowsub">density of {} events (sqrt scale)</text>)",
                   label_width + plot_width - 4, y + 11, row.markers.size());
    std::vector<Marker> shown;
    for (const Marker* m : mismatches) shown.push_back(*m);
    render_markers(s, shown, y);
  }

  std::int64_t t_end_;
  std::size_t max_markers_;
};


}  // namespace

std::string render_timeline(const std::vector<Row>& rows, const std::vector<TimeLine>& lines, std::int64_t t_end,
                            std::size_t max_markers) {
  return Timeline(t_end, max_markers).render(rows, lines);
}

}  // namespace txaio::replay::detail
