// occam: the command line. Each sub-command's work lives in src/occam/app/; main parses flags,
// catches occam::Error, prints its one line and exits non-zero.
#include <CLI/CLI.hpp>
#include <iostream>

#include "occam/app/bench_command.h"
#include "occam/app/eval_command.h"
#include "occam/app/explain.h"
#include "occam/app/report.h"
#include "occam/app/train_command.h"
#include "occam/cli/wait_policy.h"
#include "occam/detection/eval_detections.h"
#include "occam/error.h"

namespace {

// `occam bench`'s flags, into `bench`.
CLI::App* add_bench(CLI::App& app, occam::app::BenchArgs& bench) {
  auto* bench_cmd =
      app.add_subcommand("bench", "train the bench/ reference models and print one JSON line");
  bench_cmd->add_option("--model", bench.model, "mlp or cnn")
      ->check(CLI::IsMember({"mlp", "cnn"}))
      ->capture_default_str();
  bench_cmd->add_option("--threads", bench.threads, "threads")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  bench_cmd->add_option("--epochs", bench.epochs, "epochs")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 20))
      ->capture_default_str();
  bench_cmd
      ->add_option("--max-batches", bench.max_batches,
                   "stop each epoch after N steps (0: whole epoch)")
      ->check(CLI::NonNegativeNumber);
  bench_cmd->add_flag("--no-eval", bench.no_eval, "skip the test-set pass after each epoch");
  bench_cmd->add_option("--l2", bench.l2, "kernel L2 coefficient (0: no regularizers)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  bench_cmd->add_flag("!--no-fused", bench.fused_regularizers,
                      "L2 through the tape instead of the fused path");

  return bench_cmd;
}

// `occam eval-detections`' flags, into `args`.
CLI::App* add_eval_detections(CLI::App& app, occam::detection::EvalDetectionsArgs& args) {
  auto* cmd = app.add_subcommand(
      "eval-detections", "COCO mAP or Pascal VOC AP of detections, as pycocotools / the devkit");
  cmd->add_option("--gt", args.gt, "COCO ground-truth JSON, or a VOC root")->required();
  cmd->add_option("--detections", args.detections,
                  "COCO results JSON, or a folder of <class>.txt devkit files")
      ->required();
  cmd->add_option("--metric", args.metric, "coco, voc07 (11-point) or voc12 (all points)")
      ->check(CLI::IsMember({"coco", "voc07", "voc12"}))
      ->capture_default_str();
  cmd->add_option("--iou", args.iou, "VOC IoU threshold")->capture_default_str();
  cmd->add_option("--split", args.split, "VOC image set: ImageSets/Main/SPLIT.txt");
  cmd->add_option("--voc-matching", args.voc_matching,
                  "devkit (+1 pixel, IoU > T) or tf_od_api (no +1, IoU >= T)")
      ->check(CLI::IsMember({"devkit", "tf_od_api"}))
      ->capture_default_str();
  cmd->add_flag("--json", args.json, "one JSON object keyed by the TF OD API's metric names");
  return cmd;
}

}  // namespace

int main(int argc, char** argv) {
  // First thing: libgomp must load with a passive wait policy, or its idle workers spin and a
  // shared 2-core machine trains 5-20× slower (bench/RESULTS.md). May re-execute the program.
  occam::cli::use_passive_openmp_wait(argv);
  CLI::App app{"occam: a deep-learning trainer whose objective you can see into"};
  app.require_subcommand(1);

  occam::app::TrainArgs train;
  int64_t epochs = 0, max_batches = 0;
  auto* train_cmd = app.add_subcommand(
      "train",
      "train a config (default: the embedded Fashion-MNIST MLP) and write a run directory");
  train_cmd->add_option("config", train.config, "YAML config file (omit for the embedded default)");
  train_cmd->add_option("--out", train.out, "parent directory of run directories")
      ->capture_default_str();
  train_cmd->add_option("--name", train.name, "run directory name (default: the config's name)");
  train_cmd->add_option("--epochs", epochs, "override training.epochs")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 40));
  train_cmd->add_option("--resume", train.resume,
                        "continue the run in this directory from its last checkpoint");
  train_cmd->add_option("--max-batches", max_batches, "stop each epoch after N steps (quick runs)")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 40));
  train_cmd->add_flag("--quiet", train.quiet, "print only the run directory");

  std::string explain_dir;
  int64_t explain_step = -1;
  bool explain_json = false;
  auto* explain_cmd =
      app.add_subcommand("explain", "explain every term of a run's objective at one step");
  explain_cmd->add_option("run", explain_dir, "run directory")->required();
  explain_cmd->add_option("--step", explain_step, "the step (default: the last logged)")
      ->check(CLI::NonNegativeNumber);
  explain_cmd->add_flag("--json", explain_json, "print JSON for tools");

  std::string eval_dir, eval_checkpoint = "best";
  bool eval_json = false;
  auto* eval_cmd = app.add_subcommand("eval", "evaluate a run's checkpoint on the test split");
  eval_cmd->add_option("run", eval_dir, "run directory")->required();
  eval_cmd->add_option("--checkpoint", eval_checkpoint, "best, last, or a checkpoint file")
      ->capture_default_str();
  eval_cmd->add_flag("--json", eval_json, "print JSON for tools");

  std::string report_dir, report_out;
  auto* report_cmd = app.add_subcommand("report", "write one self-contained HTML page about a run");
  report_cmd->add_option("run", report_dir, "run directory")->required();
  report_cmd->add_option("--out", report_out, "output file (default: RUN/report.html)");

  occam::app::BenchArgs bench;
  CLI::App* bench_cmd = add_bench(app, bench);
  occam::detection::EvalDetectionsArgs eval_det;
  CLI::App* eval_det_cmd = add_eval_detections(app, eval_det);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (*train_cmd) {
      if (epochs > 0) train.epochs = epochs;
      if (max_batches > 0) train.max_batches = max_batches;
      const std::string dir = occam::app::run_train(train, std::cout);
      std::cout << dir << "\n";
    } else if (*bench_cmd) {
      std::cout << occam::app::run_bench(bench) << std::endl;
    } else if (*eval_det_cmd) {
      std::cout << occam::detection::run_eval_detections(eval_det);
    } else if (*eval_cmd) {
      auto r = occam::app::run_eval(eval_dir, eval_checkpoint);
      std::cout << (eval_json ? r.dump(2) + "\n" : occam::app::render_eval(r));
    } else if (*report_cmd) {
      std::cout << occam::app::write_report(report_dir, report_out) << "\n";
    } else if (*explain_cmd) {
      auto e = occam::app::explain_run(
          explain_dir, explain_step >= 0 ? std::optional<int64_t>(explain_step) : std::nullopt);
      std::cout << (explain_json ? e.dump(2) + "\n" : occam::app::render_explanation(e));
    }
  } catch (const occam::Error& e) {
    std::cerr << "occam: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "occam: internal error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
