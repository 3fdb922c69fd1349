// `occam train [CONFIG] [--out DIR] [--name NAME] [--epochs N] [--resume RUN]`: trains a config and
// writes a run directory:
//   runs/<name>/config.yaml         the config as given (the embedded default when none)
//   runs/<name>/run.json            what explaining the run needs: terms, formulas, conventions,
//                                   optimizer and weight decay, equivalences, layers
//   runs/<name>/metrics.jsonl       one JSON object per logged point (train, val, test)
//   runs/<name>/train/, validation/ TensorBoard event files
//   runs/<name>/checkpoints/        epoch-<k>.ckpt (last K), best.ckpt, last.ckpt
//   runs/<name>/summary.json        test accuracy, epochs, steps, wall time, final terms
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace occam::app {

struct TrainArgs {
  std::string config;  // empty: the embedded default
  std::string out = "runs";
  std::string name;  // empty: the config's name
  std::optional<int64_t> epochs;
  std::string resume;                  // a run directory to continue
  std::optional<int64_t> max_batches;  // per epoch (quick runs and tests)
  bool quiet = false;                  // no progress output (tests)
};

// Returns the run directory. Throws occam::Error subclasses on bad input; the console output goes
// to `out`.
std::string run_train(const TrainArgs& args, std::ostream& out);

}  // namespace occam::app
