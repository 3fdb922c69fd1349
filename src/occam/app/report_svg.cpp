#include "occam/app/report_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace occam::app::svg {

namespace {

// The plot area inside the viewBox: room on the left for the y tick labels and label, below for
// the x tick labels and label.
constexpr double kLeft = 74, kRight = 18, kTop = 12, kBottom = 44;

std::string printf_str(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}
std::string px(double v) { return printf_str("%.1f", v); }
std::string exact(double v) { return printf_str("%.9g", v); }  // float32 values round-trip

// One axis: the data interval (log10 of it on a log axis), the pixels it maps to, its ticks.
struct Scale {
  double lo = 0, hi = 1;
  double p0 = 0, p1 = 1;
  bool log = false;
  double step = 1;            // tick spacing of a linear axis (sets the label decimals)
  std::vector<double> ticks;  // data values
  double operator()(double v) const {
    return p0 + ((log ? std::log10(v) : v) - lo) / (hi - lo) * (p1 - p0);
  }
};

// Ticks at 1, 2 or 5 × 10^k, about `target` of them, no closer than min_step; the interval is
// widened to whole ticks. An empty interval (one point) is widened around its value.
Scale linear_scale(double lo, double hi, double p0, double p1, int target, double min_step) {
  if (!(hi > lo)) {
    const double pad = std::max({std::fabs(lo) * 0.1, min_step, 1e-3});
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  const double r = raw / mag;
  const double step = std::max((r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag, min_step);
  Scale s;
  const double k0 = std::floor(lo / step + 1e-9), k1 = std::ceil(hi / step - 1e-9);
  s.lo = k0 * step;
  s.hi = k1 * step;
  s.p0 = p0;
  s.p1 = p1;
  s.step = step;
  // Counted, not stepped: near 2^53, k + 1 == k and a stepped loop would not end.
  for (int i = 0; i <= k1 - k0 && i < 50; ++i) s.ticks.push_back((k0 + i) * step);
  return s;
}

// Whole decades from below the smallest value to above the largest; at most ~8 labelled.
Scale log_scale(double lo, double hi, double p0, double p1) {
  Scale s;
  s.log = true;
  s.lo = std::floor(std::log10(lo));
  s.hi = std::max(std::ceil(std::log10(hi)), s.lo + 1);
  s.p0 = p0;
  s.p1 = p1;
  const double stride = std::ceil((s.hi - s.lo + 1) / 8);
  for (double k = s.lo; k <= s.hi; k += stride) s.ticks.push_back(std::pow(10, k));
  return s;
}

std::string tick_label(const Scale& s, double v, bool percent) {
  if (s.log) return printf_str("%g", v);
  if (percent) {
    const int decimals = std::max(0, int(std::ceil(-std::log10(s.step * 100) - 1e-9)));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f%%", decimals, v * 100);
    return buf;
  }
  const int decimals = std::max(0, int(std::ceil(-std::log10(s.step) - 1e-9)));
  if (std::fabs(v) >= 1e6 || decimals > 6) return printf_str("%g", v);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

struct Extent {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

Scale x_scale(const Axes& a, Extent x) {
  x.add(a.x_lo);
  x.add(a.x_hi);
  if (x.empty()) x = {0, 1};
  return linear_scale(x.lo, x.hi, kLeft, a.width - kRight, std::max(2, (a.width - 90) / 110), 1.0);
}

Scale y_scale(const Axes& a, Extent y) {
  const double p0 = a.height - kBottom, p1 = kTop;
  if (y.empty()) y = {0, 1};
  if (a.y_log && y.lo > 0 && y.hi / y.lo > 100) return log_scale(y.lo, y.hi, p0, p1);
  if (a.y_from_zero) y.lo = std::min(0.0, y.lo);
  return linear_scale(y.lo, y.hi, p0, p1, std::max(2, (a.height - 60) / 55), 0.0);
}

std::string open_svg(const Axes& a, const std::string& cls, const std::string& attributes) {
  return "<svg class=\"" + cls + "\" viewBox=\"0 0 " + std::to_string(a.width) + " " +
         std::to_string(a.height) + "\" role=\"img\"" + attributes + ">\n";
}

// Grid, axes, tick labels and axis labels.
std::string frame(const Axes& a, const Scale& x, const Scale& y) {
  const double left = kLeft, right = a.width - kRight, top = kTop, bottom = a.height - kBottom;
  std::string s = "<g class=\"frame\" font-size=\"12\" fill=\"#444\">\n";
  for (double t : y.ticks) {
    const std::string py = px(y(t));
    s += "<line x1=\"" + px(left) + "\" x2=\"" + px(right) + "\" y1=\"" + py + "\" y2=\"" + py +
         "\" stroke=\"#e6e6e6\"/><text x=\"" + px(left - 6) + "\" y=\"" + py +
         "\" text-anchor=\"end\" dominant-baseline=\"middle\">" + tick_label(y, t, a.y_percent) +
         "</text>\n";
  }
  for (double t : x.ticks) {
    const std::string pxx = px(x(t));
    s += "<line x1=\"" + pxx + "\" x2=\"" + pxx + "\" y1=\"" + px(bottom) + "\" y2=\"" +
         px(bottom + 5) + "\" stroke=\"#888\"/><text x=\"" + pxx + "\" y=\"" + px(bottom + 18) +
         "\" text-anchor=\"middle\">" + tick_label(x, t, false) + "</text>\n";
  }
  s += "<path d=\"M" + px(left) + "," + px(top) + " V" + px(bottom) + " H" + px(right) +
       "\" fill=\"none\" stroke=\"#888\"/>\n";
  s += "<text x=\"" + px((left + right) / 2) + "\" y=\"" + px(a.height - 6) +
       "\" text-anchor=\"middle\">" + escape(a.x_label) + "</text>\n";
  s += "<text transform=\"translate(14," + px((top + bottom) / 2) +
       ") rotate(-90)\" text-anchor=\"middle\">" + escape(a.y_label) + "</text>\n</g>\n";
  return s;
}

std::string no_data(const Axes& a) {
  return "<text x=\"" + px(a.width / 2.0) + "\" y=\"" + px(a.height / 2.0) +
         "\" text-anchor=\"middle\" font-size=\"14\" fill=\"#999\">no data logged</text>\n";
}

// "M x,y L x,y …" through the finite points; a non-finite value starts a new segment.
std::string path_through(const std::vector<double>& xs, const std::vector<double>& ys,
                         const Scale& sx, const Scale& sy) {
  std::string d;
  bool pen_down = false;
  for (size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
    if (!std::isfinite(xs[i]) || !std::isfinite(ys[i]) || (sy.log && ys[i] <= 0)) {
      pen_down = false;
      continue;
    }
    d += (d.empty() ? "M" : pen_down ? " L" : " M") + px(sx(xs[i])) + "," + px(sy(ys[i]));
    pen_down = true;
  }
  return d;
}

std::string joined(const std::vector<double>& values) {
  std::string s;
  for (double v : values) {
    if (!s.empty()) s += ' ';
    s += exact(v);
  }
  return s;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string line_chart(const Axes& a, const std::vector<Series>& lines) {
  Extent ex, ey;
  for (const Series& s : lines)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
        ex.add(s.x[i]);
        ey.add(s.y[i]);
      }
  const Scale sx = x_scale(a, ex), sy = y_scale(a, ey);
  std::string s = open_svg(a, "chart lines", "") + frame(a, sx, sy);
  if (ex.empty()) return s + no_data(a) + "</svg>\n";
  for (const Series& l : lines) {
    const std::string d = path_through(l.x, l.y, sx, sy);
    if (d.empty()) continue;
    s += "<path class=\"series\" data-name=\"" + escape(l.name) + "\" d=\"" + d +
         "\" fill=\"none\" stroke=\"" + l.color +
         "\" stroke-width=\"2\" stroke-linejoin=\"round\"" +
         (l.dashed ? " stroke-dasharray=\"6 4\"" : "") + "><title>" + escape(l.name) +
         "</title></path>\n";
    const bool single =
        std::count_if(l.y.begin(), l.y.end(), [](double v) { return std::isfinite(v); }) == 1;
    if (!l.dots && !single) continue;
    for (size_t i = 0; i < l.x.size() && i < l.y.size(); ++i) {
      if (!std::isfinite(l.x[i]) || !std::isfinite(l.y[i]) || (sy.log && l.y[i] <= 0)) continue;
      const std::string value =
          a.y_percent ? printf_str("%.2f%%", 100 * l.y[i]) : printf_str("%.6g", l.y[i]);
      s += "<circle cx=\"" + px(sx(l.x[i])) + "\" cy=\"" + px(sy(l.y[i])) + "\" r=\"4\" fill=\"" +
           l.color + "\" stroke=\"#fff\"><title>" + escape(l.name) + " at step " +
           printf_str("%.0f", l.x[i]) + ": " + value + "</title></circle>\n";
    }
  }
  return s + "</svg>\n";
}

std::string stacked_chart(const Axes& a, const std::vector<double>& x,
                          const std::vector<Band>& bands, const std::string& total_name,
                          const std::vector<double>& total) {
  const size_t n = x.size();
  // tops[k][i]: the sum of bands 0..k at x[i]. A missing or non-finite value counts as 0, so the
  // top edge then differs from the total, visibly.
  std::vector<std::vector<double>> tops;
  std::vector<double> below(n, 0.0);
  Extent ex, ey;
  ey.add(0);
  for (double v : x) ex.add(v);
  for (const Band& b : bands) {
    std::vector<double> top(n);
    for (size_t i = 0; i < n; ++i) {
      const double v = i < b.y.size() && std::isfinite(b.y[i]) ? b.y[i] : 0.0;
      top[i] = below[i] + v;
      ey.add(top[i]);
    }
    tops.push_back(top);
    below = top;
  }
  for (double v : total) ey.add(v);
  Axes axes = a;
  axes.y_from_zero = true;
  axes.y_log = false;
  const Scale sx = x_scale(axes, ex), sy = y_scale(axes, ey);
  std::string s =
      open_svg(axes, "chart stacked", " data-x=\"" + joined(x) + "\"") + frame(axes, sx, sy);
  if (n == 0) return s + no_data(axes) + "</svg>\n";

  // With one point the bands are drawn as a bar 1/25 of the axis wide, inside the plot.
  std::vector<double> xs = x;
  auto widen = [&](const std::vector<double>& v) {
    return n == 1 && !v.empty() ? std::vector<double>{v[0], v[0]} : v;
  };
  if (n == 1) {
    const double w = (sx.hi - sx.lo) / 50;
    xs = {std::max(sx.lo, x[0] - w), std::min(sx.hi, x[0] + w)};
  }
  for (size_t k = 0; k < bands.size(); ++k) {
    const std::vector<double> top = widen(tops[k]);
    const std::vector<double> bottom =
        k == 0 ? std::vector<double>(xs.size(), 0.0) : widen(tops[k - 1]);
    std::string d;
    for (size_t i = 0; i < xs.size(); ++i)
      d += (i == 0 ? "M" : " L") + px(sx(xs[i])) + "," + px(sy(top[i]));
    for (size_t i = xs.size(); i-- > 0;) d += " L" + px(sx(xs[i])) + "," + px(sy(bottom[i]));
    s += "<path class=\"band\" data-term=\"" + escape(bands[k].name) + "\" data-top=\"" +
         joined(tops[k]) + "\" d=\"" + d + " Z\" fill=\"" + bands[k].color +
         "\" stroke=\"#fff\" stroke-width=\"0.75\"><title>" + escape(bands[k].tooltip) +
         "</title></path>\n";
  }
  s += "<path class=\"total\" data-values=\"" + joined(total) + "\" d=\"" +
       path_through(xs, widen(total), sx, sy) +
       "\" fill=\"none\" stroke=\"#111\" stroke-width=\"1.5\"><title>" + escape(total_name) +
       "</title></path>\n";
  return s + "</svg>\n";
}

}  // namespace occam::app::svg
