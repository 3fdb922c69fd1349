#include "occam/app/run_dir.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "occam/error.h"

namespace occam::app {

using json = nlohmann::ordered_json;

namespace {
json parse_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": missing (is this an Occam run directory?)");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw Error(path + ": not valid JSON (" + std::string(e.what()) + ")");
  }
}
}  // namespace

RunRecord read_run(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) throw Error(dir + ": no such run directory");
  RunRecord r;
  r.dir = dir;
  r.info = parse_file(dir + "/run.json");
  std::ifstream in(dir + "/metrics.jsonl");
  if (!in) throw Error(dir + "/metrics.jsonl: missing");
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    try {
      r.points.push_back(json::parse(line));
    } catch (const json::exception&) {
      // A run killed mid-write leaves at most a torn last line: skip it, keep the rest.
      if (in.peek() != EOF)
        throw Error(dir + "/metrics.jsonl:" + std::to_string(n) + ": not valid JSON");
    }
  }
  if (std::filesystem::exists(dir + "/summary.json")) r.summary = parse_file(dir + "/summary.json");
  return r;
}

std::vector<const json*> RunRecord::split(const std::string& name) const {
  std::vector<const json*> out;
  for (const auto& p : points)
    if (p.value("split", "") == name) out.push_back(&p);
  return out;
}

const json* RunRecord::at_step(const std::string& name, int64_t step) const {
  const json* best = nullptr;
  for (const auto& p : points)
    if (p.value("split", "") == name && p.value("step", int64_t(0)) <= step) best = &p;
  return best;
}

}  // namespace occam::app
