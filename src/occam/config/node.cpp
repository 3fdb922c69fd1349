#include "occam/config/node.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace occam::config {

ConfigNode::ConfigNode(YAML::Node node, std::string path, std::shared_ptr<const std::string> file)
    : node_(std::move(node)),
      path_(std::move(path)),
      file_(std::move(file)),
      read_(std::make_shared<std::set<std::string>>()) {}

ConfigNode ConfigNode::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open config file");
  std::stringstream ss;
  ss << in.rdbuf();
  return load_string(ss.str(), path);
}

ConfigNode ConfigNode::load_string(const std::string& text, const std::string& name) {
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap())
      throw ConfigError(name + ":1:1: expected a mapping of keys (model, data, optimizer, ...)");
    return ConfigNode(root, "", std::make_shared<const std::string>(name));
  } catch (const YAML::ParserException& e) {
    throw ConfigError(name + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg);
  }
}

std::string ConfigNode::where() const {
  const YAML::Mark m = node_.Mark();
  std::string loc = *file_;
  if (m.line >= 0) loc += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
  return loc + ": " + (path_.empty() ? "(top level)" : path_);
}

void ConfigNode::fail_missing(const std::string& key, const std::string& what) const {
  // A misspelling of the missing key is the likelier mistake: name it rather than the absence.
  if (node_.IsMap())
    for (const auto& kv : node_) {
      const std::string present = kv.first.as<std::string>();
      if (!read_->count(present) && did_you_mean(present, {key}))
        ConfigNode(kv.first, path_.empty() ? present : path_ + "." + present, file_)
            .fail("unknown key (did you mean " + key + "?)");
    }
  fail("missing required key '" + key + "'" + (what.empty() ? "" : " (" + what + ")"));
}

void ConfigNode::fail(const std::string& message) const {
  throw ConfigError(where() + ": " + message);
}

void ConfigNode::fail_at(const std::string& key, const std::string& message) const {
  if (has(key)) at(key).fail(message);
  ConfigNode(node_, path_.empty() ? key : path_ + "." + key, file_).fail(message);
}

std::string ConfigNode::text() const {
  YAML::Emitter out;
  out << YAML::Flow << node_;
  return out.c_str();
}

bool ConfigNode::has(const std::string& key) const {
  return node_.IsMap() && node_[key].IsDefined() && !node_[key].IsNull();
}

std::vector<std::string> ConfigNode::keys() const {
  std::vector<std::string> out;
  if (node_.IsMap())
    for (const auto& kv : node_) out.push_back(kv.first.as<std::string>());
  return out;
}

ConfigNode ConfigNode::at(const std::string& key) const {
  read_->insert(key);
  return ConfigNode(node_[key], path_.empty() ? key : path_ + "." + key, file_);
}

namespace {
template <class T>
const char* type_name() {
  if constexpr (std::is_same_v<T, bool>) return "a boolean (true/false)";
  if constexpr (std::is_integral_v<T>) return "an integer";
  if constexpr (std::is_floating_point_v<T>) return "a number";
  return "a string";
}
}  // namespace

template <class T>
T ConfigNode::as(std::function<std::optional<std::string>(T)> check) const {
  if (!node_.IsScalar()) fail(std::string("expected ") + type_name<T>() + ", got " + text());
  const std::string raw = node_.Scalar();
  T value{};
  try {
    if constexpr (std::is_same_v<T, bool>) {
      value = node_.as<bool>();
    } else if constexpr (std::is_integral_v<T>) {
      size_t used = 0;
      const long long v = std::stoll(raw, &used);
      if (used != raw.size()) throw std::invalid_argument(raw);
      value = static_cast<T>(v);
    } else if constexpr (std::is_floating_point_v<T>) {
      size_t used = 0;
      const double v = std::stod(raw, &used);
      if (used != raw.size() || !std::isfinite(v)) throw std::invalid_argument(raw);
      value = static_cast<T>(v);
    } else {
      value = raw;
    }
  } catch (const std::exception&) {
    fail(std::string("expected ") + type_name<T>() + ", got '" + raw + "'");
  }
  if (check)
    if (auto expected = check(value)) fail("expected " + *expected + ", got " + raw);
  return value;
}

template <class T>
T ConfigNode::required(const std::string& key, std::function<std::optional<std::string>(T)> check) {
  if (!has(key)) {
    read_->insert(key);
    fail_missing(key, type_name<T>());
  }
  return at(key).as<T>(check);
}

