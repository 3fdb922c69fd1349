#include "occam/app/eval_command.h"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "occam/app/session.h"
#include "occam/config/build.h"
#include "occam/config/node.h"
#include "occam/optim/schedule.h"
#include "occam/tensor/threads.h"
#include "occam/train/trainer.h"

namespace occam::app {

using json = nlohmann::ordered_json;

json run_eval(const std::string& dir, const std::string& which) {
  if (!std::filesystem::is_directory(dir)) throw Error(dir + ": no such run directory");
  const std::string path =
      which == "best" || which == "last" ? dir + "/checkpoints/" + which + ".ckpt" : which;
  const train::Checkpoint checkpoint = train::load_checkpoint(path);
  const auto session = open_session(config::load_run_config(dir + "/config.yaml"));
  if (session->data.test->size() == 0)
    throw Error(dir + "/config.yaml: the run's data has no test split to evaluate");
  session->trainer->restore(checkpoint);
  const train::EvalResult r =
      session->trainer->evaluate(*session->data.test, session->config.training.eval_batch_size);

  json out;
  out["run"] = dir;
  out["checkpoint"] = path;
  out["epoch"] = checkpoint.header.value("epoch", int64_t(0));
  out["step"] = checkpoint.header.value("step", int64_t(0));
  out["split"] = "test";
  out["samples"] = r.count;
  json terms = json::object(), data_terms = json::array();
  for (const auto& t : r.terms) terms[t.name] = t.value;
  for (const auto& t : session->task->data_terms()) data_terms.push_back(t.name);
  out["data_terms"] = data_terms;
  out["terms"] = terms;
  json metrics = json::object();
  for (const auto& [name, v] : r.metrics) metrics[name] = v;
  out["metrics"] = metrics;
  return out;
}

std::string render_eval(const json& r) {
  std::ostringstream os;
  os << std::setprecision(6);
  os << "Evaluated " << r.at("checkpoint").get<std::string>() << " (epoch " << r.at("epoch")
     << ", step " << r.at("step") << ") on the test split, " << r.at("samples") << " samples\n\n";
  const json& terms = r.at("terms");
  const json& data_terms = r.at("data_terms");
  auto is_data = [&](const std::string& name) {
    return std::find(data_terms.begin(), data_terms.end(), name) != data_terms.end();
  };
  auto row = [&](const std::string& name, const json& v) {
    os << "  " << std::left << std::setw(32) << name << v.get<double>() << "\n";
  };
  os << "data terms\n";
  for (const auto& [name, v] : terms.items())
    if (is_data(name)) row(name, v);
  os << "regularization terms\n";
  for (const auto& [name, v] : terms.items())
    if (!is_data(name) && name != "regularization_loss" && name != "total_loss") row(name, v);
  row("regularization_loss", terms.at("regularization_loss"));
  os << "total_loss                        " << terms.at("total_loss").get<double>() << "\n\n";
  const json& m = r.at("metrics");
  if (m.contains("accuracy") && m.contains("top5")) {
    os << "accuracy " << m.at("accuracy").get<double>() << "   top-5 " << m.at("top5").get<double>()
       << "\n";
  } else {
    std::string sep;
    for (const auto& [name, v] : m.items()) {
      os << sep << name << " " << v.get<double>();
      sep = "   ";
    }
    os << "\n";
  }
  return os.str();
}

}  // namespace occam::app
