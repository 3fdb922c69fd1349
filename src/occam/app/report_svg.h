// Charts over training steps as inline SVG, for `occam report`: lines (with dots for sparse
// series such as validation) and stacked bands whose top edge is a given total. No script and no
// external resource: the SVG is text inside the HTML page. Non-finite values are skipped.
#pragma once

#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace occam::app::svg {

// & < > " as entities: safe in element text and in double-quoted attributes.
std::string escape(std::string_view text);

struct Axes {
  std::string x_label = "step";
  std::string y_label;
  int width = 1100;  // viewBox units; the SVG scales to its container's width
  int height = 330;
  bool y_from_zero = false;
  bool y_percent = false;  // tick labels as percentages of 1
  bool y_log = false;  // log10 axis, when every value is > 0 and they span more than two decades
  // The x axis covers at least [x_lo, x_hi] (NaN: the data alone), so the charts of a page can
  // share one range of steps.
  double x_lo = std::numeric_limits<double>::quiet_NaN();
  double x_hi = std::numeric_limits<double>::quiet_NaN();
};

struct Series {
  std::string name;
  std::string color;
  std::vector<double> x, y;
  bool dashed = false;
  bool dots = false;  // a dot at every point, with the value as its tooltip
};

std::string line_chart(const Axes& axes, const std::vector<Series>& lines);

// Bands stacked bottom to top in the given order over the common x; `total` (named total_name) is
// drawn as a line over them. Each band's path carries data-top (its cumulative top at every x) and
// the total line data-values, so a reader (or a test) can check that the top edge is the total.
struct Band {
  std::string name;
  std::string color;
  std::string tooltip;
  std::vector<double> y;
};
std::string stacked_chart(const Axes& axes, const std::vector<double>& x,
                          const std::vector<Band>& bands, const std::string& total_name,
                          const std::vector<double>& total);

}  // namespace occam::app::svg
