// Learning-rate schedules: pure functions of the update index. lr_at(k) is the learning rate of
// update k, counted from 0 (the first optimizer step uses lr_at(0)), and the trainer calls
// optimizer.step(schedule.lr_at(k)). No schedule keeps state, so a resumed run needs only k.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>

namespace occam::optim {

class Schedule {
 public:
  virtual ~Schedule() = default;
  virtual float lr_at(int64_t step) const = 0;  // step >= 0
  virtual std::string formula() const = 0;      // one line, for `occam explain` and the run log
};

// lr at every step.
struct ConstantLrOptions {
  float lr = 0.f;  // >= 0
};
class ConstantLr final : public Schedule {
 public:
  explicit ConstantLr(ConstantLrOptions options);
  float lr_at(int64_t step) const override;
  std::string formula() const override;

 private:
  ConstantLrOptions options_;
};

// lr·γ^⌊step/step_size⌋: torch StepLR, with step_size counted in optimizer steps, not epochs.
struct StepLrOptions {
  float lr = 0.f;         // >= 0
  int64_t step_size = 0;  // >= 1
  float gamma = 0.1f;     // > 0 (torch's default)
};
class StepLr final : public Schedule {
 public:
  explicit StepLr(StepLrOptions options);
  float lr_at(int64_t step) const override;
  std::string formula() const override;

 private:
  StepLrOptions options_;
};

// lr·rate^(step/decay_steps), the exponent floored when staircase: Keras ExponentialDecay.
// torch ExponentialLR(γ), applied every step, is decay_steps = 1, rate = γ; the TF OD API's
// exponential_decay_learning_rate is staircase = true.
struct ExponentialLrOptions {
  float lr = 0.f;           // >= 0
  int64_t decay_steps = 1;  // >= 1
  float decay_rate = 0.f;   // > 0
  bool staircase = false;
};
class ExponentialLr final : public Schedule {
 public:
  explicit ExponentialLr(ExponentialLrOptions options);
  float lr_at(int64_t step) const override;
  std::string formula() const override;

 private:
  ExponentialLrOptions options_;
};

// Cosine decay with linear warmup: the TF OD API's cosine_decay_with_warmup, plus torch
// CosineAnnealingLR's floor min_lr (0 gives the OD API's exactly). W = warmup_steps,
// H = hold_steps, T = total_steps:
//   step < W:            warmup_lr + (lr − warmup_lr)·step/W
//   W <= step <= W + H:  lr
//   step <= T:           min_lr + (lr − min_lr)·(1 + cos(π·(step − W − H)/(T − W − H)))/2
//   step > T:            min_lr
struct CosineLrOptions {
  float lr = 0.f;            // the peak, >= 0
  int64_t total_steps = 0;   // > warmup_steps + hold_steps
  int64_t warmup_steps = 0;  // >= 0
  float warmup_lr = 0.f;     // the lr of step 0, in [0, lr]
  int64_t hold_steps = 0;    // >= 0: steps at lr after the warmup
  float min_lr = 0.f;        // in [0, lr]
};
class CosineLr final : public Schedule {
 public:
  explicit CosineLr(CosineLrOptions options);
  float lr_at(int64_t step) const override;
  std::string formula() const override;

 private:
  CosineLrOptions options_;
};

// Constructors throw ConfigError naming the first bad option:
//   "step schedule: expected step_size >= 1, got 0".
using ScheduleOptions =
    std::variant<ConstantLrOptions, StepLrOptions, ExponentialLrOptions, CosineLrOptions>;
std::unique_ptr<Schedule> make_schedule(const ScheduleOptions& options);

}  // namespace occam::optim
