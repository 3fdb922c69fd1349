// TensorBoard event file writer (SPEC-tfevents.md, checklist §10): one new file per writer,
// <run_dir>/events.out.tfevents.<unix seconds, 10 digits>.<host>.<pid>.<n>, each value one
// TFRecord-framed Event, readable by both of TensorBoard's loaders without a warning.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "occam/log/hparams.h"

namespace occam::tb {
class Event;
}

namespace occam::tensorboard {

// Seconds since the Unix epoch, the unit of every wall_time.
double unix_seconds_now();

// Not thread-safe. Values are buffered by stdio until flush(), close() or destruction, so
// TensorBoard may show a run without its newest values until then (it waits for a record that
// is only partly on disk).
// Steps must strictly increase per tag within a writer (TensorBoard's fast loader drops a value
// when a later one has the same or an earlier step); breaking that throws occam::Error.
class EventWriter {
 public:
  // Creates run_dir if needed and a new file in it (n is the first number not taken, so two
  // writers never share a file), then writes the file_version record and a SessionLog START at
  // first_step: 0 on a fresh run, the checkpoint's step on a resume, so that TensorBoard drops
  // the values the resumed run will write again. Flushed at once.
  // Throws occam::Error naming the path when the directory or file cannot be created.
  explicit EventWriter(const std::string& run_dir, int64_t first_step = 0);
  ~EventWriter();  // close(), with any error swallowed: call close() to see it
  EventWriter(EventWriter&&) = default;
  EventWriter& operator=(EventWriter&& other) noexcept;  // closes this writer's file first

  const std::string& path() const { return path_; }

  // Summary.Value.simple_value: float32, as TensorBoard stores every scalar (0.1 reads back as
  // 0.10000000149011612). wall_time defaults to now.
  void add_scalar(std::string_view tag, double value, int64_t step,
                  std::optional<double> wall_time = {});

  // A HistogramProto with TensorFlow's buckets (see histogram.h). NaN and ±inf are left out,
  // and the number left out is returned, to be logged by the caller if it matters; when no
  // finite value remains nothing is written.
  int64_t add_histogram(std::string_view tag, std::span<const float> values, int64_t step);

  // A rank-0 DT_STRING tensor, plugin "text": rendered as Markdown.
  void add_text(std::string_view tag, std::string_view text, int64_t step);

  // Makes this run one trial of the HPARAMS dashboard, whose metric columns are the run's
  // scalar tags (see hparams.h). Once per writer. add_hparams_end() records how it ended.
  void add_hparams(const HParams& hparams);
  void add_hparams_end(RunStatus status);

  void flush();  // fflush, then fsync: the values reach the disk
  void close();  // flush and close; later calls do nothing, adding a value then throws

 private:
  void check_step(std::string_view tag, int64_t step);
  void write(const tb::Event& event);

  std::string path_;
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Closer> file_;
  std::unordered_map<std::string, int64_t> last_step_;  // per tag
};

}  // namespace occam::tensorboard
