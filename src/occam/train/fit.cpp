#include "occam/train/fit.h"

#include <chrono>

#include "occam/train/metrics.h"

namespace occam::train {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Epoch means of the step terms, weighted by batch size (as Keras' History), and the task's
// train metrics over every batch of the epoch.
class EpochAccumulator {
 public:
  explicit EpochAccumulator(const Task& task) : metrics_(task.train_metrics()) {}
  void add(const StepResult& r, const data::Batch& batch) {
    if (names_.empty())
      for (const auto& t : r.terms) {
        names_.push_back(t.name);
        means_.emplace_back();
      }
    for (size_t i = 0; i < r.terms.size() && i < means_.size(); ++i)
      means_[i].add(r.terms[i].value, r.count);
    metrics_->add(r.outputs, batch);
    samples_ += r.count;
  }
  EpochEvent event(int64_t epoch, double seconds) const {
    EpochEvent e;
    e.epoch = epoch;
    for (size_t i = 0; i < names_.size(); ++i)
      e.terms.push_back({names_[i], float(means_[i].mean())});
    e.metrics = metrics_->values();
    e.samples = samples_;
    e.seconds = seconds;
    return e;
  }
  int64_t samples() const { return samples_; }

 private:
  std::vector<std::string> names_;
  std::vector<RunningMean> means_;
  std::unique_ptr<MetricAccumulator> metrics_;
  int64_t samples_ = 0;
};

void run_epoch(Trainer& trainer, data::Batcher& batcher, const FitOptions& o, int64_t epoch,
               std::span<Callback* const> callbacks) {
  for (Callback* c : callbacks) c->on_epoch_begin(epoch);
  batcher.start_epoch(epoch - 1);
  EpochAccumulator acc(trainer.task());
  const auto t0 = Clock::now();
  const int64_t batches = o.max_batches > 0 ? std::min(o.max_batches, batcher.batches_per_epoch())
                                            : batcher.batches_per_epoch();
  data::Batch batch;
  for (int64_t b = 1; b <= batches; ++b) {
    const auto t_data = Clock::now();
    if (!batcher.next(batch)) break;
    const double data_s = since(t_data);
    const bool measure = o.measure_every > 0 && trainer.step() % o.measure_every == 0;
    const float lr = trainer.lr();
    const StepResult r = trainer.train_step(batch, measure);
    acc.add(r, batch);
    const StepEvent event{epoch, b,      batches, batch,     r,
                          lr,    data_s, measure, since(t0), acc.samples()};
    for (Callback* c : callbacks) c->on_step(event);
  }
  EpochEvent event = acc.event(epoch, since(t0));
  if (o.validation && o.validation->size() > 0)
    event.validation = trainer.evaluate(*o.validation, o.eval_batch_size);
  for (Callback* c : callbacks) c->on_epoch_end(event);
}

}  // namespace

void fit(Trainer& trainer, data::Batcher& batcher, const FitOptions& o,
         std::span<Callback* const> callbacks) {
  try {
    for (int64_t epoch = o.first_epoch; epoch <= o.epochs; ++epoch)
      run_epoch(trainer, batcher, o, epoch, callbacks);
  } catch (...) {
    for (Callback* c : callbacks) c->on_abort();
    throw;
  }
}

}  // namespace occam::train
