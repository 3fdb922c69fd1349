// What every optimizer does the same way: which parameters it updates, its state as a
// checkpoint sees it, and its errors.
#include "occam/optim/optimizer.h"

#include <cmath>
#include <cstring>
#include <map>

#include "occam/optim/adam.h"
#include "occam/optim/rmsprop.h"
#include "occam/optim/sgd.h"
#include "occam/tensor/threads.h"
#include "optim_testing.h"

namespace occam::optim {
namespace {

using occam::testing::error_of;
using ::testing::HasSubstr;
using testing::make_parameter;
using testing::Tol;

// Each optimizer with every state buffer it can keep switched on.
std::vector<std::pair<const char*, testing::MakeOptimizer>> all_optimizers() {
  return {
      {"sgd",
       [](auto ps) {
         return std::make_unique<Sgd>(
             ps, SgdOptions{.momentum = 0.9f, .weight_decay = 0.01f, .nesterov = true});
       }},
      {"adam",
       [](auto ps) { return std::make_unique<Adam>(ps, AdamOptions{.weight_decay = 0.01f}); }},
      {"adamw", [](auto ps) { return std::make_unique<AdamW>(ps, AdamWOptions{}); }},
      {"rmsprop",
       [](auto ps) {
         return std::make_unique<Rmsprop>(
             ps, RmspropOptions{.weight_decay = 0.01f, .momentum = 0.5f, .centered = true});
       }},
  };
}

// Deterministic, step-dependent gradients.
void set_gradients(std::vector<nn::Parameter*> params, int step) {
  for (size_t j = 0; j < params.size(); ++j) {
    Tensor& g = params[j]->grad();
    for (int64_t i = 0; i < g.numel(); ++i) g[i] = std::sin(float(1 + i + 7 * j + 13 * step));
  }
}

bool bitwise_equal(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() &&
         std::equal(a.data(), a.data() + a.numel(), b.data(),
                    [](float x, float y) { return std::memcmp(&x, &y, sizeof x) == 0; });
}

TEST(Optimizer, FrozenParametersAreUntouched) {
  for (const auto& [name, make] : all_optimizers()) {
    SCOPED_TRACE(name);
    nn::Parameter live = make_parameter("dense_1/kernel", Tensor::full({2, 2}, 1.f));
    nn::Parameter frozen = make_parameter("dense_1/bias", Tensor::full({2}, 1.f));
    frozen.trainable = false;
    auto optimizer = make({&live, &frozen});
    for (int k = 0; k < 3; ++k) {
      set_gradients({&live, &frozen}, k);
      optimizer->step(0.1f);
    }
    EXPECT_TENSORS_NEAR(frozen.data(), Tensor::full({2}, 1.f), (Tol{0, 0}));
    EXPECT_GT(std::fabs(live.data()[0] - 1.f), 1e-3f);
    for (const NamedTensor& s : optimizer->state())
      EXPECT_THAT(s.name, HasSubstr("dense_1/kernel/"));
  }
}

TEST(Optimizer, ParametersWithoutGradientAreSkippedAndKeepNoGradient) {
  for (const auto& [name, make] : all_optimizers()) {
    SCOPED_TRACE(name);
    nn::Parameter used = make_parameter("a", Tensor::full({3}, 1.f));
    nn::Parameter unused = make_parameter("b", Tensor::full({3}, 1.f));
    auto optimizer = make({&used, &unused});
    set_gradients({&used}, 0);
    optimizer->step(0.1f);
    EXPECT_FALSE(unused.value.grad().defined());
    EXPECT_TENSORS_NEAR(unused.data(), Tensor::full({3}, 1.f), (Tol{0, 0}));
    for (const NamedTensor& s : optimizer->state()) EXPECT_TRUE(s.name.starts_with("a/")) << s.name;
  }
}

TEST(Optimizer, StepCountsOnlyTheUpdatesAParameterTook) {
  // torch keeps one step per parameter: a parameter that joins late starts its bias correction
  // at 1.
  nn::Parameter early = make_parameter("early", Tensor::zeros({2}));
  nn::Parameter late = make_parameter("late", Tensor::zeros({2}));
  Adam optimizer({&early, &late});
  set_gradients({&early}, 0);
  optimizer.step(1e-3f);
  optimizer.step(1e-3f);
  set_gradients({&early, &late}, 1);
  optimizer.step(1e-3f);
  std::map<std::string, float> steps;
  for (const NamedTensor& s : optimizer.state())
    if (s.name.ends_with("/step")) steps[s.name] = s.value.item();
  EXPECT_EQ(steps, (std::map<std::string, float>{{"early/step", 3.f}, {"late/step", 1.f}}));
}

TEST(Optimizer, ZeroGradZeroesEveryGradientBuffer) {
  nn::Parameter a = make_parameter("a", Tensor::zeros({2}));
  nn::Parameter b = make_parameter("b", Tensor::zeros({2}));
  b.trainable = false;
  Sgd optimizer({&a, &b});
  set_gradients({&a, &b}, 0);
  optimizer.zero_grad();
  EXPECT_TENSORS_NEAR(a.value.grad(), Tensor::zeros({2}), (Tol{0, 0}));
  EXPECT_TENSORS_NEAR(b.value.grad(), Tensor::zeros({2}), (Tol{0, 0}));
}

TEST(Optimizer, UpdatesInPlace) {
  for (const auto& [name, make] : all_optimizers()) {
    SCOPED_TRACE(name);
    nn::Parameter p = make_parameter("w", Tensor::full({4}, 1.f));
    const float* storage = p.data().data();
    auto optimizer = make({&p});
    for (int k = 0; k < 2; ++k) {
      set_gradients({&p}, k);
      optimizer->step(0.1f);
    }
    EXPECT_EQ(p.data().data(), storage);
  }
}

TEST(Optimizer, StateRoundTripGivesIdenticalSubsequentSteps) {
  for (const auto& [name, make] : all_optimizers()) {
    SCOPED_TRACE(name);
    nn::Parameter w = make_parameter("dense_1/kernel", Tensor::full({2, 3}, 0.5f));
    nn::Parameter b = make_parameter("dense_1/bias", Tensor::full({3}, -0.25f));
    auto original = make({&w, &b});
    for (int k = 0; k < 3; ++k) {
      set_gradients({&w, &b}, k);
      original->step(0.1f);
    }
    const std::vector<NamedTensor> saved = original->state();
    nn::Parameter w2 = make_parameter("dense_1/kernel", w.data().clone());
    nn::Parameter b2 = make_parameter("dense_1/bias", b.data().clone());
    auto resumed = make({&w2, &b2});
    resumed->load_state(saved);
    for (int k = 3; k < 6; ++k) {
      set_gradients({&w, &b}, k);
      set_gradients({&w2, &b2}, k);
      original->step(0.05f);
      resumed->step(0.05f);
    }
    EXPECT_TRUE(bitwise_equal(w.data(), w2.data()));
    EXPECT_TRUE(bitwise_equal(b.data(), b2.data()));
    const auto s1 = original->state(), s2 = resumed->state();
    ASSERT_EQ(s1.size(), s2.size());
    for (size_t i = 0; i < s1.size(); ++i) {
      EXPECT_EQ(s1[i].name, s2[i].name);
      EXPECT_TRUE(bitwise_equal(s1[i].value, s2[i].value)) << s1[i].name;
    }
    // state() returned copies: the steps since did not change them.
    EXPECT_FALSE(bitwise_equal(saved.back().value, s1.back().value)) << saved.back().name;
  }
}

// A large model's step is cut into ranges run by the task pool (2 threads here): every element
// must get exactly the update it gets in a small model's one-thread, whole-parameter step.
TEST(Optimizer, ChunkedStepsUpdateEveryElementOnceAsTheWholeParameterStepDoes) {
  const int threads = num_threads();
  set_num_threads(2);
  const int64_t n = 3 * detail::kChunk + 17, slice = detail::kParallelMin / 2;
  for (const auto& [name, make] : all_optimizers()) {
    SCOPED_TRACE(name);
    Tensor init = Tensor::empty({n});
    for (int64_t i = 0; i < n; ++i) init[i] = std::cos(float(i));
    nn::Parameter big = make_parameter("big", init.clone());
    auto chunked = make({&big});
    std::vector<std::unique_ptr<nn::Parameter>> parts;
    std::vector<std::unique_ptr<Optimizer>> whole;
    for (int64_t b = 0; b < n; b += slice) {
      const int64_t e = std::min(n, b + slice);
      parts.push_back(std::make_unique<nn::Parameter>(make_parameter(
          "part", Tensor::from({e - b}, std::vector<float>(init.data() + b, init.data() + e)))));
      whole.push_back(make({parts.back().get()}));
    }
    for (int step = 0; step < 3; ++step) {
      set_gradients({&big}, step);
      chunked->step(0.01f);
      for (size_t k = 0; k < parts.size(); ++k) {
        Tensor& g = parts[k]->grad();
        std::copy_n(big.grad().data() + int64_t(k) * slice, g.numel(), g.data());
        whole[k]->step(0.01f);
      }
    }
    for (size_t k = 0; k < parts.size(); ++k)
      ASSERT_EQ(std::memcmp(parts[k]->data().data(), big.data().data() + int64_t(k) * slice,
                            size_t(parts[k]->numel()) * sizeof(float)),
                0)
          << "elements from " << int64_t(k) * slice;
  }
  set_num_threads(threads);
}

TEST(Optimizer, StateNamesAreTorchs) {
  std::vector<std::vector<std::string>> names;
  for (const auto& [name, make] : all_optimizers()) {
    nn::Parameter p = make_parameter("conv_1/kernel", Tensor::zeros({1}));
    auto optimizer = make({&p});
    set_gradients({&p}, 0);
    optimizer->step(0.1f);
    names.emplace_back();
    for (const NamedTensor& s : optimizer->state()) names.back().push_back(s.name);
  }
  const std::string k = "conv_1/kernel/";
  EXPECT_EQ(names[0], (std::vector<std::string>{k + "momentum_buffer"}));
  EXPECT_EQ(names[1], (std::vector<std::string>{k + "step", k + "exp_avg", k + "exp_avg_sq"}));
  EXPECT_EQ(names[2], (std::vector<std::string>{k + "step", k + "exp_avg", k + "exp_avg_sq"}));
  EXPECT_EQ(names[3], (std::vector<std::string>{k + "step", k + "square_avg", k + "momentum_buffer",
                                                k + "grad_avg"}));
}

TEST(Optimizer, LoadStateRejectsWhatItCannotUseAndKeepsItsState) {
  nn::Parameter p = make_parameter("dense_1/kernel", Tensor::zeros({2, 3}));
  Adam optimizer({&p});
  set_gradients({&p}, 0);
  optimizer.step(0.1f);
  const auto good = optimizer.state();  // step, exp_avg, exp_avg_sq
  const auto with = [&](std::vector<NamedTensor> s) {
    try {
      optimizer.load_state(s);
    } catch (const CheckpointError& e) {
      return std::string(e.what());
    }
    return std::string("no CheckpointError");
  };
  auto s = good;
  s[1].name = "dense_2/kernel/exp_avg";
  EXPECT_EQ(with(s), "optimizer state: dense_2/kernel/exp_avg: names no parameter of this model");
  s = good;
  s[1].name = "dense_1/kernel/momentum_buffer";
  EXPECT_EQ(with(s),
            "optimizer state: dense_1/kernel/momentum_buffer: adam with these options "
            "keeps no 'momentum_buffer' (it keeps step, exp_avg, exp_avg_sq)");
  s = good;
  s[2].value = Tensor::zeros({3, 2});
  EXPECT_EQ(with(s),
            "optimizer state: dense_1/kernel/exp_avg_sq: has shape [3,2], parameter "
            "dense_1/kernel has [2,3]");
  s = good;
  s[0].value = Tensor::scalar(2.5f);
  EXPECT_EQ(with(s),
            "optimizer state: dense_1/kernel/step: expected a whole number of steps >= 1, got 2.5");
  s = good;
  s.pop_back();
  EXPECT_EQ(with(s),
            "optimizer state: dense_1/kernel: expected all of step, exp_avg, exp_avg_sq "
            "or none of them");
  s = good;
  s.push_back(good[1]);
  EXPECT_EQ(with(s), "optimizer state: dense_1/kernel/exp_avg: appears twice");
  // After the failures the optimizer still holds its own state.
  const auto kept = optimizer.state();
  ASSERT_EQ(kept.size(), good.size());
  for (size_t i = 0; i < kept.size(); ++i) EXPECT_TRUE(bitwise_equal(kept[i].value, good[i].value));
  // An empty state is a fresh optimizer.
  optimizer.load_state({});
  EXPECT_TRUE(optimizer.state().empty());
}

TEST(Optimizer, RejectsABadLearningRate) {
  nn::Parameter p = make_parameter("w", Tensor::zeros({1}));
  Adam optimizer({&p});
  EXPECT_THAT(error_of([&] { optimizer.step(-0.1f); }),
              HasSubstr("adam: expected a finite learning rate >= 0, got -0.1"));
  EXPECT_THAT(error_of([&] { optimizer.step(std::nanf("")); }),
              HasSubstr("adam: expected a finite learning rate >= 0, got nan"));
}

TEST(Optimizer, RejectsParametersSharingAName) {
  nn::Parameter a = make_parameter("dense_1/kernel", Tensor::zeros({1}));
  nn::Parameter b = make_parameter("dense_1/kernel", Tensor::zeros({1}));
  EXPECT_THAT(error_of([&] {
                Sgd({&a, &b});
              }),
              HasSubstr("optimizer: two parameters are named 'dense_1/kernel'"));
}

}  // namespace
}  // namespace occam::optim
