// Tiny runs for the app tests: a config written to a fresh temporary directory, trained in-process.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "occam/app/train_command.h"

namespace occam::testing {

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("occam_app_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A small MLP on the first 1200 Fashion-MNIST images (300 held out for validation).
inline std::string tiny_config(
    const std::string& extra_layers_kernel_regularizer = "{l2: 1.0e-3}",
    const std::string& optimizer = "{type: sgd, lr: 0.05, momentum: 0.9}", int epochs = 2,
    const std::string& schedule = "") {
  return "name: tiny\nseed: 7\nthreads: 1\n"
         "data: {dataset: fashion_mnist, train_limit: 1200, validation_split: 0.25}\n"
         "model:\n  input_shape: [1, 28, 28]\n  layers:\n"
         "    - {type: flatten}\n"
         "    - {type: dense, units: 32, activation: relu, kernel_regularizer: " +
         extra_layers_kernel_regularizer +
         "}\n"
         "    - {type: dropout, rate: 0.2}\n"
         "    - {type: dense, units: 10, kernel_regularizer: {l2: 1.0e-3}, bias_regularizer: {l1: 1.0e-4}}\n"
         "optimizer: " +
         optimizer + "\n" + schedule + "training: {epochs: " + std::to_string(epochs) +
         ", batch_size: 64, eval_batch_size: 500}\n"
         "logging: {every_steps: 5, histograms_every_steps: 10, keep_checkpoints: 2}\n";
}

inline std::string write_config(const TempDir& dir, const std::string& text,
                                const std::string& name = "c.yaml") {
  std::ofstream(dir / name) << text;
  return dir / name;
}

inline std::string train_quietly(app::TrainArgs args) {
  args.quiet = true;
  std::ostringstream out;
  return app::run_train(args, out);
}

inline std::vector<nlohmann::ordered_json> read_jsonl(const std::string& path) {
  std::vector<nlohmann::ordered_json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(nlohmann::ordered_json::parse(line));
  return out;
}

inline std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a command, returning its exit status and (merged) output.
inline std::pair<int, std::string> run_command(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return {-1, ""};
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace occam::testing
