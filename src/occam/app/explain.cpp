#include "occam/app/explain.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <iomanip>
#include <sstream>

#include "occam/app/run_dir.h"
#include "occam/error.h"

namespace occam::app {

using json = nlohmann::ordered_json;

namespace {

std::string num(double v, int digits = 6) {
  std::ostringstream os;
  os << std::setprecision(digits) << v;
  return os.str();
}
std::string pct(double v) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << 100 * v << "%";
  return os.str();
}

const json* term_info(const json& info, const std::string& name) {
  for (const auto& t : info.at("terms"))
    if (t.at("name") == name) return &t;
  return nullptr;
}

// The terms of a logged point with what run.json says of each, the gradient shares and the trend.
struct TermRows {
  json rows = json::array();
  double data_sum = 0, reg_sum = 0;
  int reg_rows = 0;
};

TermRows term_rows(const json& info, const json& point, const json& first) {
  TermRows out;
  const json& terms = point.at("terms");
  const double total = terms.at("total_loss").get<double>();
  const json grad = point.value("grad_norms", json::object());
  for (const auto& [name, value] : terms.items()) {
    if (name == "regularization_loss" || name == "total_loss") continue;
    const json* ti = term_info(info, name);
    const std::string kind = ti ? ti->value("kind", "regularization") : "regularization";
    const double v = value.get<double>();
    (kind == "data" ? out.data_sum : out.reg_sum) += v;
    if (kind != "data") ++out.reg_rows;
    json row = {{"name", name},
                {"kind", kind},
                {"value", v},
                {"share_of_total", total != 0 ? v / total : 0.0}};
    if (ti) {
      row["formula"] = ti->value("formula", "");
      if (ti->contains("source")) row["source"] = ti->at("source");
      if (ti->contains("size")) row["size"] = ti->at("size");
      if (ti->contains("equivalents")) row["equivalents"] = ti->at("equivalents");
      if (ti->contains("divisor")) row["divisor"] = ti->at("divisor");
      if (ti->contains("applies_to")) row["applies_to"] = ti->at("applies_to");
    }
    // Gradient share: the penalty's pull on its parameter against that parameter's whole gradient.
    if (grad.contains(name) && row.contains("source") &&
        grad.contains(row["source"].get<std::string>())) {
      const double g = grad.at(name).get<double>(),
                   gp = grad.at(row["source"].get<std::string>()).get<double>();
      row["grad_norm"] = g;
      row["param_grad_norm"] = gp;
      if (gp > 0) row["share_of_gradient"] = g / gp;
    } else if (grad.contains(name)) {
      row["grad_norm"] = grad.at(name);
    }
    if (first.at("terms").contains(name)) {
      const double v0 = first.at("terms").at(name).get<double>();
      row["first_value"] = v0;
      row["first_step"] = first.at("step");
      if (v0 != 0) row["trend"] = (v - v0) / std::fabs(v0);
    }
    out.rows.push_back(row);
  }

  return out;
}

// Σ of a point's data terms (their kinds from run.json).
double data_total(const json& info, const json& terms) {
  double s = 0;
  for (const auto& [name, v] : terms.items())
    if (const json* t = term_info(info, name); t && t->value("kind", "") == "data")
      s += v.get<double>();
  return s;
}

using Answer = std::function<void(const std::string&, const std::string&)>;

// §9's questions about the objective: what regularization_loss is, the identity, the trend,
// validation against train.
void answer_objective(const Answer& answer, const RunRecord& run, const json& info,
                      const json* point, const json& first, int reg_rows, double total,
                      double data_sum, double reg_loss, double reg_sum) {
  // ---- answers to the common questions (SPEC-regularization §9), where they apply ----
  answer(
      "What is regularization_loss (and why is there no regularization_loss_1)?",
      "The sum of the " + std::to_string(reg_rows) +
          " regularization terms listed above, each named after what it penalizes. Occam names every term "
          "once; TF1's regularization_loss_1 was the same quantity under a de-duplicated summary tag.");
  answer("Why is total_loss not the sum of what I plot?",
         "Here it is, exactly: total_loss " + num(total) + " = data " + num(data_sum) +
             " + regularization_loss " + num(reg_loss) +
             ", and regularization_loss is the sum of its terms (" + num(reg_sum) + ").");
  const double reg0 = first.at("terms").value("regularization_loss", 0.0);
  if (reg0 > 0 && reg_loss > reg0 * 1.02) {
    std::string grew;
    const json wn = point->value("weight_norms", json::object()),
               wn0 = first.value("weight_norms", json::object());
    auto penalized = [&](const std::string& p) {
      for (const auto& t : info.at("terms"))
        if (t.value("source", "") == p) return true;
      return false;
    };
    for (const auto& [p, v] : wn.items())
      if (penalized(p) && wn0.contains(p) && v.get<double>() > wn0.at(p).get<double>() * 1.05)
        grew += (grew.empty() ? "" : ", ") + p + " (‖w‖ " + num(wn0.at(p).get<double>(), 4) +
                " → " + num(v.get<double>(), 4) + ")";
    answer(
        "Why does the regularization loss rise?",
        "It went from " + num(reg0) + " at step " +
            std::to_string(first.at("step").get<int64_t>()) + " to " + num(reg_loss) +
            ": the data loss's gradient grows the weights faster than the penalty shrinks them" +
            (grew.empty() ? "." : "; growing: " + grew + ".") +
            " The gradient shares above say how hard each penalty pulls compared with the data term.");
  }
  const auto val = run.split("val");
  if (!val.empty()) {
    const json& v = *val.back();
    answer("Does the validation loss include the L2 penalty?",
           "Occam logs them apart: at step " + std::to_string(v.at("step").get<int64_t>()) +
               " validation data loss " + num(data_total(info, v.at("terms"))) +
               ", validation regularization_loss " +
               num(v.at("terms").value("regularization_loss", 0.0)) +
               ". A Keras val_loss is their sum (total_loss " +
               num(v.at("terms").at("total_loss").get<double>()) +
               "): Keras 2 and 3 include weight penalties in evaluate(), despite the Keras FAQ.");
    const double train_total = total, val_total = v.at("terms").at("total_loss").get<double>();
    if (train_total > val_total) {
      std::string why = "the train loss is measured with dropout and noise layers active";
      bool noise = false;
      for (const auto& l : info.at("layers"))
        if (l.value("train_only_noise", false)) noise = true;
      if (!noise) why = "training batches are harder than the whole validation set on average";
      answer(
          "Why is the training loss higher than the validation loss?",
          why +
              "; per-epoch train figures are running means over an epoch whose weights kept improving; both include the same regularization terms.");
    }
  }
}

// §9's questions about the model and the optimizer: activity terms, frozen layers, batch norm,
// constraints, weight decay, conversions.
void answer_model(const Answer& answer, const json& info, const json* point) {
  bool activity = false;
  for (const auto& t : info.at("terms"))
    if (t.value("applies_to", "") == "activity") activity = true;
  if (activity)
    answer(
        "Is the activity regularizer divided by the batch size?",
        "Yes: each activity term is the penalty of the layer's output divided by that step's batch size (" +
            std::to_string(info.value("batch_size", 0)) +
            "; smaller for an epoch's last batch), as Keras >= 3.14 and tf.keras do. Keras 3.0-3.13 did not divide.");
  if (!info.at("frozen_regularized").empty()) {
    std::string names;
    for (const auto& f : info.at("frozen_regularized"))
      names += (names.empty() ? "" : ", ") + f.at("parameter").get<std::string>();
    answer("Do frozen layers count?",
           "No: " + names +
               (info.at("frozen_regularized").size() == 1 ? " has a regularizer"
                                                          : " have regularizers") +
               " but " + (info.at("frozen_regularized").size() == 1 ? "is" : "are") +
               " not trainable, so not in the objective "
               "(Keras 3 behaviour; tf.keras 2.x counted them).");
  }
  for (const auto& l : info.at("layers")) {
    if (!l.contains("followed_by_batch_norm")) continue;
    for (const auto& t : info.at("terms"))
      if (t.value("source", "").rfind(l.at("name").get<std::string>() + "/", 0) == 0)
        answer(
            "What does " + t.at("name").get<std::string>() +
                " do to a layer followed by batch normalization?",
            l.at("name").get<std::string>() + " is followed by " +
                l.at("followed_by_batch_norm").get<std::string>() +
                ", which undoes any scale of its output: the function does not depend on ‖w‖, so the penalty only "
                "changes the kernel's scale (and with it the effective learning rate), not what the layer computes.");
  }
  {
    std::string constrained;
    const json clipped = point->value("constraints", json::object());
    for (const auto& prm : info.at("parameters")) {
      if (!prm.contains("constraint")) continue;
      const std::string name = prm.at("name").get<std::string>();
      constrained +=
          (constrained.empty() ? "" : "; ") + name + ": " + prm.at("constraint").get<std::string>();
      if (clipped.contains(name))
        constrained +=
            ", changed " + pct(clipped.at(name).get<double>()) + " of its units at this step";
    }
    if (!constrained.empty())
      answer(
          "Where are the constraints in the objective?",
          "Nowhere: a constraint is a projection applied after each optimizer update, not a penalty, so it adds "
          "no term. " +
              constrained + " (per output unit of a dense kernel, per filter of a conv kernel).");
  }
  const json& wd = info.at("optimizer").at("weight_decay");
  if (wd.at("kind") != "none")
    answer(
        "Is weight decay part of the objective?",
        "No. " + wd.at("formula").get<std::string>() +
            (wd.at("formula").get<std::string>().ends_with(".") ? "" : ".") +
            " It acts in the optimizer step and is not a term of total_loss; metrics.jsonl logs its size under "
            "outside_objective.");
  answer(
      "How do the coefficients convert between frameworks?",
      "See each term's equivalents: the convention here is " +
          info.at("convention").get<std::string>() +
          "; Keras l2(λ) = TF-slim / TF OD API weight 2λ = torch coupled weight_decay 2λ; no L2 value reproduces "
          "decoupled (AdamW) decay under an adaptive optimizer.");
}

}  // namespace

