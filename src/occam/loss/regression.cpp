#include "occam/loss/regression.h"

#include <algorithm>
#include <cmath>

#include "occam/loss/elementwise_loss.h"

namespace occam::loss {

Var mse(const Var& prediction, const Tensor& target) {
  return detail::mean_elementwise_loss(
      "mse", "prediction", prediction, "target", target,
      [](float p, float t) { return (p - t) * (p - t); },
      [](float p, float t) { return 2.f * (p - t); });
}

Var huber(const Var& prediction, const Tensor& target, float delta) {
  OCCAM_CHECK(std::isfinite(delta) && delta > 0.f, "huber: expected delta > 0, got ", delta);
  return detail::mean_elementwise_loss(
      "huber", "prediction", prediction, "target", target,
      [delta](float p, float t) {
        const float e = std::fabs(p - t);
        return e <= delta ? 0.5f * e * e : delta * (e - 0.5f * delta);
      },
      [delta](float p, float t) { return std::clamp(p - t, -delta, delta); });
}

Var smooth_l1(const Var& prediction, const Tensor& target, float beta) {
  OCCAM_CHECK(std::isfinite(beta) && beta >= 0.f, "smooth_l1: expected beta >= 0, got ", beta);
  return detail::mean_elementwise_loss(
      "smooth_l1", "prediction", prediction, "target", target,
      [beta](float p, float t) {
        const float e = std::fabs(p - t);
        return e < beta ? 0.5f * e * e / beta : e - 0.5f * beta;
      },
      [beta](float p, float t) {
        const float e = p - t;
        if (std::fabs(e) < beta) return e / beta;
        return e > 0.f ? 1.f : (e < 0.f ? -1.f : 0.f);
      });
}

}  // namespace occam::loss
