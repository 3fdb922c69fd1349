// Hyperparameters for TensorBoard's HPARAMS dashboard (SPEC-tfevents.md §7.5; [TB]
// tensorboard/plugins/hparams/metadata.py, plugin_data.proto): the `content` bytes of the
// plugin's session tags, each a serialized HParamsPluginData.
//
// Occam writes session_start_info (and session_end_info), never an `_hparams_/experiment`.
// Without one, TensorBoard builds the dashboard from every run of the log directory: the
// hyperparameter columns, with their domains, from all session_start_infos, and the metric
// columns from the scalar tags of those runs ([TB] plugins/hparams/backend_context.py
// experiment_from_metadata). An experiment would replace that for the whole log directory, and
// TensorBoard takes the first one it finds, so one written per run would hide the others' columns.
#pragma once

#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace occam::tensorboard {

// A hyperparameter value: a string, a number (any arithmetic type, kept as double) or a bool.
struct HParamValue {
  std::variant<std::string, double, bool> value;

  HParamValue(std::string s) : value(std::move(s)) {}
  HParamValue(const char* s) : value(std::string(s)) {}
  HParamValue(bool b) : value(b) {}
  template <class T>
  requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) HParamValue(T x)
      : value(static_cast<double>(x)) {}
};
using HParams = std::map<std::string, HParamValue>;  // name → value

// How a run ended: the dashboard's session status.
enum class RunStatus { success, failure };

// Tag names the plugin looks for ([TB] plugins/hparams/metadata.py).
inline constexpr char kSessionStartTag[] = "_hparams_/session_start_info";
inline constexpr char kSessionEndTag[] = "_hparams_/session_end_info";

// HParamsPluginData{session_start_info{hparams, start_time_secs}}: makes the run one trial row.
// Throws occam::Error for an empty name or a non-finite number: the plugin answers the dashboard
// in JSON, and protobuf's JSON encoding refuses a NaN or infinite Value.number_value.
std::string session_start_content(const HParams& hparams, double start_time_secs);

// HParamsPluginData{session_end_info{status, end_time_secs}}.
std::string session_end_content(RunStatus status, double end_time_secs);

}  // namespace occam::tensorboard