json explain_run(const std::string& dir, std::optional<int64_t> step) {
  const RunRecord run = read_run(dir);
  const auto train = run.split("train");
  if (train.empty()) throw Error(dir + "/metrics.jsonl: no train step logged yet");
  const json* point = step ? run.at_step("train", *step) : train.back();
  if (!point)
    throw Error(dir + ": no train step logged at or before step " + std::to_string(*step) +
                " (the first is " + std::to_string(train.front()->at("step").get<int64_t>()) + ")");
  const json& first = *train.front();
  const json& info = run.info;
  const json& terms = point->at("terms");
  const double total = terms.at("total_loss").get<double>();
  const double reg_loss = terms.value("regularization_loss", 0.0);

  json out;
  out["run"] = dir;
  out["step"] = point->at("step");
  out["epoch"] = point->at("epoch");
  out["convention"] = info.at("convention");
  out["optimizer"] = info.at("optimizer");

  const TermRows t = term_rows(info, *point, first);
  const double data_sum = t.data_sum, reg_sum = t.reg_sum;
  out["terms"] = t.rows;
  out["identity"] = {
      {"total_loss", total},
      {"data_sum", data_sum},
      {"regularization_loss", reg_loss},
      {"regularization_sum", reg_sum},
      {"holds", std::fabs(data_sum + reg_loss - total) <= 1e-5 * std::max(1.0, std::fabs(total))}};

  json answers = json::array();
  const Answer answer = [&](const std::string& q, const std::string& a) {
    answers.push_back({{"question", q}, {"answer", a}});
  };
  answer_objective(answer, run, info, point, first, t.reg_rows, total, data_sum, reg_loss, reg_sum);
  answer_model(answer, info, point);
  out["answers"] = answers;
  return out;
}

