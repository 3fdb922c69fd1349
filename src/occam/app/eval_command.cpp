#include "occam/app/eval_command.h"

#include <filesystem>
#include <iomanip>
#include <sstream>

#include "occam/app/splits.h"
#include "occam/config/build.h"
#include "occam/config/node.h"
#include "occam/optim/schedule.h"
#include "occam/tensor/threads.h"
#include "occam/train/trainer.h"

namespace occam::app {

using json = nlohmann::ordered_json;

json run_eval(const std::string& dir, const std::string& which) {
  if (!std::filesystem::is_directory(dir)) throw Error(dir + ": no such run directory");
  const std::string path = which == "best" || which == "last" ? dir + "/checkpoints/" + which + ".ckpt" : which;
  config::RunConfig cfg = config::load_run_config(dir + "/config.yaml");
  set_num_threads(cfg.threads);
  const train::Checkpoint checkpoint = train::load_checkpoint(path);
  Splits data = load_splits(cfg);
  if (data.test.size() == 0) throw Error(dir + "/config.yaml: the run's data has no test split to evaluate");
  Rng rng(cfg.seed);
  auto model = config::build_model(cfg.model, cfg.convention, rng);
  auto optimizer = config::build_optimizer(cfg.optimizer, model->parameters());
  train::Trainer trainer(*model, *optimizer, [](int64_t) { return 0.f; },
                         train::ClassificationTask{cfg.training.label_smoothing}, {}, Rng(0));
  trainer.restore(checkpoint);
  const train::EvalResult r = trainer.evaluate(data.test, cfg.training.eval_batch_size);

  json out;
  out["run"] = dir;
  out["checkpoint"] = path;
  out["epoch"] = checkpoint.header.value("epoch", int64_t(0));
  out["step"] = checkpoint.header.value("step", int64_t(0));
  out["split"] = "test";
  out["samples"] = r.count;
  json terms = json::object();
  for (const auto& t : r.terms) terms[t.name] = t.value;
  out["terms"] = terms;
  out["metrics"] = {{"accuracy", r.accuracy}, {"top5", r.top5}};
  return out;
}

std::string render_eval(const json& r) {
  std::ostringstream os;
  os << std::setprecision(6);
  os << "Evaluated " << r.at("checkpoint").get<std::string>() << " (epoch " << r.at("epoch") << ", step "
     << r.at("step") << ") on the test split, " << r.at("samples") << " samples\n\n";
  const json& terms = r.at("terms");
  os << "data terms\n";
  auto it = terms.begin();
  os << "  " << std::left << std::setw(32) << it.key() << it.value().get<double>() << "\n";
  os << "regularization terms\n";
  for (++it; it != terms.end(); ++it) {
    if (it.key() == "regularization_loss" || it.key() == "total_loss") continue;
    os << "  " << std::left << std::setw(32) << it.key() << it.value().get<double>() << "\n";
  }
  os << "  " << std::left << std::setw(32) << "regularization_loss" << terms.at("regularization_loss").get<double>() << "\n";
  os << "total_loss                        " << terms.at("total_loss").get<double>() << "\n\n";
  os << "accuracy " << r.at("metrics").at("accuracy").get<double>() << "   top-5 " << r.at("metrics").at("top5").get<double>()
     << "\n";
  return os.str();
}

}  // namespace occam::app
