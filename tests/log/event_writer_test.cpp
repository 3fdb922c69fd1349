#include "occam/log/event_writer.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <regex>
#include <vector>

#include <gmock/gmock.h>

#include "log/tfevents_checker.h"

namespace occam::tensorboard {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::CheckerResult;
using testing::error_of;
using ::testing::HasSubstr;
using testing::LogDir;
using ::testing::SizeIs;

std::vector<json> with_tag(const std::vector<json>& records, const std::string& tag) {
  std::vector<json> out;
  for (const json& r : records)
    if (r.value("tag", "") == tag) out.push_back(r);
  return out;
}

std::vector<std::string> event_files(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path().string());
  return files;
}

// One writer's worth of every kind of value, then closed.
void write_every_kind(const std::string& run_dir) {
  EventWriter w(run_dir);
  w.add_hparams({{"lr", 0.01}, {"optimizer", "adam"}, {"nesterov", true}, {"units", 128}});
  const float weights[] = {-0.5f, 0.25f, 0.25f, 1.f};
  for (int64_t step = 0; step < 3; ++step) {
    w.add_scalar("loss/total", 1.0 / (step + 1), step);
    w.add_scalar("accuracy", 0.5 + 0.1 * step, step);
    EXPECT_EQ(w.add_histogram("dense_1/kernel", weights, step), 0);
  }
  w.add_text("config", "units: **128**", 0);
  w.add_hparams_end(RunStatus::success);
}

void flip_byte(const std::string& path, std::streamoff offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(offset);
  const char c = static_cast<char>(f.get() ^ 0x01);
  f.seekp(offset);
  f.put(c);
  ASSERT_TRUE(f.good()) << path << "@" << offset;
}

TEST(EventWriter, FileNameIsTimeHostPidCounter) {
  LogDir dir;
  const double before = std::floor(unix_seconds_now());
  EventWriter a(dir.logs() + "/run");
  EventWriter b(dir.logs() + "/run");
  const double after = unix_seconds_now();
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const std::regex name(R"(events\.out\.tfevents\.(\d{10})\.(.+)\.(\d+)\.(\d+))");
  std::smatch m;
  const std::string name_a = fs::path(a.path()).filename().string();
  ASSERT_TRUE(std::regex_match(name_a, m, name)) << name_a;
  EXPECT_GE(std::stod(m[1]), before);
  EXPECT_LE(std::stod(m[1]), after);
  EXPECT_EQ(m[2], host);
  EXPECT_EQ(m[3], std::to_string(::getpid()));
  EXPECT_EQ(fs::path(a.path()).parent_path(), fs::path(dir.logs()) / "run");
  // A second writer gets its own file, named after the first (TensorBoard reads in name order).
  const std::string name_b = fs::path(b.path()).filename().string();
  EXPECT_NE(a.path(), b.path());
  EXPECT_LT(name_a, name_b);
}

TEST(EventWriter, StrictCheckerAcceptsEveryKind) {
  LogDir dir;
  write_every_kind(dir.logs());
  const CheckerResult r = dir.check("--check --strict");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("OK: "));
  EXPECT_THAT(r.err, HasSubstr("14 records, 12 values, 0 warnings"));  // version, START, 12 values
}

TEST(EventWriter, FirstRecordsAreFileVersionThenStartAtFirstStep) {
  LogDir dir;
  EventWriter(dir.logs(), /*first_step=*/42).close();
  const CheckerResult r = dir.check("--meta --strict");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<json> rs = r.records();
  ASSERT_THAT(rs, SizeIs(3)) << r.out;
  EXPECT_EQ(rs[0]["kind"], "file_version");
  EXPECT_EQ(rs[0]["file_version"], "brain.Event:2");
  EXPECT_EQ(rs[0]["offset"], 0);
  EXPECT_EQ(rs[1]["kind"], "source_metadata");
  EXPECT_EQ(rs[1]["writer"], "occam");
  EXPECT_EQ(rs[2]["kind"], "session_log");
  EXPECT_EQ(rs[2]["status"], "START");
  EXPECT_EQ(rs[2]["step"], 42);
}