template <class T>
T ConfigNode::optional(const std::string& key, T fallback,
                       std::function<std::optional<std::string>(T)> check) {
  if (!has(key)) {
    read_->insert(key);
    return fallback;
  }
  return at(key).as<T>(check);
}

#define OCCAM_INSTANTIATE(T)                                                        \
  template T ConfigNode::as<T>(std::function<std::optional<std::string>(T)>) const; \
  template T ConfigNode::required<T>(const std::string&,                            \
                                     std::function<std::optional<std::string>(T)>); \
  template T ConfigNode::optional<T>(const std::string&, T,                         \
                                     std::function<std::optional<std::string>(T)>);
OCCAM_INSTANTIATE(bool)
OCCAM_INSTANTIATE(int)
OCCAM_INSTANTIATE(int64_t)
OCCAM_INSTANTIATE(double)
OCCAM_INSTANTIATE(float)
OCCAM_INSTANTIATE(std::string)
#undef OCCAM_INSTANTIATE

ConfigNode ConfigNode::child(const std::string& key) {
  if (!has(key)) {
    read_->insert(key);
    fail_missing(key, "");
  }
  return at(key);
}

std::optional<ConfigNode> ConfigNode::optional_child(const std::string& key) {
  if (!has(key)) {
    read_->insert(key);
    return std::nullopt;
  }
  return at(key);
}

std::vector<ConfigNode> ConfigNode::elements() const {
  if (!node_.IsSequence()) fail("expected a list, got " + text());
  std::vector<ConfigNode> out;
  for (size_t i = 0; i < node_.size(); ++i)
    out.emplace_back(node_[i], path_ + "[" + std::to_string(i) + "]", file_);
  return out;
}

void ConfigNode::reject_unread_keys(const std::vector<std::string>& also_known) const {
  if (!node_.IsMap()) return;
  std::vector<std::string> known(read_->begin(), read_->end());
  known.insert(known.end(), also_known.begin(), also_known.end());
  for (const auto& kv : node_) {
    const std::string key = kv.first.as<std::string>();
    if (read_->count(key) || std::count(also_known.begin(), also_known.end(), key)) continue;
    std::string message = "unknown key";
    if (auto close = did_you_mean(key, known)) message += " (did you mean " + *close + "?)";
    ConfigNode(kv.first, path_.empty() ? key : path_ + "." + key, file_).fail(message);
  }
}

std::optional<std::string> did_you_mean(const std::string& word,
                                        const std::vector<std::string>& candidates) {
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diag = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        const size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diag = up;
      }
    }
    return row[b.size()];
  };
  std::optional<std::string> best;
  size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const size_t d = distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::function<std::optional<std::string>(int64_t)> at_least(int64_t lo) {
  return [lo](int64_t v) -> std::optional<std::string> {
    if (v >= lo) return std::nullopt;
    return "an integer >= " + std::to_string(lo);
  };
}
std::function<std::optional<std::string>(int)> at_least_int(int lo) {
  return [lo](int v) -> std::optional<std::string> {
    if (v >= lo) return std::nullopt;
    return "an integer >= " + std::to_string(lo);
  };
}
namespace {
std::string num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}
}  // namespace
std::function<std::optional<std::string>(double)> in_range(double lo, double hi) {
  return [lo, hi](double v) -> std::optional<std::string> {
    if (v >= lo && v <= hi) return std::nullopt;
    return "a number in [" + num(lo) + ", " + num(hi) + "]";
  };
}
std::function<std::optional<std::string>(double)> positive() {
  return [](double v) -> std::optional<std::string> {
    if (v > 0) return std::nullopt;
    return std::string("a number > 0");
  };
}
std::function<std::optional<std::string>(double)> non_negative() {
  return [](double v) -> std::optional<std::string> {
    if (v >= 0) return std::nullopt;
    return std::string("a number >= 0");
  };
}
std::function<std::optional<std::string>(float)> non_negative_f() {
  return [](float v) -> std::optional<std::string> {
    if (v >= 0) return std::nullopt;
    return std::string("a number >= 0");
  };
}
std::function<std::optional<std::string>(float)> positive_f() {
  return [](float v) -> std::optional<std::string> {
    if (v > 0) return std::nullopt;
    return std::string("a number > 0");
  };
}
std::function<std::optional<std::string>(float)> in_range_f(float lo, float hi) {
  return [lo, hi](float v) -> std::optional<std::string> {
    if (v >= lo && v <= hi) return std::nullopt;
    return "a number in [" + num(lo) + ", " + num(hi) + "]";
  };
}

}  // namespace occam::config
