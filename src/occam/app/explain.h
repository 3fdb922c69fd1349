// `occam explain RUN [--step N] [--json]`: what every term of the objective is, at one step,
// read only from the run directory. For each term: what it penalizes, its formula with the
// coefficient and convention, its value, its share of total_loss, its share of the gradient on
// what it penalizes, and its trend since the first logged step; the coefficient's equivalents in
// the other conventions; and the answers to the common questions that apply to this run.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace occam::app {

// step: the last logged train step at or before it (default: the last one).
nlohmann::ordered_json explain_run(const std::string& dir,
                                   std::optional<int64_t> step = std::nullopt);
std::string render_explanation(const nlohmann::ordered_json& explanation);

}  // namespace occam::app
