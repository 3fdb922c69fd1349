// `occam eval RUN [--checkpoint best|last|PATH]`: evaluates a run's checkpoint on the test split
// (the run's own config and data) and returns the data terms, the regularization terms, and the
// metrics, as computed in eval mode (dropout off, batch norm on running statistics).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace occam::app {

nlohmann::ordered_json run_eval(const std::string& run_dir, const std::string& checkpoint = "best");
std::string render_eval(const nlohmann::ordered_json& result);

}  // namespace occam::app
