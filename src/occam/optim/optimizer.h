// Optimizer: updates a model's parameters from their gradients, and owns the state it keeps
// between steps (momentum, moment estimates), named as torch names it so that a checkpoint can
// store it. The learning rate is an argument of step(): the schedule computes it, the trainer
// passes it, and the optimizer holds no lr of its own.
//
// One training step (train::Trainer::train_step), in this order:
//   optimizer.zero_grad()              every gradient buffer to 0
//   forward, objective, backward       the buffers receive ∂(terms on the tape)/∂p
//   gradient hook                      (optional; e.g. an all-reduce of those gradients)
//   fused L1/L2 penalty gradients      added to the same buffers: they now hold ∂total/∂p
//   optimizer.step(schedule.lr_at(k))  k = the number of steps before this one (0 first)
//   constraints                        each constrained parameter is projected after the update
// step() reads the buffers as they are when it is called: whatever adds to them comes before it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "occam/nn/parameter.h"

namespace occam::optim {

// One tensor of optimizer state: "<parameter name>/<state name>", e.g. "dense_1/kernel/exp_avg".
struct NamedTensor {
  std::string name;
  Tensor value;
};

// How weight decay acts, for `occam explain` and the logs (SPEC-regularization §7).
enum class WeightDecayKind {
  none,
  // g ← g + wd·w before the update: an L2 penalty's gradient (torch SGD, Adam, RMSprop).
  coupled,
  // w ← w·(1 − lr·wd) before the update, outside the gradient (torch AdamW, Keras).
  decoupled,
};
struct WeightDecay {
  WeightDecayKind kind = WeightDecayKind::none;
  float coefficient = 0.f;    // wd
  bool scaled_by_lr = false;  // the shrink per step is lr·wd (true for torch AdamW), not wd
  std::string formula;        // "g ← g + 0.01·w (coupled: ...)", one line
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update, with learning rate lr (finite, >= 0), of every parameter that is trainable and
  // has a gradient buffer; the others are untouched and their state does not advance (as torch
  // skips a parameter whose .grad is None). Allocates only at a parameter's first update.
  void step(float lr);
  // Fills every parameter's gradient buffer with 0 (those without one stay without).
  void zero_grad();

  // Copies of the state, in parameter order: "<param>/<state>" with torch's state names
  // (momentum_buffer, exp_avg, exp_avg_sq, square_avg, grad_avg) and, for Adam, AdamW and
  // RMSprop, "<param>/step", the number of updates of that parameter (a scalar; exact up to 2^24,
  // where Adam's bias corrections have long reached 1). Parameters never updated have no entries.
  std::vector<NamedTensor> state() const;
  // Replaces the whole state by `state` (as state() returned it). Entries are copied. Throws
  // CheckpointError naming the entry when a name is unknown, a shape differs from the
  // parameter's, a step is not a whole number >= 1, or a parameter's entries are incomplete.
  void load_state(const std::vector<NamedTensor>& state);

  // Elements [begin, end) of one parameter: what one update() call covers.
  struct Range {
    int64_t begin, end;
  };

  virtual const char* name() const = 0;  // "sgd", "adam", "adamw", "rmsprop"
  virtual WeightDecay describe_weight_decay() const = 0;
  const std::vector<nn::Parameter*>& parameters() const { return params_; }

 protected:
  // What a subclass keeps per parameter: torch's step count and its buffers, named by
  // `buffer_names` (given to the constructor below). A buffer stays undefined until the
  // parameter's first update (torch's "state is empty" / "momentum_buffer is None").
  struct Slot {
    int64_t step = 0;             // updates so far, this one included inside update()
    std::vector<Tensor> buffers;  // one per buffer name
  };
  // Parameters must be non-null, outlive the optimizer, and have unique names.
  // counts_steps: whether "<param>/step" is part of the state (torch Adam/RMSprop, not SGD).
  Optimizer(std::vector<nn::Parameter*> params, std::vector<std::string> buffer_names,
            bool counts_steps);
  // Updates elements r of w in place from g (same shape); slot.step already counts this update.
  // step() cuts the parameters into ranges and runs them on several threads at once (the task
  // pool, tensor/parallel.h), so update() may write only elements r of w and of the slot's
  // buffers; it may create a buffer that is undefined, and step() then calls it from one thread
  // with the whole parameter.
  virtual void update(Tensor& w, const Tensor& g, Slot& slot, float lr, Range r) = 0;

 private:
  std::vector<nn::Parameter*> params_;
  std::vector<std::string> buffer_names_;
  bool counts_steps_ = false;
  std::vector<Slot> slots_;  // one per parameter
  struct Chunk {
    size_t param;
    Range range;
  };
  std::vector<Chunk> chunks_;  // step()'s tasks, kept to reuse the allocation
};

namespace detail {
// "0.01": a coefficient as `occam explain` prints it (%g).
std::string coefficient(float v);
// Below this many elements (all parameters together) an update runs on one thread; above it the
// parameters are cut into ranges of kChunk elements run as tasks (each element is updated
// independently, so the result does not depend on the thread count).
constexpr int64_t kParallelMin = 1 << 15;
constexpr int64_t kChunk = 1 << 16;
}  // namespace detail

}  // namespace occam::optim
