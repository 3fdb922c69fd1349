// The dense layer's elementwise ends, against values worked by hand.
#include "occam/tensor/epilogue.h"

#include "occam/tensor/tensor.h"
#include "testing/testing.h"

namespace occam::kernels {
namespace {

using occam::testing::Tol;

TEST(Epilogue, BroadcastRowsCopiesTheBiasIntoEveryRow) {
  const Tensor b = Tensor::from({3}, {1, 2, 3});
  Tensor y = Tensor::zeros({2, 3});
  broadcast_rows(y.data(), b.data(), 2, 3);
  EXPECT_TENSORS_NEAR(y, Tensor::from({2, 3}, {1, 2, 3, 1, 2, 3}), (Tol{0, 0}));
}

TEST(Epilogue, ReluInPlaceAndItsBackwardKeepOnlyPositiveOutputs) {
  // 40 elements, so the vector loop and its remainder both run.
  Tensor y = Tensor::empty({40}), dy = Tensor::empty({40});
  for (int i = 0; i < 40; ++i) {
    y[i] = float(i % 3) - 1.f;  // -1, 0, 1, ...
    dy[i] = float(i) + 0.5f;
  }
  relu_inplace(y.data(), y.numel());
  Tensor g = Tensor::full({40}, 7.f);  // written, not added to
  relu_backward(g.data(), dy.data(), y.data(), g.numel());
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(y[i], i % 3 == 2 ? 1.f : 0.f) << "at " << i;
    EXPECT_EQ(g[i], i % 3 == 2 ? dy[i] : 0.f) << "at " << i;  // y = 0 passes no gradient
  }
}

TEST(Epilogue, ColumnSumsAddToTheBiasGradient) {
  const Tensor g = Tensor::from({3, 2}, {1, 10, 2, 20, 3, 30});
  Tensor db = Tensor::from({2}, {0.5f, 0.5f});
  add_column_sums(db.data(), g.data(), 3, 2);
  EXPECT_TENSORS_NEAR(db, Tensor::from({2}, {6.5f, 60.5f}), (Tol{0, 0}));
}

}  // namespace
}  // namespace occam::kernels
