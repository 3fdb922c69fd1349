// The Trainer and the fit loop on a small dense model: the order of a step (the gradient hook
// sees the data gradient only; the fused penalty gradient comes after it), the task's terms and
// metrics, evaluation over a whole source, a task with two data terms, and fit's callbacks.
#include "occam/train/trainer.h"

#include <stdlib.h>

#include <cmath>
#include <filesystem>

#include "occam/loss/cross_entropy.h"
#include "occam/nn/backbone_heads.h"
#include "occam/nn/conv2d.h"
#include "occam/nn/dense.h"
#include "occam/nn/sequential.h"
#include "occam/optim/sgd.h"
#include "occam/regularize/gradient_norm.h"
#include "occam/train/callbacks.h"
#include "occam/train/fit.h"
#include "occam/train/metrics.h"
#include "testing/testing.h"

namespace occam::train {
namespace {

using testing::error_of;
using ::testing::HasSubstr;

// 12 samples of 4 features in 3 classes.
data::Dataset toy_data() {
  data::Dataset d;
  d.inputs = Tensor::empty({12, 4});
  Rng rng(5);
  for (float& v : d.inputs.span()) v = rng.uniform() * 2.f - 1.f;
  d.num_classes = 3;
  for (int64_t i = 0; i < 12; ++i) d.labels.push_back(i % 3);
  return d;
}

// Dense 4→3 with an L2 kernel penalty (keras λ = 0.1): penalty gradient 0.2·W.
std::unique_ptr<nn::Sequential> toy_model(float l2 = 0.1f) {
  auto model = std::make_unique<nn::Sequential>();
  Rng rng(3);
  nn::DenseOptions o;
  o.units = 3;
  auto& dense = static_cast<nn::Dense&>(model->add(std::make_unique<nn::Dense>(o, 4, rng)));
  if (l2 > 0) dense.kernel().regularizer = regularize::l2(l2);
  return model;
}

data::Batch whole(const data::Dataset& d) {
  data::Batch b;
  data::DatasetSource::view(d).fill(std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, b);
  return b;
}

Trainer make_trainer(nn::Module& model, optim::Optimizer& opt, std::shared_ptr<const Task> task,
                     bool fused) {
  return Trainer(
      model, opt, [](int64_t) { return 0.5f; }, std::move(task), {fused, true}, Rng(1));
}

TEST(Trainer, TheGradientHookSeesTheDataGradientAndThePenaltyComesAfterIt) {
  const data::Dataset d = toy_data();
  const data::Batch batch = whole(d);
  for (bool fused : {true, false}) {
    SCOPED_TRACE(fused ? "fused" : "tape");
    // The data gradient alone, from the same model without a regularizer.
    auto plain = toy_model(0.f);
    optim::Sgd plain_opt(plain->parameters());
    Trainer plain_trainer =
        make_trainer(*plain, plain_opt, std::make_shared<ClassificationTask>(), fused);
    Tensor data_grad;
    plain_trainer.set_gradient_hook(
        [&](std::span<nn::Parameter* const> ps) { data_grad = ps[0]->value.grad().clone(); });
    plain_trainer.train_step(batch);

    auto model = toy_model();
    const Tensor w0 = model->parameters()[0]->data().clone();
    optim::Sgd opt(model->parameters());
    Trainer trainer = make_trainer(*model, opt, std::make_shared<ClassificationTask>(), fused);
    int calls = 0;
    trainer.set_gradient_hook([&](std::span<nn::Parameter* const> ps) {
      ++calls;
      ASSERT_EQ(ps.size(), 2u);
      if (fused) {
        EXPECT_TENSORS_NEAR(ps[0]->value.grad(), data_grad,
                            (testing::Tol{0, 0}));  // nothing of the penalty yet
      } else {
        // On the tape the penalty's gradient is part of backward: data + 0.2·W.
        Tensor want = data_grad.clone();
        for (int64_t i = 0; i < want.numel(); ++i) want[i] += 0.2f * w0[i];
        EXPECT_TENSORS_NEAR(ps[0]->value.grad(), want, (testing::Tol{1e-7, 1e-6}));
      }
      for (nn::Parameter* p : ps) p->value.grad().fill(0.f);  // e.g. a reduction that zeroes them
    });
    trainer.train_step(batch);
    EXPECT_EQ(calls, 1);
    // With the data gradient zeroed by the hook, plain SGD (lr 0.5) moves W by the penalty's
    // gradient only when it is applied after the hook (fused): W ← W − 0.5·0.2·W = 0.9·W.
    const Tensor& w1 = model->parameters()[0]->data();
    for (int64_t i = 0; i < w1.numel(); ++i)
      EXPECT_FLOAT_EQ(w1[i], fused ? w0[i] - 0.5f * (0.2f * w0[i]) : w0[i]);
  }
}

TEST(Trainer, StepTermsSumExactlyAndMetricsComeFromTheTask) {
  const data::Dataset d = toy_data();
  const data::Batch batch = whole(d);
  auto model = toy_model();
  optim::Sgd opt(model->parameters());
  Trainer trainer = make_trainer(*model, opt, std::make_shared<ClassificationTask>(), true);
  const Tensor logits = trainer.predict(batch.inputs).front().value.value().clone();
  const StepResult r = trainer.train_step(batch);
  ASSERT_EQ(r.terms.size(), 4u);
  EXPECT_EQ(r.terms[0].name, "classification_loss");
  EXPECT_EQ(r.terms[1].name, "dense_1/kernel/l2");
  EXPECT_EQ(r.terms[3].value, r.terms[0].value + (0.f + r.terms[1].value));
  // Accuracy on the batch, before the update (the logits the step saw; no dropout here).
  EXPECT_DOUBLE_EQ(r.metrics.at("accuracy"), double(count_top_k(logits, batch.labels, 1)) / 12.0);
  EXPECT_EQ(r.count, 12);
  ASSERT_EQ(r.data.size(), 1u);
  EXPECT_EQ(r.data[0].formula, "mean over the batch of −log softmax(logits)[label]");
  EXPECT_EQ(r.regularization[0].applies_to, "parameter");
  EXPECT_NE(r.regularization[0].regularizer, nullptr);
}

TEST(Trainer, EvaluationAccumulatesOverTheWholeSourceWhateverTheBatchSize) {
  const data::Dataset d = toy_data();
  auto model = toy_model();
  optim::Sgd opt(model->parameters());
  Trainer trainer = make_trainer(*model, opt, std::make_shared<ClassificationTask>(), true);
  const data::DatasetSource source = data::DatasetSource::view(d);
  const EvalResult a = trainer.evaluate(source, 12), b = trainer.evaluate(source, 5);  // 5 + 5 + 2
  EXPECT_EQ(a.count, 12);
  EXPECT_EQ(a.metrics, b.metrics);  // counts over the whole split: exactly equal
  const Tensor logits = trainer.predict(d.inputs).front().value.value().clone();
  EXPECT_DOUBLE_EQ(a.metric("accuracy"), double(count_top_k(logits, d.labels, 1)) / 12.0);
  EXPECT_DOUBLE_EQ(a.metric("top5"), 1.0);  // 3 classes: always among the top 3
  ASSERT_EQ(a.terms.size(), b.terms.size());
  for (size_t i = 0; i < a.terms.size(); ++i)
    EXPECT_NEAR(a.terms[i].value, b.terms[i].value, 1e-6) << a.terms[i].name;
  // The mean cross-entropy by hand, from the logits: the weighted batch means give it back.
  const Var ce = loss::softmax_cross_entropy(constant(logits), d.labels, 0.f);
  EXPECT_NEAR(b.terms[0].value, ce.item(), 1e-6);
}

// A task with two data terms (as a detector has): cross-entropy, and 0.01·mean(logits²).
class TwoTermTask final : public Task {
 public:
  std::string kind() const override { return "two_terms"; }
  std::vector<DataTermInfo> data_terms() const override {
    return {{"ce", "cross-entropy", "logits"}, {"logit_size", "0.01·mean(logits²)", "logits"}};
  }
  void add_data_terms(Objective& o, const nn::Outputs& out, const data::Batch& b) const override {
    const Var& z = out.front().value;
    o.add_data_term(nn::Term{"ce", loss::softmax_cross_entropy(z, b.labels, 0.f), "logits",
                             "cross-entropy", b.size()});
    o.add_data_term(
        nn::Term{"logit_size", 0.01f * mean(square(z)), "logits", "0.01·mean(logits²)", b.size()});
  }
  std::unique_ptr<MetricAccumulator> train_metrics() const override {
    return ClassificationTask().train_metrics();
  }
  std::unique_ptr<MetricAccumulator> eval_metrics() const override {
    return ClassificationTask().eval_metrics();
  }
  Selection selection() const override { return {"loss_like", false}; }
};

TEST(Trainer, ATaskWithTwoDataTermsSumsBothIntoTheTotalAndTheGradient) {
  const data::Dataset d = toy_data();
  const data::Batch batch = whole(d);
  auto model = toy_model(0.f);
  const Tensor w0 = model->parameters()[0]->data().clone(),
               b0 = model->parameters()[1]->data().clone();
  optim::Sgd opt(model->parameters());
  Trainer trainer = make_trainer(*model, opt, std::make_shared<TwoTermTask>(), true);
  Tensor grad;
  trainer.set_gradient_hook(
      [&](std::span<nn::Parameter* const> ps) { grad = ps[1]->value.grad().clone(); });
  const StepResult r = trainer.train_step(batch);
  ASSERT_EQ(r.terms.size(), 4u);  // ce, logit_size, regularization_loss, total_loss
  EXPECT_EQ(r.terms[0].name, "ce");
  EXPECT_EQ(r.terms[1].name, "logit_size");
  EXPECT_EQ(r.terms[2].value, 0.f);
  EXPECT_EQ(r.terms[3].value, (r.terms[0].value + r.terms[1].value) + 0.f);
  // ∂/∂b of both terms: Σ_rows (softmax − onehot)/N + 0.02·Σ_rows z/(N·3).
  Tensor z = Tensor::empty({12, 3});
  for (int64_t n = 0; n < 12; ++n)
    for (int64_t k = 0; k < 3; ++k) {
      double v = b0[k];
      for (int64_t i = 0; i < 4; ++i) v += double(d.inputs[n * 4 + i]) * w0[i * 3 + k];
      z[n * 3 + k] = float(v);
    }
  for (int64_t k = 0; k < 3; ++k) {
    double g = 0;
    for (int64_t n = 0; n < 12; ++n) {
      double m = std::max({z[n * 3], z[n * 3 + 1], z[n * 3 + 2]}), s = 0;
      for (int64_t j = 0; j < 3; ++j) s += std::exp(z[n * 3 + j] - m);
      g += (std::exp(z[n * 3 + k] - m) / s - (d.labels[n] == k ? 1 : 0)) / 12.0 +
           0.02 * z[n * 3 + k] / 36.0;
    }
    EXPECT_NEAR(grad[k], g, 1e-6) << k;
  }
}

// A detector-shaped model (nn::BackboneHeads: a conv backbone tapped twice, two heads) and a task
// that reads both outputs by name: each output reaches its own data term and its own parameters.
class TwoHeadTask final : public Task {
 public:
  std::string kind() const override { return "two_heads"; }
  std::vector<DataTermInfo> data_terms() const override {
    return {{"box_size", "mean(box²)", "box"}, {"score_size", "0.5·mean(score²)", "score"}};
  }
  void add_data_terms(Objective& o, const nn::Outputs& out, const data::Batch& b) const override {
    o.add_data_term(
        nn::Term{"box_size", mean(square(nn::output(out, "box"))), "box", "mean(box²)", b.size()});
    o.add_data_term(nn::Term{"score_size", 0.5f * mean(square(nn::output(out, "score"))), "score",
                             "", b.size()});
  }
  std::unique_ptr<MetricAccumulator> train_metrics() const override {
    return std::make_unique<NoMetrics>();
  }
  std::unique_ptr<MetricAccumulator> eval_metrics() const override {
    return std::make_unique<NoMetrics>();
  }
  Selection selection() const override { return {"none", false}; }

