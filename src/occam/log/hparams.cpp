#include "occam/log/hparams.h"

#include <cmath>

#include "occam/error.h"
#include "occam/log/summary.pb.h"

namespace occam::tensorboard {

std::string session_start_content(const HParams& hparams, double start_time_secs) {
  tb::HParamsPluginData data;
  tb::SessionStartInfo* info = data.mutable_session_start_info();
  for (const auto& [name, v] : hparams) {
    OCCAM_CHECK(!name.empty(), "add_hparams: a hyperparameter has an empty name");
    tb::HParamEntry* entry = info->add_hparams();
    entry->set_key(name);
    tb::Value* value = entry->mutable_value();
    if (const auto* s = std::get_if<std::string>(&v.value)) {
      value->set_string_value(*s);
    } else if (const auto* b = std::get_if<bool>(&v.value)) {
      value->set_bool_value(*b);
    } else {
      const double x = std::get<double>(v.value);
      OCCAM_CHECK(std::isfinite(x), "add_hparams: '", name, "' is ", x,
                  "; TensorBoard cannot show a non-finite number (pass it as a string)");
      value->set_number_value(x);
    }
  }
  info->set_start_time_secs(start_time_secs);
  return data.SerializeAsString();
}

std::string session_end_content(RunStatus status, double end_time_secs) {
  tb::HParamsPluginData data;
  tb::SessionEndInfo* info = data.mutable_session_end_info();
  info->set_status(status == RunStatus::success ? tb::STATUS_SUCCESS : tb::STATUS_FAILURE);
  info->set_end_time_secs(end_time_secs);
  return data.SerializeAsString();
}

}  // namespace occam::tensorboard
