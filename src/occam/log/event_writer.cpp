#include "occam/log/event_writer.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "occam/error.h"
#include "occam/log/histogram.h"
#include "occam/log/record.h"
#include "occam/log/summary.pb.h"

namespace occam::tensorboard {

namespace {

std::string hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

// An Event holding one Summary.Value with its tag; the caller sets the payload.
tb::Event value_event(std::string_view tag, int64_t step, double wall_time) {
  tb::Event event;
  event.set_wall_time(wall_time);
  event.set_step(step);
  event.mutable_summary()->add_value()->set_tag(std::string(tag));
  return event;
}

tb::Summary::Value& the_value(tb::Event& event) {
  return *event.mutable_summary()->mutable_value(0);
}

// Both loaders take a tensor tag's plugin and data class from its first value in each file
// (SPEC §7, §10.10); writing them on every value is a few bytes and needs no bookkeeping.
void set_plugin(tb::Summary::Value& value, const char* plugin_name, std::string content) {
  tb::SummaryMetadata* metadata = value.mutable_metadata();
  metadata->mutable_plugin_data()->set_plugin_name(plugin_name);
  metadata->mutable_plugin_data()->set_content(std::move(content));
  metadata->set_data_class(tb::DATA_CLASS_TENSOR);
}

// hparams values carry no data, only their metadata: an empty DT_FLOAT [0] tensor, what both
// loaders would substitute (SPEC §7.5).
void set_empty_tensor(tb::Summary::Value& value) {
  tb::TensorProto* tensor = value.mutable_tensor();
  tensor->set_dtype(tb::DT_FLOAT);
  tensor->mutable_tensor_shape()->add_dim()->set_size(0);
}

}  // namespace

double unix_seconds_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

EventWriter::EventWriter(const std::string& run_dir, int64_t first_step) {
  std::error_code ec;
  std::filesystem::create_directories(run_dir, ec);
  if (ec) throw Error(detail::concat(run_dir, ": cannot create the run directory: ", ec.message()));

  // Names sort by start time first (SPEC §1: a run's files are read in name order).
  const double now = unix_seconds_now();
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%010lld", static_cast<long long>(now));
  const std::string stem =
      detail::concat("events.out.tfevents.", seconds, ".", hostname(), ".", ::getpid(), ".");
  for (int n = 0; !file_; ++n) {
    path_ = (std::filesystem::path(run_dir) / (stem + std::to_string(n))).string();
    file_.reset(std::fopen(path_.c_str(), "wbx"));  // "x": fail if it exists, never append
    if (!file_ && errno != EEXIST)
      throw Error(detail::concat(path_, ": cannot create: ", std::strerror(errno)));
  }

  tb::Event version;
  version.set_wall_time(now);
  version.set_file_version("brain.Event:2");
  version.mutable_source_metadata()->set_writer("occam");
  write(version);
  tb::Event start;
  start.set_wall_time(now);
  start.set_step(first_step);
  start.mutable_session_log()->set_status(tb::SessionLog::START);
  write(start);
  flush();
}

EventWriter::~EventWriter() {
  try {
    close();
  } catch (...) {  // a destructor must not throw
  }
}

EventWriter& EventWriter::operator=(EventWriter&& other) noexcept {
  if (this == &other) return *this;
  try {
    close();
  } catch (...) {  // as in the destructor
  }
  path_ = std::move(other.path_);
  file_ = std::move(other.file_);
  last_step_ = std::move(other.last_step_);
  return *this;
}

void EventWriter::add_scalar(std::string_view tag, double value, int64_t step,
                             std::optional<double> wall_time) {
  const double time = wall_time.value_or(unix_seconds_now());
  OCCAM_CHECK(std::isfinite(time), "add_scalar: tag '", tag, "': wall_time ", time,
              " is not finite (TensorBoard's fast loader drops the event)");
  check_step(tag, step);
  tb::Event event = value_event(tag, step, time);
  the_value(event).set_simple_value(static_cast<float>(value));
  write(event);
}

int64_t EventWriter::add_histogram(std::string_view tag, std::span<const float> values,
                                   int64_t step) {
  tb::HistogramProto histogram = make_histogram(values);
  const auto left_out = static_cast<int64_t>(values.size()) - static_cast<int64_t>(histogram.num());
  if (histogram.num() == 0) return left_out;
  check_step(tag, step);
  tb::Event event = value_event(tag, step, unix_seconds_now());
  *the_value(event).mutable_histo() = std::move(histogram);
  write(event);
  return left_out;
}

void EventWriter::add_text(std::string_view tag, std::string_view text, int64_t step) {
  check_step(tag, step);
  tb::Event event = value_event(tag, step, unix_seconds_now());
  tb::TensorProto* tensor = the_value(event).mutable_tensor();
  tensor->set_dtype(tb::DT_STRING);
  tensor->mutable_tensor_shape();  // rank 0: a shape with no dim
  tensor->add_string_val(std::string(text));
  set_plugin(the_value(event), "text", "");  // TextPluginData{version: 0} is empty bytes
  write(event);
}

void EventWriter::add_hparams(const HParams& hparams) {
  const double now = unix_seconds_now();
  OCCAM_CHECK(!last_step_.contains(kSessionStartTag), "add_hparams: called twice for ", path_,
              "; a run is one trial, so call it once per writer");
  std::string content = session_start_content(hparams, now);
  check_step(kSessionStartTag, 0);
  tb::Event event = value_event(kSessionStartTag, 0, now);
  set_empty_tensor(the_value(event));
  set_plugin(the_value(event), "hparams", std::move(content));
  write(event);
}

void EventWriter::add_hparams_end(RunStatus status) {
  const double now = unix_seconds_now();
  OCCAM_CHECK(!last_step_.contains(kSessionEndTag), "add_hparams_end: called twice for ", path_);
  check_step(kSessionEndTag, 0);
  tb::Event event = value_event(kSessionEndTag, 0, now);
  set_empty_tensor(the_value(event));
  set_plugin(the_value(event), "hparams", session_end_content(status, now));
  write(event);
}

void EventWriter::flush() {
  if (!file_) return;
  if (std::fflush(file_.get()) != 0 || ::fsync(::fileno(file_.get())) != 0)
    throw Error(detail::concat(path_, ": cannot write: ", std::strerror(errno)));
}

void EventWriter::close() {
  if (!file_) return;
  flush();
  if (std::fclose(file_.release()) != 0)
    throw Error(detail::concat(path_, ": cannot close: ", std::strerror(errno)));
}

void EventWriter::check_step(std::string_view tag, int64_t step) {
  OCCAM_CHECK(!tag.empty(), "EventWriter: a value needs a tag (", path_, ")");
  const auto [it, inserted] = last_step_.try_emplace(std::string(tag), step);
  OCCAM_CHECK(inserted || step > it->second, "EventWriter: tag '", tag, "' at step ", step,
              " after step ", it->second,
              ": steps must increase per tag (TensorBoard would keep only the later value)");
  it->second = step;
}

void EventWriter::write(const tb::Event& event) {
  OCCAM_CHECK(file_, "EventWriter: ", path_, " is closed");
  const std::string record = frame_record(event.SerializeAsString());
  if (std::fwrite(record.data(), 1, record.size(), file_.get()) != record.size())
    throw Error(detail::concat(path_, ": cannot write: ", std::strerror(errno)));
}

}  // namespace occam::tensorboard