TEST(EventWriter, ScalarsReadBackExactlyAsWritten) {
  LogDir dir;
  const std::vector<double> loss = {0.0, 0.1, -3.25, 1e-8, 12345.678};
  {
    EventWriter w(dir.logs());
    for (size_t i = 0; i < loss.size(); ++i) {
      w.add_scalar("loss", loss[i], 10 * i, 1700000000.0 + 0.25 * i);
      w.add_scalar("lr", 0.5, 10 * i, 1700000000.0);
    }
  }
  const CheckerResult r = dir.check("--strict");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<json> rs = with_tag(r.records(), "loss");
  ASSERT_THAT(rs, SizeIs(loss.size())) << r.out;
  for (size_t i = 0; i < loss.size(); ++i) {
    SCOPED_TRACE("value " + std::to_string(i));
    EXPECT_EQ(rs[i]["kind"], "scalar");
    EXPECT_EQ(rs[i]["source"], "simple_value");
    EXPECT_EQ(rs[i]["step"], 10 * i);
    EXPECT_EQ(rs[i]["value"].get<double>(), static_cast<float>(loss[i]));  // float32 on disk
    EXPECT_EQ(rs[i]["wall_time"].get<double>(), 1700000000.0 + 0.25 * i);
  }
  EXPECT_EQ(rs[1]["value"].get<double>(), 0.10000000149011612);
  EXPECT_THAT(with_tag(r.records(), "lr"), SizeIs(loss.size()));
}

TEST(EventWriter, HistogramBucketsHoldEveryFiniteValue) {
  LogDir dir;
  std::mt19937 gen(3);
  std::normal_distribution<float> normal(0.f, 0.05f);
  std::vector<float> values(1000);
  for (float& v : values) v = normal(gen);
  double lo = values[0], hi = values[0], sum = 0;
  for (float v : values) {
    lo = std::min<double>(lo, v);
    hi = std::max<double>(hi, v);
    sum += v;
  }
  values.push_back(std::nanf(""));
  values.push_back(-std::numeric_limits<float>::infinity());
  {
    EventWriter w(dir.logs());
    EXPECT_EQ(w.add_histogram("w", values, 1), 2);  // NaN and -inf left out, and counted
  }
  const CheckerResult r = dir.check("--strict");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<json> rs = with_tag(r.records(), "w");
  ASSERT_THAT(rs, SizeIs(1)) << r.out;
  const json& h = rs[0];
  EXPECT_EQ(h["kind"], "histogram");
  EXPECT_EQ(h["source"], "histo");
  EXPECT_EQ(h["step"], 1);
  EXPECT_EQ(h["num"].get<double>(), 1000.0);
  EXPECT_EQ(h["min"].get<double>(), lo);
  EXPECT_EQ(h["max"].get<double>(), hi);
  EXPECT_EQ(h["sum"].get<double>(), sum);
  double counted = 0;
  for (const json& c : h["bucket"]) counted += c.get<double>();
  EXPECT_EQ(counted, 1000.0);
  EXPECT_EQ(h["bucket"].size(), h["bucket_limit"].size());
  EXPECT_GT(h["bucket"].front().get<double>(), 0.0);  // no empty bucket at either end
  EXPECT_GT(h["bucket"].back().get<double>(), 0.0);
}

