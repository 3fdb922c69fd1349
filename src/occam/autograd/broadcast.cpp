#include "occam/autograd/broadcast.h"

#include "occam/autograd/ops.h"

namespace occam {

Shape broadcast_shape(const char* op, const Shape& a, const Shape& b) {
  const size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    OCCAM_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", a, " and ", b,
                " do not broadcast (dim ", i, ": ", da, " vs ", db, ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

namespace detail {
namespace {
std::vector<int64_t> strides_into(const Shape& out, const Shape& in) {
  const size_t r = out.size(), off = r - in.size();
  std::vector<int64_t> s(r, 0);
  int64_t stride = 1;
  for (size_t i = r; i-- > off;) {
    const int64_t d = in[i - off];
    s[i] = d == 1 ? 0 : stride;
    stride *= d;
  }
  return s;
}
}  // namespace

Broadcast::Broadcast(const Shape& out_shape, const Shape& a, const Shape& b)
    : out(out_shape), stride_a(strides_into(out_shape, a)), stride_b(strides_into(out_shape, b)) {}
}  // namespace detail

}  // namespace occam