 private:
  struct NoMetrics final : MetricAccumulator {
    void add(const nn::Outputs&, const data::Batch&) override {}
    std::map<std::string, double> values() const override { return {}; }
  };
};

TEST(Trainer, AMultiOutputModelFeedsEachOutputToTheTask) {
  Rng rng(4);
  auto conv = [&](int64_t in, int64_t filters, int64_t stride) {
    return std::make_unique<nn::Conv2D>(nn::Conv2DOptions{.filters = filters,
                                                          .kernel_size = {3, 3},
                                                          .strides = {stride, stride},
                                                          .padding = nn::Padding::same},
                                        in, rng);
  };
  nn::BackboneHeads model;
  model.add(conv(1, 4, 1));  // [B,4,6,6]
  model.add_feature_map("conv2d_1", 2);
  model.add(conv(4, 4, 2));  // [B,4,3,3]
  model.add_feature_map("conv2d_2", 1);
  std::vector<std::unique_ptr<nn::Module>> box, score;
  box.push_back(conv(4, 2 * 4, 1));
  box.push_back(conv(4, 1 * 4, 1));
  score.push_back(conv(4, 2 * 3, 1));
  score.push_back(conv(4, 1 * 3, 1));
  model.add_head("box", 4, std::move(box));
  model.add_head("score", 3, std::move(score));
  optim::Sgd opt(model.parameters());
  Trainer trainer(
      model, opt, [](int64_t) { return 0.1f; }, std::make_shared<TwoHeadTask>(), {}, Rng(1));
  data::Batch batch;
  batch.inputs = Tensor::empty({2, 1, 6, 6});
  for (float& v : batch.inputs.span()) v = rng.uniform();
  batch.indices = {0, 1};
  std::map<std::string, double> grad_norm;
  trainer.set_gradient_hook([&](std::span<nn::Parameter* const> ps) {
    for (nn::Parameter* p : ps) grad_norm[p->name] = regularize::l2_norm(p->value.grad());
  });
  const StepResult r = trainer.train_step(batch);
  ASSERT_EQ(r.outputs.size(), 2u);
  EXPECT_EQ(r.outputs[0].name, "box");
  EXPECT_EQ(r.outputs[0].value.shape(), (Shape{2, 6 * 6 * 2 + 3 * 3, 4}));  // ΣA = 72 + 9 anchors
  EXPECT_EQ(r.outputs[1].value.shape(), (Shape{2, 81, 3}));
  // The terms are those of the outputs the step saw: mean(box²) and 0.5·mean(score²).
  double box_sq = 0, score_sq = 0;
  for (float v : r.outputs[0].value.value().span()) box_sq += double(v) * v;
  for (float v : r.outputs[1].value.value().span()) score_sq += double(v) * v;
  EXPECT_NEAR(r.terms[0].value, box_sq / (2 * 81 * 4), 1e-6);
  EXPECT_NEAR(r.terms[1].value, 0.5 * score_sq / (2 * 81 * 3), 1e-6);
  EXPECT_EQ(r.terms.back().value, (r.terms[0].value + r.terms[1].value) + 0.f);
  // Every parameter gets a gradient: the backbone from both heads, each head from its own term.
  EXPECT_EQ(grad_norm.size(), model.parameters().size());
  for (const auto& [name, g] : grad_norm) EXPECT_GT(g, 0.0) << name;
}

// Records what fit calls, in order.
struct Recorder final : Callback {
  std::vector<std::string> calls;
  std::vector<bool> measured;
  std::vector<std::optional<EvalResult>> validations;
  void on_epoch_begin(int64_t e) override { calls.push_back("begin " + std::to_string(e)); }
  void on_step(const StepEvent& e) override {
    calls.push_back("step " + std::to_string(e.epoch) + "." + std::to_string(e.batch) + "/" +
                    std::to_string(e.batches));
    measured.push_back(e.measured);
  }
  void on_epoch_end(const EpochEvent& e) override {
    calls.push_back("end " + std::to_string(e.epoch) + " samples " + std::to_string(e.samples));
    validations.push_back(e.validation);
  }
  void on_abort() override { calls.push_back("abort"); }
};

TEST(Fit, RunsEpochsAndStepsThroughTheCallbacksInOrder) {
  const data::Dataset d = toy_data();
  auto model = toy_model();
  optim::Sgd opt(model->parameters());
  Trainer trainer = make_trainer(*model, opt, std::make_shared<ClassificationTask>(), true);
  data::Batcher batcher(d, {.batch_size = 5}, Rng(2));  // 5 + 5 + 2 per epoch
  const data::DatasetSource val = data::DatasetSource::view(d);
  Recorder rec;
  Callback* callbacks[] = {&rec};
  fit(trainer, batcher,
      {.first_epoch = 2, .epochs = 3, .max_batches = 2, .measure_every = 3, .validation = &val},
      callbacks);
  EXPECT_EQ(rec.calls,
            (std::vector<std::string>{"begin 2", "step 2.1/2", "step 2.2/2", "end 2 samples 10",
                                      "begin 3", "step 3.1/2", "step 3.2/2", "end 3 samples 10"}));
  EXPECT_EQ(rec.measured, (std::vector<bool>{true, false, false, true}));  // steps 0 and 3 measure
  EXPECT_EQ(trainer.step(), 4);
  ASSERT_EQ(rec.validations.size(), 2u);
  ASSERT_TRUE(rec.validations[1].has_value());
  EXPECT_EQ(rec.validations[1]->count, 12);
}

TEST(Fit, ADivergenceAbortsEveryCallbackAndPropagates) {
  data::Dataset d = toy_data();
  d.inputs[0] = NAN;
  auto model = toy_model();
  optim::Sgd opt(model->parameters());
  Trainer trainer = make_trainer(*model, opt, std::make_shared<ClassificationTask>(), true);
  data::Batcher batcher(d, {.batch_size = 12}, Rng(2));
  Recorder rec;
  Callback* callbacks[] = {&rec};
  const Tensor w0 = model->parameters()[0]->data().clone();
  EXPECT_THAT(error_of([&] { fit(trainer, batcher, {.epochs = 1}, callbacks); }),
              HasSubstr("term classification_loss is nan at step 1"));
  EXPECT_EQ(rec.calls, (std::vector<std::string>{"begin 1", "abort"}));
  EXPECT_TENSORS_NEAR(model->parameters()[0]->data(), w0,
                      (testing::Tol{0, 0}));  // no update happened
}

// A fresh directory, removed at the end of the test.
struct ScratchDir {
  std::string dir = [] {
    std::string t = (std::filesystem::temp_directory_path() / "occam-trainer-XXXXXX").string();
    return std::string(::mkdtemp(t.data()));
  }();
  ~ScratchDir() { std::filesystem::remove_all(dir); }
  const std::string& path() const { return dir; }
};

TEST(Fit, CheckpointsKeepTheBestByTheTasksSelectionMetric) {
  ScratchDir tmp;
  const data::Dataset d = toy_data();
  auto model = toy_model();
  optim::Sgd opt(model->parameters());
  Trainer trainer = make_trainer(*model, opt, std::make_shared<ClassificationTask>(), true);
  CheckpointCallback ck(tmp.path() + "/checkpoints", trainer, 1);
  EpochEvent e;
  e.epoch = 1;
  e.validation = EvalResult{{}, {{"accuracy", 0.5}}, 12};
  ck.on_epoch_end(e);
  e.epoch = 2;
  e.validation->metrics["accuracy"] = 0.25;  // worse: best.ckpt stays at epoch 1
  ck.on_epoch_end(e);
  const Checkpoint best = load_checkpoint(tmp.path() + "/checkpoints/best.ckpt");
  EXPECT_EQ(best.header.at("epoch"), 1);
  EXPECT_EQ(best.header.at("best_val_accuracy"), 0.5);
  EXPECT_EQ(load_checkpoint(tmp.path() + "/checkpoints/last.ckpt").header.at("best_val_accuracy"),
            0.5);
  EXPECT_FALSE(
      std::filesystem::exists(tmp.path() + "/checkpoints/epoch-1.ckpt"));  // keep the last 1
  EXPECT_EQ(CheckpointCallback::best_of(best, {"accuracy", true}), 0.5);

  // Lower is better: a metric that falls is the better one.
  Trainer t2 = make_trainer(*model, opt, std::make_shared<TwoTermTask>(), true);
  CheckpointCallback low(tmp.path() + "/low", t2, 3);
  e.validation->metrics = {{"loss_like", 2.0}};
  e.epoch = 1;
  low.on_epoch_end(e);
  e.validation->metrics = {{"loss_like", 1.0}};
  e.epoch = 2;
  low.on_epoch_end(e);
  EXPECT_EQ(load_checkpoint(tmp.path() + "/low/best.ckpt").header.at("epoch"), 2);
  EXPECT_EQ(load_checkpoint(tmp.path() + "/low/best.ckpt").header.at("best_val_loss_like"), 1.0);
}

}  // namespace
}  // namespace occam::train
