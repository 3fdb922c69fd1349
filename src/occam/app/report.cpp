#include "occam/app/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "occam/app/explain.h"
#include "occam/app/report_svg.h"
#include "occam/app/run_dir.h"
#include "occam/error.h"

namespace occam::app {

using json = nlohmann::ordered_json;
using svg::escape;

namespace {

// Tableau 10: distinguishable from each other and readable on white.
constexpr const char* kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
constexpr const char* kTrain = "#4e79a7";
constexpr const char* kVal = "#f28e2b";
constexpr const char* kTest = "#59a14f";
const char* palette(size_t i) { return kPalette[i % std::size(kPalette)]; }

std::string printf_str(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}
std::string num(double v) { return printf_str("%.6g", v); }
std::string pct(double v) { return printf_str("%.2f%%", 100 * v); }
std::string count_of(int64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// A JSON number, or NaN for anything else (a NaN loss is written to JSON as null).
double as_double(const json& j) {
  return j.is_number() ? j.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

// points[i][group][key] against the step, over the points that have it.
struct Curve {
  std::vector<double> steps, values;
};
Curve curve(const std::vector<const json*>& points, const std::string& group,
            const std::string& key) {
  Curve c;
  for (const json* p : points) {
    const auto g = p->find(group);
    if (g == p->end() || !g->is_object() || !g->contains(key)) continue;
    c.steps.push_back(as_double(p->value("step", json())));
    c.values.push_back(as_double(g->at(key)));
  }
  return c;
}

svg::Series series(std::string name, const char* color, const Curve& c, bool dashed, bool dots) {
  return {std::move(name), color, c.steps, c.values, dashed, dots};
}

const json* term_info(const json& info, const std::string& name) {
  if (!info.contains("terms")) return nullptr;
  for (const auto& t : info.at("terms"))
    if (t.value("name", "") == name) return &t;
  return nullptr;
}

// The terms of the train objective in the order it adds them (the data term first), without the
// two sums regularization_loss and total_loss.
std::vector<std::string> objective_terms(const std::vector<const json*>& train) {
  std::vector<std::string> names;
  for (const json* p : train) {
    const auto terms = p->find("terms");
    if (terms == p->end() || !terms->is_object()) continue;
    for (const auto& [name, value] : terms->items())
      if (name != "regularization_loss" && name != "total_loss" &&
          std::find(names.begin(), names.end(), name) == names.end())
        names.push_back(name);
  }
  return names;
}

// The data terms among `terms` (run.json's kinds); the first term when run.json says nothing.
std::vector<std::string> data_terms(const json& info, const std::vector<std::string>& terms) {
  std::vector<std::string> out;
  for (const auto& name : terms)
    if (const json* t = term_info(info, name); t && t->value("kind", "") == "data")
      out.push_back(name);
  if (out.empty() && !terms.empty()) out.push_back(terms.front());
  return out;
}

// The data loss: the one data term, or the sum of several (a detector's two), as "data loss".
struct DataLoss {
  std::string name;
  std::vector<std::string> terms;
};
DataLoss data_loss(const json& info, const std::vector<std::string>& terms) {
  DataLoss d{"", data_terms(info, terms)};
  d.name = d.terms.size() == 1 ? d.terms.front() : "data loss";
  return d;
}

Curve data_curve(const std::vector<const json*>& points, const DataLoss& d) {
  if (d.terms.size() == 1) return curve(points, "terms", d.terms.front());
  Curve c;
  for (const json* p : points) {
    const auto g = p->find("terms");
    if (g == p->end() || !g->is_object()) continue;
    double sum = 0;
    bool all = !d.terms.empty();
    for (const auto& t : d.terms) {
      if (!g->contains(t))
        all = false;
      else
        sum += as_double(g->at(t));
    }
    if (!all) continue;
    c.steps.push_back(as_double(p->value("step", json())));
    c.values.push_back(sum);
  }
  return c;
}

// A legend's sample of a band (a square), or of a line as the chart draws it.
std::string swatch(const std::string& color) {
  return "<span class=\"swatch\" style=\"background:" + color + "\"></span>";
}
std::string swatch(const svg::Series& l) {
  return "<span class=\"swatch line" + std::string(l.dots ? " dot" : "") +
         "\" style=\"color:" + l.color + ";border-top:3px " + (l.dashed ? "dashed" : "solid") +
         "\"></span>";
}

std::string line_legend(const std::vector<svg::Series>& lines) {
  std::string s = "<ul class=\"legend\">";
  for (const auto& l : lines)
    if (!l.x.empty()) s += "<li>" + swatch(l) + escape(l.name) + "</li>";
  return s + "</ul>\n";
}

// The axes every chart starts from: one range of steps for the whole page.
svg::Axes page_axes(const RunRecord& run) {
  svg::Axes a;
  for (const json& p : run.points) {
    const double step = as_double(p.value("step", json()));
    if (!std::isfinite(step)) continue;
    a.x_lo = std::isnan(a.x_lo) ? step : std::min(a.x_lo, step);
    a.x_hi = std::isnan(a.x_hi) ? step : std::max(a.x_hi, step);
  }
  return a;
}

std::string figure(const std::string& caption, const std::string& body) {
  return "<figure><figcaption>" + escape(caption) + "</figcaption>\n" + body + "</figure>\n";
}

std::string header_section(const RunRecord& run, const std::vector<const json*>& train) {
  const json& info = run.info;
  const json& s = run.summary;
  std::string h = "<header>\n<h1>" + escape(info.value("name", "run")) +
                  "</h1>\n<p class=\"dir\">" + escape(run.dir) + "</p>\n<dl class=\"meta\">\n";
  auto row = [&](const std::string& key, const std::string& value_html) {
    h += "<dt>" + key + "</dt><dd>" + value_html + "</dd>\n";
  };
  if (s.is_object() && s.contains("test_accuracy")) {
    row("test accuracy",
        "<b class=\"accuracy\">" + pct(as_double(s.at("test_accuracy"))) + "</b>" +
            (s.contains("test_top5") ? " (top-5 " + pct(as_double(s.at("test_top5"))) + ")" : ""));
  } else {
    row("test accuracy", "not evaluated (training unfinished, or no test split)");
  }
  if (s.is_object() && s.contains("steps"))
    row("progress", count_of(s.value("epochs", 0), "epoch") + ", " +
                        count_of(s.value("steps", 0), "step") + ", " +
                        printf_str("%.1f", s.value("wall_s", 0.0)) + " s");
  else if (!train.empty())
    row("progress", "unfinished: last logged step " + train.back()->value("step", json()).dump() +
                        " (epoch " + train.back()->value("epoch", json()).dump() + ")");
  row("config", escape(info.value("config_source", "?")));
  row("convention", escape(info.value("convention", "?")));
  if (info.contains("optimizer")) {
    const json& o = info.at("optimizer");
    const json wd = o.value("weight_decay", json::object());
    row("optimizer",
        escape(o.value("name", "?") + ", " + o.value("schedule", "") + "; weight decay: " +
               (wd.value("kind", "none") == "none" ? "none" : wd.value("formula", "?"))));
  }
  if (info.contains("data")) {
    const json& d = info.at("data");
    row("data", std::to_string(d.value("train", 0)) + " train · " +
                    std::to_string(d.value("validation", 0)) + " validation · " +
                    std::to_string(d.value("test", 0)) + " test; batch size " +
                    std::to_string(info.value("batch_size", 0)));
  }
  return h + "</dl>\n</header>\n";
}

// The train objective as stacked bands over the logged steps; the top edge is total_loss.
std::string objective_section(const RunRecord& run, const std::vector<const json*>& train,
                              svg::Axes axes) {
  const std::vector<std::string> names = objective_terms(train);
  const std::vector<std::string> data = data_terms(run.info, names);
  std::vector<double> steps, total, regularization;
  for (const json* p : train) {
    const json terms = p->value("terms", json::object());
    steps.push_back(as_double(p->value("step", json())));
    total.push_back(as_double(terms.value("total_loss", json())));
    regularization.push_back(as_double(terms.value("regularization_loss", json())));
  }
  std::vector<svg::Band> bands, regularization_bands;
  std::string legend = "<ul class=\"legend terms\">";
  for (size_t k = 0; k < names.size(); ++k) {
    const json* ti = term_info(run.info, names[k]);
    const std::string formula = ti ? ti->value("formula", "") : "";
    std::vector<double> values;
    for (const json* p : train)
      values.push_back(as_double(p->value("terms", json::object()).value(names[k], json())));
    const double last = values.back();
    bands.push_back(
        {names[k], palette(k),
         names[k] + " = " + formula + "\nat step " + num(steps.back()) + ": " + num(last), values});
    if (std::find(data.begin(), data.end(), names[k]) == data.end())
      regularization_bands.push_back(bands.back());
    legend += "<li>" + swatch(palette(k)) + "<b>" + escape(names[k]) +
              "</b> <span class=\"formula\">" + escape(formula) + "</span> <span class=\"last\">" +
              num(last) + (total.back() > 0 ? " (" + pct(last / total.back()) + ")" : "") +
              "</span></li>";
  }
  svg::Series total_line;
  total_line.color = "#111";
  legend +=
      "<li>" + swatch(total_line) +
      "<b>total_loss</b> <span class=\"formula\">the sum of the bands: data loss + regularization_loss</span>" +
      (total.empty() ? "" : " <span class=\"last\">" + num(total.back()) + "</span>") +
      "</li></ul>\n";

  // Does the top edge equal the logged total? It should to float32 rounding at every step.
  std::string check;
  if (!train.empty()) {
    double worst = 0, worst_step = steps.front();
    for (size_t i = 0; i < train.size(); ++i) {
      double sum = 0;
      for (const auto& b : bands) sum += std::isfinite(b.y[i]) ? b.y[i] : 0.0;
      const double diff = std::fabs(sum - total[i]) / std::max(1.0, std::fabs(total[i]));
      if (!(diff <= worst)) {  // a NaN is the worst and stays so
        worst = diff;
        worst_step = steps[i];
        if (std::isnan(diff)) break;
      }
    }
    const std::string at_every = train.size() == 1
                                     ? "at the one logged step"
                                     : "at all " + std::to_string(train.size()) + " logged steps";
    check = worst <= 1e-5
                ? "<p class=\"ok\">✓ The top edge equals the logged total_loss " + at_every +
                      " (largest relative difference " + printf_str("%.1e", worst) + ").</p>\n"
                : "<p class=\"bad\">✗ The terms do not add up to total_loss: relative difference " +
                      printf_str("%.3g", worst) + " at step " + num(worst_step) + ".</p>\n";
  }
  // The regularization terms are often a sliver on top of the data loss: drawn again alone.
  std::string alone;
  if (!regularization_bands.empty()) {
    svg::Axes small = axes;
    small.y_label = "regularization_loss";
    small.height = 240;
    alone = figure("Regularization terms alone (top edge: regularization_loss)",
                   svg::stacked_chart(small, steps, regularization_bands, "regularization_loss",
                                      regularization));
  }
  axes.y_label = "train objective";
  axes.height = 360;
  return "<section id=\"objective\">\n<h2>Objective: total_loss = data loss + regularization terms</h2>\n"
         "<p class=\"note\">The train objective at each logged step (one batch each), stacked in the order the "
         "objective adds its terms: the data loss at the bottom, each regularization term above it." +
         (train.empty()
              ? ""
              : " The legend gives each term's formula and its value at the last logged step (" +
                    num(steps.back()) + "), with its share of total_loss.") +
         "</p>\n" +
         figure("Loss decomposition (train)",
                svg::stacked_chart(axes, steps, bands, "total_loss", total) + legend) +
         check + alone + "</section>\n";
}

// Train against validation (and test): the losses, then accuracy.
std::string curves_section(const RunRecord& run, const std::vector<const json*>& train,
                           const svg::Axes& page) {
  const auto val = run.split("val"), test = run.split("test");
  const DataLoss data = data_loss(run.info, objective_terms(train));
  std::vector<svg::Series> losses = {
      series("train total_loss", kTrain, curve(train, "terms", "total_loss"), false, false),
      series("train " + data.name, kTrain, data_curve(train, data), true, false),
      series("validation total_loss", kVal, curve(val, "terms", "total_loss"), false, true),
      series("validation " + data.name, kVal, data_curve(val, data), true, true),
      series("test total_loss", kTest, curve(test, "terms", "total_loss"), false, true),
      series("test " + data.name, kTest, data_curve(test, data), true, true)};
  std::vector<svg::Series> accuracy = {
      series("train accuracy", kTrain, curve(train, "metrics", "accuracy"), false, false),
      series("validation accuracy", kVal, curve(val, "metrics", "accuracy"), false, true),
      series("test accuracy", kTest, curve(test, "metrics", "accuracy"), false, true)};
  svg::Axes loss_axes = page;
  loss_axes.width = 540;
  loss_axes.height = 320;
  loss_axes.y_label = "loss";
  svg::Axes accuracy_axes = loss_axes;
  accuracy_axes.y_label = "accuracy";
  accuracy_axes.y_percent = true;
  return "<section id=\"curves\">\n<h2>Train and validation</h2>\n<p class=\"note\">Train points are single batches; "
         "validation "
         "points are whole-set evaluations at the end of each epoch; the test point is the final evaluation. "
         "Solid: total_loss; dashed: the data loss alone.</p>\n<div class=\"pair\">\n" +
         figure("Loss", svg::line_chart(loss_axes, losses) + line_legend(losses)) +
         figure("Accuracy", svg::line_chart(accuracy_axes, accuracy) + line_legend(accuracy)) +
         "</div>\n</section>\n";
}

// One color per layer: its first parameter (the kernel) solid, the others (the bias) dashed.
std::string weights_section(const RunRecord& run, const std::vector<const json*>& train,
                            svg::Axes axes) {
  std::vector<svg::Series> lines;
  std::string legend = "<ul class=\"legend\">";
  const json params = run.info.value("parameters", json::array());
  std::vector<std::string> layers;
  for (size_t k = 0; k < params.size(); ++k) {
    const std::string name = params[k].value("name", "");
    const std::string layer = name.substr(0, name.rfind('/'));
    const bool first_of_layer = layers.empty() || layers.back() != layer;
    if (first_of_layer) layers.push_back(layer);
    lines.push_back(series(name, palette(layers.size() - 1), curve(train, "weight_norms", name),
                           !first_of_layer, false));
    legend +=
        "<li>" + swatch(lines.back()) + "<b>" + escape(name) + "</b> " +
        escape(params[k].value("shape", json::array()).dump()) +
        (params[k].contains("regularizer")
             ? " <span class=\"formula\">" + escape(params[k].value("regularizer", "")) + "</span>"
             : "") +
        (params[k].value("trainable", true) ? "" : " (frozen)") + "</li>";
  }
  axes.y_label = "‖w‖₂";
  axes.y_log = true;
  return "<section id=\"weights\">\n<h2>Weight norms</h2>\n<p class=\"note\">The L2 norm of each parameter at each "
         "logged train "
         "step (log scale when they span more than two decades). A penalized weight whose norm keeps growing is "
         "pulled harder by the data loss than by its penalty.</p>\n" +
         figure("Per-parameter ‖w‖₂", svg::line_chart(axes, lines) + legend + "</ul>\n") +
         "</section>\n";
}

// `terms`: the objective's terms in the order the charts color them.
std::string explain_section(const json& e, const std::vector<std::string>& terms) {
  const json& id = e.at("identity");
  std::string s =
      "<section id=\"explain\">\n<h2>Explanation at step " + e.at("step").dump() + " (epoch " +
      e.at("epoch").dump() + ")</h2>\n<p class=\"identity\">total_loss " +
      num(as_double(id.at("total_loss"))) + " = data " + num(as_double(id.at("data_sum"))) +
      " + regularization_loss " + num(as_double(id.at("regularization_loss"))) +
      (id.value("holds", false) ? " <span class=\"ok\">(holds)</span>"
                                : " <span class=\"bad\">(does not hold)</span>") +
      "</p>\n<table class=\"explain\">\n<thead><tr><th>term</th><th>formula</th><th class=\"num\">value</th>"
      "<th class=\"num\">of total</th><th class=\"num\">of ‖∇‖</th><th>trend</th></tr></thead>\n<tbody>\n";
  for (const auto& t : e.at("terms")) {
    const auto k = std::find(terms.begin(), terms.end(), t.value("name", "")) - terms.begin();
    std::string name = "<span class=\"term\">" + (k < std::ssize(terms) ? swatch(palette(k)) : "") +
                       "<b>" + escape(t.value("name", "")) + "</b></span>";
    if (t.contains("source"))
      name += "<div class=\"sub\">penalizes " + escape(t.value("source", "")) +
              (t.contains("size") ? " (" + t.at("size").dump() + " values)" : "") + "</div>";
    std::string formula = escape(t.value("formula", ""));
    if (t.contains("divisor"))
      formula += "<div class=\"sub\">divided by " + escape(t.value("divisor", "")) + "</div>";
    if (t.contains("equivalents") && !t.at("equivalents").empty()) {
      formula += "<details><summary>equivalents</summary><ul>";
      for (const auto& q : t.at("equivalents"))
        formula +=
            "<li>" + escape(q.value("target", "")) + ": " +
            (q.value("exists", false) ? num(as_double(q.at("value"))) : std::string("none")) +
            " — " + escape(q.value("note", "")) + "</li>";
      formula += "</ul></details>";
    }
    const std::string grad =
        t.contains("share_of_gradient") ? pct(as_double(t.at("share_of_gradient"))) : "—";
    std::string trend;
    if (t.contains("trend")) {
      const double v = as_double(t.at("trend"));
      trend = (v >= 0 ? "+" : "") + pct(v) + " since step " + t.at("first_step").dump();
    }
    s += "<tr><td>" + name + "</td><td>" + formula + "</td><td class=\"num\">" +
         num(as_double(t.at("value"))) + "</td><td class=\"num\">" +
         pct(as_double(t.at("share_of_total"))) + "</td><td class=\"num\">" + grad + "</td><td>" +
         trend + "</td></tr>\n";
  }
  s +=
      "</tbody></table>\n<p class=\"note\">of ‖∇‖: the norm of the term's gradient on what it penalizes, as a "
      "fraction of that parameter's whole gradient.</p>\n<h3>Questions this run answers</h3>\n<dl class=\"answers\">\n";
  for (const auto& a : e.at("answers"))
    s += "<dt>" + escape(a.value("question", "")) + "</dt><dd>" + escape(a.value("answer", "")) +
         "</dd>\n";
  return s + "</dl>\n</section>\n";
}

const char* kStyle = R"(
body { font: 14px/1.45 "DejaVu Sans", system-ui, sans-serif; color: #222; background: #fff; margin: 0; }
main { max-width: 1140px; margin: 0 auto; padding: 16px 20px 40px; }
h1 { font-size: 24px; margin: 0; }
h2 { font-size: 18px; margin: 28px 0 6px; padding-bottom: 4px; border-bottom: 1px solid #ddd; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.dir { color: #777; margin: 2px 0 8px; font-family: "DejaVu Sans Mono", monospace; font-size: 12px; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
.meta dt { color: #666; } .meta dd { margin: 0; }
.accuracy { font-size: 16px; }
.note { color: #555; margin: 4px 0 10px; }
figure { margin: 0; } figcaption { font-weight: bold; margin: 4px 0; }
svg.chart { display: block; width: 100%; height: auto; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 28px; }
ul.legend { list-style: none; padding: 0; margin: 6px 0; font-size: 13px; }
ul.legend li { display: inline-block; margin: 2px 18px 2px 0; }
ul.legend.terms li { display: block; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; border-radius: 2px; }
.swatch.line { width: 22px; height: 0; border-radius: 0; vertical-align: 3px; position: relative; }
.swatch.dot::after { content: ""; position: absolute; left: 7px; top: -6.5px; width: 8px; height: 8px;
  border-radius: 50%; background: currentColor; }
.formula { color: #555; font-family: "DejaVu Sans Mono", monospace; font-size: 12px; margin-left: 6px; }
.last { color: #222; margin-left: 8px; font-variant-numeric: tabular-nums; }
.ok { color: #1f7a1f; } .bad { color: #b00020; font-weight: bold; }
table.explain { border-collapse: collapse; width: 100%; font-size: 13px; }
table.explain th, table.explain td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid #e6e6e6; }
table.explain th { background: #f5f5f5; }
table.explain .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.sub { color: #777; font-size: 12px; }
.term { white-space: nowrap; }
details { font-size: 12px; color: #555; } details ul { margin: 2px 0; padding-left: 18px; }
.answers dt { font-weight: bold; margin-top: 8px; } .answers dd { margin: 2px 0 0 16px; color: #333; }
footer { color: #999; font-size: 12px; margin-top: 30px; }
)";

std::string render_page(const RunRecord& run) {
  const auto train = run.split("train");
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
      escape("occam report: " + run.info.value("name", run.dir)) + "</title>\n<style>" + kStyle +
      "</style>\n</head>\n<body>\n<main>\n";
  const svg::Axes axes = page_axes(run);
  html += header_section(run, train);
  html += objective_section(run, train, axes);
  html += curves_section(run, train, axes);
  html += weights_section(run, train, axes);
  if (train.empty())
    html +=
        "<section id=\"explain\">\n<h2>Explanation</h2>\n"
        "<p class=\"note\">No train step logged yet: nothing to explain.</p>\n</section>\n";
  else
    html += explain_section(explain_run(run.dir), objective_terms(train));
  return html + "<footer>Written by occam report from " + escape(run.dir) +
         " (run.json, metrics.jsonl, summary.json). Self-contained: no script, nothing loaded from elsewhere."
         "</footer>\n</main>\n</body>\n</html>\n";
}

}  // namespace

std::string write_report(const std::string& run_dir, const std::string& out_path) {
  const RunRecord run = read_run(run_dir);
  std::string html;
  try {
    html = render_page(run);
  } catch (const nlohmann::json::exception& e) {
    // A field of the wrong type or missing where `occam train` always writes it.
    throw Error(run_dir + ": run.json or metrics.jsonl is not as occam train writes it (" +
                e.what() + ")");
  }
  const std::string path = out_path.empty() ? run_dir + "/report.html" : out_path;
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(path + ": cannot write the report (does the directory exist?)");
  out << html;
  out.close();
  if (!out) throw Error(path + ": writing the report failed (disk full?)");
  return path;
}

}  // namespace occam::app
