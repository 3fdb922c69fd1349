#include "occam/tensor/permute.h"

#include <algorithm>
#include <cstring>

namespace occam::kernels {

namespace {

// An 8×8 tile: y is written along its rows (contiguous), x read 8 rows at a time. Measured (on a
// shared 2-core VM, so ±20 %) on NCHW ↔ NHWC of SSD-sized maps ([32,512,19,19], [32,1024,10,10]
// and back) against tiles of 16, 32 and 64 in either loop order and a two-level 64/8 blocking:
// 8 was the fastest or within 20 % of it on every large map, at 2-5× the time of a memcpy; wider
// tiles thrash the cache sets when C is a power of two (y's row stride). One thread: the copy is
// bound by memory, and waking a second one cost more than it saved on these sizes.
constexpr int64_t kTile = 8;

Shape as_shape(const std::vector<int>& perm) { return Shape(perm.begin(), perm.end()); }

// The permutation on fewer axes that moves the same bytes: size-1 axes dropped, and output axes
// that read neighbouring input axes in order merged into one.
struct Folded {
  Shape shape;            // x's folded shape
  std::vector<int> perm;  // y's folded axis d is x's folded axis perm[d]
};

Folded fold(const Shape& x_shape, const std::vector<int>& perm) {
  const int r = static_cast<int>(x_shape.size());
  std::vector<int> renumber(r, -1);  // x's axis → its index among the axes of size > 1
  int kept = 0;
  for (int a = 0; a < r; ++a)
    if (x_shape[a] != 1) renumber[a] = kept++;
  std::vector<int> p;  // perm on the kept axes
  Shape sizes(kept);
  for (int a = 0; a < r; ++a)
    if (renumber[a] >= 0) sizes[renumber[a]] = x_shape[a];
  for (int a : perm)
    if (renumber[a] >= 0) p.push_back(renumber[a]);
  // Runs of consecutive x axes in y's order: each becomes one axis.
  std::vector<std::pair<int, int>> runs;  // {first x axis, count}, in y's order
  for (size_t d = 0; d < p.size(); ++d) {
    if (d > 0 && p[d] == p[d - 1] + 1)
      ++runs.back().second;
    else
      runs.push_back({p[d], 1});
  }
  std::vector<int> firsts;
  for (const auto& run : runs) firsts.push_back(run.first);
  std::sort(firsts.begin(), firsts.end());
  Folded f;
  f.shape.resize(runs.size());
  for (const auto& [first, count] : runs) {
    const int axis = int(std::lower_bound(firsts.begin(), firsts.end(), first) - firsts.begin());
    int64_t size = 1;
    for (int a = first; a < first + count; ++a) size *= sizes[a];
    f.shape[axis] = size;
    f.perm.push_back(axis);
  }
  return f;
}

// y[b, j, i] = x[b, i, j]   x [B, R, C]   y [B, C, R], in kTile×kTile tiles.
void transpose_batched(const float* x, int64_t B, int64_t R, int64_t C, float* y, bool accumulate) {
  for (int64_t b = 0; b < B; ++b) {
    const float* xb = x + b * R * C;
    float* yb = y + b * R * C;
    for (int64_t i0 = 0; i0 < R; i0 += kTile)
      for (int64_t j0 = 0; j0 < C; j0 += kTile) {
        const int64_t i_end = std::min(R, i0 + kTile), j_end = std::min(C, j0 + kTile);
        for (int64_t j = j0; j < j_end; ++j)
          if (accumulate)
            for (int64_t i = i0; i < i_end; ++i) yb[j * R + i] += xb[i * C + j];
          else
            for (int64_t i = i0; i < i_end; ++i) yb[j * R + i] = xb[i * C + j];
      }
  }
}

// Any folded permutation: y in order, x read along y's last axis with that axis's stride.
void permute_loop(const float* x, const Folded& f, float* y, bool accumulate) {
  const int r = static_cast<int>(f.shape.size());
  std::vector<int64_t> x_stride(r), y_dims(r), stride(r), index(r, 0);
  int64_t s = 1;
  for (int a = r - 1; a >= 0; --a) {
    x_stride[a] = s;
    s *= f.shape[a];
  }
  for (int d = 0; d < r; ++d) {
    y_dims[d] = f.shape[f.perm[d]];
    stride[d] = x_stride[f.perm[d]];
  }
  const int64_t inner = y_dims[r - 1], step = stride[r - 1], outer = s / inner;
  int64_t offset = 0;  // x's offset of y's row `o`
  for (int64_t o = 0; o < outer; ++o) {
    float* row = y + o * inner;
    if (accumulate)
      for (int64_t k = 0; k < inner; ++k) row[k] += x[offset + k * step];
    else
      for (int64_t k = 0; k < inner; ++k) row[k] = x[offset + k * step];
    for (int d = r - 2; d >= 0; --d) {  // the next row: an odometer over y's outer axes
      offset += stride[d];
      if (++index[d] < y_dims[d]) break;
      offset -= stride[d] * y_dims[d];
      index[d] = 0;
    }
  }
}

}  // namespace

void check_permutation(const Shape& x_shape, const std::vector<int>& perm) {
  const int r = static_cast<int>(x_shape.size());
  std::vector<bool> seen(r, false);
  bool ok = static_cast<int>(perm.size()) == r;
  for (int a : perm) {
    ok = ok && a >= 0 && a < r && !seen[a];
    if (ok) seen[a] = true;
  }
  OCCAM_CHECK(ok, "permute: expected a permutation of the ", r, " axes of x ", x_shape, ", got ",
              as_shape(perm));
}

Shape permuted_shape(const Shape& x_shape, const std::vector<int>& perm) {
  check_permutation(x_shape, perm);
  Shape y(perm.size());
  for (size_t d = 0; d < perm.size(); ++d) y[d] = x_shape[perm[d]];
  return y;
}

void permute(const float* x, const Shape& x_shape, const std::vector<int>& perm, float* y,
             bool accumulate) {
  check_permutation(x_shape, perm);
  const int64_t n = numel_of(x_shape);
  if (n == 0) return;
  const Folded f = fold(x_shape, perm);
  if (f.perm.size() <= 1) {  // the identity on memory
    if (accumulate)
      for (int64_t i = 0; i < n; ++i) y[i] += x[i];
    else
      std::memcpy(y, x, size_t(n) * sizeof(float));
  } else if (f.perm == std::vector<int>{1, 0}) {
    transpose_batched(x, 1, f.shape[0], f.shape[1], y, accumulate);
  } else if (f.perm == std::vector<int>{0, 2, 1}) {  // NCHW ↔ NHWC
    transpose_batched(x, f.shape[0], f.shape[1], f.shape[2], y, accumulate);
  } else {
    permute_loop(x, f, y, accumulate);
  }
}

namespace reference {

void permute(const float* x, const Shape& x_shape, const std::vector<int>& perm, float* y,
             bool accumulate) {
  const Shape y_shape = permuted_shape(x_shape, perm);
  const int r = static_cast<int>(x_shape.size());
  std::vector<int64_t> x_stride(r);
  int64_t s = 1;
  for (int a = r - 1; a >= 0; --a) {
    x_stride[a] = s;
    s *= x_shape[a];
  }
  for (int64_t i = 0; i < numel_of(y_shape); ++i) {
    int64_t rest = i, j = 0;  // y's flat index i → y's index per axis → x's flat index j
    for (int d = r - 1; d >= 0; --d) {
      j += (rest % y_shape[d]) * x_stride[perm[d]];
      rest /= y_shape[d];
    }
    y[i] = accumulate ? y[i] + x[j] : x[j];
  }
}

}  // namespace reference

}  // namespace occam::kernels
