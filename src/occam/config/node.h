// ConfigNode: a YAML node that knows where it came from (file, line, key path) and remembers
// which keys were read, so a config is typed once at the edge and every error is one line:
//   configs/x.yaml:14:9: model.layers[2].units: expected an integer >= 1, got 0
// This folder is the only code that includes yaml-cpp.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "occam/error.h"

namespace occam::config {

class ConfigNode {
 public:
  ConfigNode(YAML::Node node, std::string path, std::shared_ptr<const std::string> file);
  static ConfigNode load_file(const std::string& path);
  static ConfigNode load_string(const std::string& text, const std::string& name);

  const std::string& path() const { return path_; }
  bool has(const std::string& key) const;
  bool is_map() const { return node_.IsMap(); }
  bool is_scalar() const { return node_.IsScalar(); }
  bool is_sequence() const { return node_.IsSequence(); }
  std::vector<std::string> keys() const;  // in file order

  // Typed values. T is bool, int64_t, int, double, float or std::string.
  template <class T>
  T required(const std::string& key, std::function<std::optional<std::string>(T)> check = {});
  template <class T>
  T optional(const std::string& key, T fallback,
             std::function<std::optional<std::string>(T)> check = {});
  template <class T>
  T as(std::function<std::optional<std::string>(T)> check = {}) const;  // this scalar node

  ConfigNode child(const std::string& key);  // required
  std::optional<ConfigNode> optional_child(const std::string& key);
  std::vector<ConfigNode> elements() const;  // this node is a sequence

  // Every key of this map that no required/optional/child call read: an error naming the
  // first one, with the closest known key when there is one.
  void reject_unread_keys(const std::vector<std::string>& also_known = {}) const;

  // "file:line:col: path: message"
  [[noreturn]] void fail(const std::string& message) const;
  [[noreturn]] void fail_at(const std::string& key, const std::string& message) const;
  // "missing required key" — or, when a present unread key is a near miss, "unknown key (did you mean …?)".
  [[noreturn]] void fail_missing(const std::string& key, const std::string& what) const;
  std::string where() const;
  // The flow-style YAML text of this node ("{l2: 0.0001}"), for errors and the resolved config.
  std::string text() const;

 private:
  ConfigNode at(const std::string& key) const;
  YAML::Node node_;
  std::string path_;
  std::shared_ptr<const std::string> file_;
  std::shared_ptr<std::set<std::string>> read_;
};

// Checks for typed values: each returns the "expected ..." text when the value is bad.
std::function<std::optional<std::string>(int64_t)> at_least(int64_t lo);
std::function<std::optional<std::string>(int)> at_least_int(int lo);
std::function<std::optional<std::string>(double)> in_range(double lo, double hi);  // [lo, hi]
std::function<std::optional<std::string>(double)> positive();
std::function<std::optional<std::string>(double)> non_negative();
std::function<std::optional<std::string>(float)> non_negative_f();
std::function<std::optional<std::string>(float)> in_range_f(float lo, float hi);
std::function<std::optional<std::string>(float)> positive_f();

// The closest of `candidates` to `word` by edit distance, if it is close enough to suggest.
std::optional<std::string> did_you_mean(const std::string& word,
                                        const std::vector<std::string>& candidates);

}  // namespace occam::config
