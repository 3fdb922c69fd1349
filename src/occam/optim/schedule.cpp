#include "occam/optim/schedule.h"

#include <cmath>
#include <numbers>

#include "occam/optim/optimizer.h"

namespace occam::optim {

namespace {

using detail::coefficient;

void check_lr(const char* schedule, float lr) {
  if (!(std::isfinite(lr) && lr >= 0.f))
    throw ConfigError(std::string(schedule) + ": expected lr >= 0, got " + coefficient(lr));
}
void check_step(int64_t step) {
  OCCAM_CHECK(step >= 0, "lr schedule: expected a step >= 0, got ", step);
}

}  // namespace

// ---- constant ----

ConstantLr::ConstantLr(ConstantLrOptions options) : options_(options) {
  check_lr("constant schedule", options_.lr);
}
float ConstantLr::lr_at(int64_t step) const {
  check_step(step);
  return options_.lr;
}
std::string ConstantLr::formula() const { return "lr = " + coefficient(options_.lr); }

// ---- step ----

StepLr::StepLr(StepLrOptions options) : options_(options) {
  check_lr("step schedule", options_.lr);
  if (options_.step_size < 1)
    throw ConfigError("step schedule: expected step_size >= 1, got " +
                      std::to_string(options_.step_size));
  if (!(std::isfinite(options_.gamma) && options_.gamma > 0.f))
    throw ConfigError("step schedule: expected gamma > 0, got " + coefficient(options_.gamma));
}
float StepLr::lr_at(int64_t step) const {
  check_step(step);
  return float(options_.lr * std::pow(double(options_.gamma), double(step / options_.step_size)));
}
std::string StepLr::formula() const {
  return "lr = " + coefficient(options_.lr) + "·" + coefficient(options_.gamma) + "^⌊step/" +
         std::to_string(options_.step_size) + "⌋";
}

// ---- exponential ----

ExponentialLr::ExponentialLr(ExponentialLrOptions options) : options_(options) {
  check_lr("exponential schedule", options_.lr);
  if (options_.decay_steps < 1)
    throw ConfigError("exponential schedule: expected decay_steps >= 1, got " +
                      std::to_string(options_.decay_steps));
  if (!(std::isfinite(options_.decay_rate) && options_.decay_rate > 0.f))
    throw ConfigError("exponential schedule: expected decay_rate > 0, got " +
                      coefficient(options_.decay_rate));
}
float ExponentialLr::lr_at(int64_t step) const {
  check_step(step);
  const double exponent = options_.staircase ? double(step / options_.decay_steps)
                                             : double(step) / double(options_.decay_steps);
  return float(options_.lr * std::pow(double(options_.decay_rate), exponent));
}
std::string ExponentialLr::formula() const {
  const std::string ratio = "step/" + std::to_string(options_.decay_steps);
  return "lr = " + coefficient(options_.lr) + "·" + coefficient(options_.decay_rate) + "^" +
         (options_.staircase ? "⌊" + ratio + "⌋" : "(" + ratio + ")");
}

// ---- cosine with warmup ----

CosineLr::CosineLr(CosineLrOptions o) : options_(o) {
  const auto fail = [](const std::string& what) { throw ConfigError("cosine schedule: " + what); };
  check_lr("cosine schedule", o.lr);
  if (o.warmup_steps < 0) fail("expected warmup_steps >= 0, got " + std::to_string(o.warmup_steps));
  if (o.hold_steps < 0) fail("expected hold_steps >= 0, got " + std::to_string(o.hold_steps));
  if (o.total_steps <= o.warmup_steps + o.hold_steps)
    fail("expected total_steps > warmup_steps + hold_steps = " +
         std::to_string(o.warmup_steps + o.hold_steps) + ", got " + std::to_string(o.total_steps));
  if (!(o.warmup_lr >= 0.f && o.warmup_lr <= o.lr))
    fail("expected warmup_lr in [0, lr = " + coefficient(o.lr) + "], got " +
         coefficient(o.warmup_lr));
  if (!(o.min_lr >= 0.f && o.min_lr <= o.lr))
    fail("expected min_lr in [0, lr = " + coefficient(o.lr) + "], got " + coefficient(o.min_lr));
}
float CosineLr::lr_at(int64_t step) const {
  check_step(step);
  const CosineLrOptions& o = options_;
  const double lr = o.lr, W = double(o.warmup_steps), H = double(o.hold_steps);
  if (step < o.warmup_steps) return float(o.warmup_lr + (lr - o.warmup_lr) * double(step) / W);
  if (step <= o.warmup_steps + o.hold_steps) return o.lr;
  if (step > o.total_steps) return o.min_lr;
  const double progress = (double(step) - W - H) / (double(o.total_steps) - W - H);
  return float(o.min_lr + (lr - o.min_lr) * 0.5 * (1.0 + std::cos(std::numbers::pi * progress)));
}
std::string CosineLr::formula() const {
  const CosineLrOptions& o = options_;
  std::string f;
  if (o.warmup_steps > 0)
    f = "linear " + coefficient(o.warmup_lr) + " → " + coefficient(o.lr) + " over " +
        std::to_string(o.warmup_steps) + " steps, then ";
  if (o.hold_steps > 0)
    f += coefficient(o.lr) + " for " + std::to_string(o.hold_steps) + " steps, then ";
  return f + "cosine " + coefficient(o.lr) + " → " + coefficient(o.min_lr) + " until step " +
         std::to_string(o.total_steps);
}

std::unique_ptr<Schedule> make_schedule(const ScheduleOptions& options) {
  struct Make {
    std::unique_ptr<Schedule> operator()(const ConstantLrOptions& o) {
      return std::make_unique<ConstantLr>(o);
    }
    std::unique_ptr<Schedule> operator()(const StepLrOptions& o) {
      return std::make_unique<StepLr>(o);
    }
    std::unique_ptr<Schedule> operator()(const ExponentialLrOptions& o) {
      return std::make_unique<ExponentialLr>(o);
    }
    std::unique_ptr<Schedule> operator()(const CosineLrOptions& o) {
      return std::make_unique<CosineLr>(o);
    }
  };
  return std::visit(Make{}, options);
}

}  // namespace occam::optim
