// Reading a run directory back: run.json, metrics.jsonl, summary.json. What explain, report and
// eval share. Errors name the file and what is wrong.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace occam::app {

struct RunRecord {
  std::string dir;
  nlohmann::ordered_json info;                 // run.json
  std::vector<nlohmann::ordered_json> points;  // metrics.jsonl, in order
  nlohmann::ordered_json summary;  // summary.json (null while training or after a failure)

  // The train points, and the last point of a split at or before `step` (null if none).
  std::vector<const nlohmann::ordered_json*> split(const std::string& name) const;
  const nlohmann::ordered_json* at_step(const std::string& split, int64_t step) const;
};

RunRecord read_run(const std::string& dir);

}  // namespace occam::app
