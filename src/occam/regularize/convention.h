// Conventions: what a regularization coefficient means. One per run, never implied.
//   keras, tf_keras        l2(λ) = λ·Σw²
//   tf_slim, tf_od_keras   l2(λ) = λ·Σw²/2  (tf.nn.l2_loss; the TF OD API's l2_regularizer.weight)
//   torch                  l2(λ) = λ·Σw²/2  (the penalty implied by a coupled weight_decay = λ)
// L1 means λ·Σ|w| in every convention. Sources: ../shared/SPEC-regularization.md §1, §2.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace occam::regularize {

enum class Convention { keras, tf_keras, tf_slim, tf_od_keras, torch };

std::string_view to_string(Convention c);
std::optional<Convention> convention_from_string(std::string_view s);
// Every convention with its name, in declaration order (the one table both functions above read).
std::vector<std::pair<std::string, Convention>> convention_names();
// The factor an l2 coefficient is multiplied by in front of Σw²: 1 or 1/2.
float l2_factor(Convention c);

}  // namespace occam::regularize