std::string render_explanation(const json& e) {
  std::ostringstream os;
  const json& opt = e.at("optimizer");
  os << "Run " << e.at("run").get<std::string>() << " — step " << e.at("step") << " (epoch "
     << e.at("epoch") << ", train)\n";
  os << "Convention: " << e.at("convention").get<std::string>()
     << "   Optimizer: " << opt.at("name").get<std::string>() << ", "
     << opt.at("schedule").get<std::string>()
     << "   Weight decay: " << opt.at("weight_decay").at("kind").get<std::string>() << "\n\n";
  const json& id = e.at("identity");
  os << "total_loss = Σ data terms + regularization_loss\n"
     << "           = " << num(id.at("data_sum").get<double>()) << " + "
     << num(id.at("regularization_loss").get<double>()) << " = "
     << num(id.at("total_loss").get<double>())
     << (id.at("holds").get<bool>() ? "   (holds)" : "   (DOES NOT HOLD)") << "\n\n";
  // Columns are padded by display width, not bytes: Σ, ², ‖ are several bytes in UTF-8.
  auto pad = [](std::string text, size_t width, bool right = false) {
    size_t shown = 0, cut = text.size();
    for (size_t i = 0; i < text.size(); ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        if (shown == width - 1 && i < text.size()) {
          cut = i;
          break;
        }
        ++shown;
      }
    if (cut < text.size()) {
      text = text.substr(0, cut) + "…";
      shown = width;
    }
    const std::string fill(width > shown ? width - shown : 0, ' ');
    return right ? fill + text : text + fill;
  };
  os << pad("term", 28) << pad("formula", 40) << pad("value", 11, true) << pad("of total", 10, true)
     << pad("of grad", 9, true) << "  trend\n";
  std::vector<std::pair<std::string, std::vector<std::string>>>
      by_coefficient;  // equivalents text → terms
  for (const auto& t : e.at("terms")) {
    const std::string grad_share =
        t.contains("share_of_gradient") ? pct(t.at("share_of_gradient").get<double>()) : "—";
    const std::string trend = t.contains("trend")
                                  ? (t.at("trend").get<double>() >= 0 ? "+" : "") +
                                        pct(t.at("trend").get<double>()) + " since step " +
                                        std::to_string(t.at("first_step").get<int64_t>())
                                  : "";
    os << pad(t.at("name").get<std::string>(), 28) << pad(t.value("formula", ""), 40)
       << pad(num(t.at("value").get<double>(), 5), 11, true)
       << pad(pct(t.at("share_of_total").get<double>()), 10, true) << pad(grad_share, 9, true)
       << "  " << trend << "\n";
    if (t.contains("source"))
      os << "    penalizes " << t.at("source").get<std::string>()
         << (t.contains("size") ? " (" + std::to_string(t.at("size").get<int64_t>()) + " values)"
                                : "")
         << (t.contains("divisor") ? ", divided by " + t.at("divisor").get<std::string>() : "")
         << "\n";
    if (t.contains("equivalents") && !t.at("equivalents").empty()) {
      std::string text;
      for (const auto& q : t.at("equivalents"))
        text += "    " + q.at("target").get<std::string>() + ": " +
                (q.at("exists").get<bool>() ? num(q.at("value").get<double>()) : "none") + " — " +
                q.at("note").get<std::string>() + "\n";
      auto it = std::find_if(by_coefficient.begin(), by_coefficient.end(),
                             [&](const auto& g) { return g.first == text; });
      if (it == by_coefficient.end())
        by_coefficient.push_back({text, {t.at("name").get<std::string>()}});
      else
        it->second.push_back(t.at("name").get<std::string>());
    }
  }
  for (const auto& [text, names] : by_coefficient) {
    os << "\nThe same penalty elsewhere, for ";
    for (size_t i = 0; i < names.size(); ++i) os << (i ? ", " : "") << names[i];
    os << ":\n" << text;
  }
  os << "\nQuestions this run answers\n";
  for (const auto& a : e.at("answers"))
    os << "  • " << a.at("question").get<std::string>() << "\n    "
       << a.at("answer").get<std::string>() << "\n";
  return os.str();
}

}  // namespace occam::app