TEST(EventWriter, HistogramWithoutFiniteValuesWritesNothing) {
  LogDir dir;
  {
    EventWriter w(dir.logs());
    const float values[] = {std::nanf(""), std::numeric_limits<float>::infinity()};
    EXPECT_EQ(w.add_histogram("w", values, 0), 2);
    EXPECT_EQ(w.add_histogram("w", {}, 1), 0);
  }
  const CheckerResult r = dir.check("--strict");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(EventWriter, TextIsAStringTensorForTheTextPlugin) {
  LogDir dir;
  EventWriter(dir.logs()).add_text("notes", "lr **0.01**, ünïcode", 3);
  const CheckerResult r = dir.check("--strict --show-data-class");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<json> rs = with_tag(r.records(), "notes");
  ASSERT_THAT(rs, SizeIs(1)) << r.out;
  EXPECT_EQ(rs[0]["kind"], "text");
  EXPECT_EQ(rs[0]["plugin"], "text");
  EXPECT_EQ(rs[0]["data_class"], "DATA_CLASS_TENSOR");
  EXPECT_EQ(rs[0]["dtype"], "DT_STRING");
  EXPECT_EQ(rs[0]["shape"], json::array());
  EXPECT_EQ(rs[0]["text"], json::array({"lr **0.01**, ünïcode"}));
  EXPECT_EQ(rs[0]["step"], 3);
}

TEST(EventWriter, HparamsAreASessionWithStartAndEnd) {
  LogDir dir;
  const double before = unix_seconds_now();
  write_every_kind(dir.logs());
  const double after = unix_seconds_now();
  const CheckerResult r = dir.check("--strict --show-data-class");
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const std::vector<json> start = with_tag(r.records(), "_hparams_/session_start_info");
  ASSERT_THAT(start, SizeIs(1)) << r.out;
  EXPECT_EQ(start[0]["plugin"], "hparams");
  EXPECT_EQ(start[0]["data_class"], "DATA_CLASS_TENSOR");
  EXPECT_EQ(start[0]["dtype"], "DT_FLOAT");
  EXPECT_EQ(start[0]["shape"], json::array({0}));
  const json& info = start[0]["hparams"]["session_start_info"];
  EXPECT_EQ(info["hparams"],
            json({{"lr", 0.01}, {"optimizer", "adam"}, {"nesterov", true}, {"units", 128.0}}));
  EXPECT_GE(info["start_time_secs"].get<double>(), before);
  EXPECT_LE(info["start_time_secs"].get<double>(), after);

  const std::vector<json> end = with_tag(r.records(), "_hparams_/session_end_info");
  ASSERT_THAT(end, SizeIs(1)) << r.out;
  EXPECT_EQ(end[0]["hparams"]["session_end_info"]["status"], "STATUS_SUCCESS");
  EXPECT_GE(end[0]["hparams"]["session_end_info"]["end_time_secs"].get<double>(),
            info["start_time_secs"].get<double>());
  // The run's scalars, which the dashboard shows as this trial's metrics, are in the same run.
  EXPECT_EQ(with_tag(r.records(), "loss/total").back()["run"], start[0]["run"]);
}

TEST(EventWriter, ResumedRunWithStartAtCheckpointStepPassesStrictCheck) {
  LogDir dir;
  {
    EventWriter first(dir.logs(), 0);
    for (int64_t step = 0; step < 5; ++step) first.add_scalar("loss", 1.0, step);
  }
  {
    EventWriter resumed(dir.logs(), /*first_step=*/3);  // steps 3 and 4 are written again
    for (int64_t step = 3; step < 6; ++step) resumed.add_scalar("loss", 2.0, step);
  }
  EXPECT_THAT(event_files(dir.logs()), SizeIs(2));
  const CheckerResult r = dir.check("--check --strict");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(EventWriter, FlushMakesValuesReadableWhileOpen) {
  LogDir dir;
  EventWriter w(dir.logs());
  w.add_scalar("loss", 0.75, 1);
  w.flush();
  const CheckerResult r = dir.check("--strict");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(with_tag(r.records(), "loss"), SizeIs(1)) << r.out;
  EXPECT_EQ(with_tag(r.records(), "loss")[0]["value"], 0.75);
}

// The checker verifies both CRCs of every record, so these tests can fail: one flipped bit in
// the data or in the length is caught, and the good copy passes.
TEST(EventWriter, CheckerRejectsAFileWithOneCorruptByte) {
  LogDir dir;
  write_every_kind(dir.logs() + "/run");
  const std::string path = event_files(dir.logs() + "/run").at(0);
  ASSERT_EQ(dir.check("--check --strict").exit_code, 0);

  const std::string data_copy = dir.root() + "/data_corrupt.tfevents";
  fs::copy_file(path, data_copy);
  flip_byte(data_copy, static_cast<std::streamoff>(fs::file_size(path)) - 8);  // last record's data
  const CheckerResult data = dir.check("--check", data_copy);
  EXPECT_EQ(data.exit_code, 1);
  EXPECT_THAT(data.err, HasSubstr("data CRC mismatch"));

  const std::string length_copy = dir.root() + "/length_corrupt.tfevents";
  fs::copy_file(path, length_copy);
  flip_byte(length_copy, 1);  // first record's length
  const CheckerResult length = dir.check("--check", length_copy);
  EXPECT_EQ(length.exit_code, 1);
  EXPECT_THAT(length.err, HasSubstr("length CRC mismatch"));
}

TEST(EventWriter, MovedWriterKeepsItsFile) {
  LogDir dir;
  EventWriter a(dir.logs() + "/a");
  const std::string path_a = a.path();
  EventWriter b = std::move(a);
  b.add_scalar("loss", 1.0, 0);
  EventWriter c(dir.logs() + "/c");
  const std::string path_c = c.path();
  b = std::move(c);  // closes a's file, complete
  b.add_scalar("loss", 2.0, 0);
  b.close();
  EXPECT_EQ(b.path(), path_c);
  for (const auto& [path, value] : {std::pair{path_a, 1.0}, std::pair{path_c, 2.0}}) {
    const CheckerResult r = dir.check("--strict", path);
    ASSERT_EQ(r.exit_code, 0) << path << ": " << r.err;
    ASSERT_THAT(with_tag(r.records(), "loss"), SizeIs(1)) << r.out;
    EXPECT_EQ(with_tag(r.records(), "loss")[0]["value"], value);
  }
}

TEST(EventWriter, RejectsAStepThatDoesNotIncrease) {
  LogDir dir;
  EventWriter w(dir.logs());
  w.add_scalar("loss", 1.0, 5);
  EXPECT_THAT(error_of([&] { w.add_scalar("loss", 2.0, 5); }),
              HasSubstr("tag 'loss' at step 5 after step 5: steps must increase per tag"));
  EXPECT_THAT(error_of([&] { w.add_text("loss", "x", 4); }), HasSubstr("at step 4 after step 5"));
  EXPECT_EQ(error_of([&] { w.add_scalar("accuracy", 0.5, 5); }), "");  // another tag
  EXPECT_EQ(error_of([&] { w.add_scalar("loss", 2.0, 6); }), "");
  EXPECT_THAT(error_of([&] { w.add_scalar("", 2.0, 7); }), HasSubstr("a value needs a tag"));
}

TEST(EventWriter, RejectsBadHparams) {
  LogDir dir;
  EventWriter w(dir.logs());
  EXPECT_THAT(error_of([&] {
                w.add_hparams({{"lr", std::nan("")}});
              }),
              HasSubstr("add_hparams: 'lr' is nan; TensorBoard cannot show a non-finite number"));
  EXPECT_THAT(error_of([&] { w.add_hparams({{"", 1}}); }), HasSubstr("empty name"));
  w.add_hparams({{"lr", 0.1}});
  EXPECT_THAT(error_of([&] {
                w.add_hparams({{"lr", 0.2}});
              }),
              HasSubstr("add_hparams: called twice"));
  w.close();
  EXPECT_EQ(dir.check("--check --strict").exit_code, 0);  // the rejected calls wrote nothing
}

TEST(EventWriter, ErrorsNameThePath) {
  LogDir dir;
  const std::string blocker = dir.root() + "/blocker";
  std::ofstream(blocker) << "a file, not a directory";
  EXPECT_THAT(error_of([&] { EventWriter w(blocker + "/run"); }),
              HasSubstr(blocker + "/run: cannot create the run directory: "));

  EventWriter w(dir.logs());
  w.close();
  EXPECT_THAT(error_of([&] { w.add_scalar("loss", 1.0, 0); }), HasSubstr(w.path() + " is closed"));
}

}  // namespace
}  // namespace occam::tensorboard
