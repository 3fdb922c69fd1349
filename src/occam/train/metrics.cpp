#include "occam/train/metrics.h"

namespace occam::train {

int64_t count_top_k(const Tensor& logits, std::span<const int64_t> labels, int k) {
  OCCAM_CHECK(logits.rank() == 2 && logits.dim(0) == int64_t(labels.size()),
              "top_k: expected logits [N,C] and N labels, got ", logits.shape(), " and ",
              labels.size());
  const int64_t N = logits.dim(0), C = logits.dim(1);
  OCCAM_CHECK(k >= 1 && k <= C, "top_k: expected 1 <= k <= ", C, ", got ", k);
  int64_t hits = 0;
  for (int64_t i = 0; i < N; ++i) {
    const float* row = logits.data() + i * C;
    const int64_t y = labels[i];
    OCCAM_CHECK(y >= 0 && y < C, "top_k: label ", y, " of row ", i, " is outside [0, ", C, ")");
    // Rank of the label's logit: how many classes beat it (ties: lower index wins).
    int64_t better = 0;
    for (int64_t c = 0; c < C; ++c)
      if (row[c] > row[y] || (row[c] == row[y] && c < y)) ++better;
    hits += better < k;
  }
  return hits;
}

}  // namespace occam::train
