// occam report on a real (small) run: the page names every term with its formula, its stacked
// bands add up to total_loss at every logged step, it loads nothing from elsewhere, and headless
// Chromium renders it without a console message into a screenshot where the charts are drawn.
#include "occam/app/report.h"

#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>

#include "occam/app/explain.h"
#include "occam/app/run_dir.h"
#include "occam/app/train_command.h"
#include "occam/error.h"
#include "testing/testing.h"

namespace occam::app {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using json = nlohmann::ordered_json;

const char* kChromium = "/usr/bin/chromium";

const char* kConfig = R"(
name: report_test
model:
  input_shape: [1, 28, 28]
  layers:
    - {type: flatten}
    - {type: dense, units: 32, activation: relu, kernel_regularizer: {l2: 1.0e-3}}
    - {type: dense, units: 10, kernel_regularizer: {l1: 1.0e-4}}
data: {dataset: fashion_mnist, train_limit: 2000, validation_split: 0.2}
optimizer: {type: sgd, lr: 0.05, momentum: 0.9}
training: {epochs: 2, batch_size: 64}
logging: {every_steps: 5}
)";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no occam::Error thrown)";
}

// The value of attribute `name` of the first element whose opening tag contains `marker`.
std::string attribute(const std::string& html, const std::string& marker, const std::string& name) {
  const size_t at = html.find(marker);
  if (at == std::string::npos) return "";
  const size_t tag_start = html.rfind('<', at), tag_end = html.find('>', at);
  const std::string tag = html.substr(tag_start, tag_end - tag_start);
  const size_t v = tag.find(" " + name + "=\"");
  if (v == std::string::npos) return "";
  const size_t begin = v + name.size() + 3;
  return tag.substr(begin, tag.find('"', begin) - begin);
}

// The k-th <svg> element whose opening tag contains `marker`, whole.
std::string svg_element(const std::string& html, const std::string& marker, int k = 0) {
  size_t at = html.find(marker);
  for (; k > 0 && at != std::string::npos; --k) at = html.find(marker, at + 1);
  if (at == std::string::npos) return "";
  const size_t begin = html.rfind("<svg", at), end = html.find("</svg>", at);
  return html.substr(begin, end + 6 - begin);
}

std::vector<double> numbers(const std::string& text) {
  std::vector<double> out;
  std::istringstream in(text);
  for (double v; in >> v;) out.push_back(v);
  return out;
}

// Whether a page contains `what`. A failure quotes where, not the whole page.
::testing::AssertionResult page_has(const std::string& page, const std::string& what) {
  if (page.find(what) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "the page (" << page.size() << " bytes) does not contain \"" << what << "\"";
}
::testing::AssertionResult page_lacks(const std::string& page, const std::string& what) {
  const size_t at = page.find(what);
  if (at == std::string::npos) return ::testing::AssertionSuccess();
  const size_t from = at < 80 ? 0 : at - 80;
  return ::testing::AssertionFailure()
         << "the page contains \"" << what << "\" at byte " << at << ": …"
         << page.substr(from, at - from + what.size() + 80) << "…";
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// ---- a minimal PNG reader: 8-bit RGB or RGBA, not interlaced (what Chromium writes) ----

struct Image {
  int64_t width = 0, height = 0;
  std::vector<uint8_t> rgb;  // 3 bytes per pixel, rows top to bottom
};

uint32_t big_endian(const std::string& s, size_t at) {
  return uint32_t(uint8_t(s[at])) << 24 | uint32_t(uint8_t(s[at + 1])) << 16 |
         uint32_t(uint8_t(s[at + 2])) << 8 | uint32_t(uint8_t(s[at + 3]));
}

// The Paeth predictor of PNG filter type 4 (PNG spec §9.4): whichever of left, up, up-left is
// closest to left + up − up-left.
int paeth(int a, int b, int c) {
  const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

Image read_png(const std::string& path) {
  const std::string file = read_text(path);
  if (file.size() < 8 || file.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0)
    throw Error(path + ": not a PNG file");
  Image img;
  int channels = 0;
  std::string idat;
  for (size_t at = 8; at + 8 <= file.size();) {
    const uint32_t length = big_endian(file, at);
    const std::string type = file.substr(at + 4, 4);
    const size_t data = at + 8;
    if (type == "IHDR") {
      img.width = big_endian(file, data);
      img.height = big_endian(file, data + 4);
      const int depth = uint8_t(file[data + 8]), color = uint8_t(file[data + 9]),
                interlace = uint8_t(file[data + 12]);
      if (depth != 8 || (color != 2 && color != 6) || interlace != 0)
        throw Error(path + ": expected an 8-bit RGB or RGBA PNG, not interlaced; got depth " +
                    std::to_string(depth) + ", color type " + std::to_string(color) +
                    ", interlace " + std::to_string(interlace));
      channels = color == 2 ? 3 : 4;
    } else if (type == "IDAT") {
      idat += file.substr(data, length);
    } else if (type == "IEND") {
      break;
    }
    at = data + length + 4;  // + CRC
  }
  if (channels == 0) throw Error(path + ": no IHDR chunk");
  const size_t stride = size_t(img.width) * channels;
  std::vector<uint8_t> raw(size_t(img.height) * (stride + 1));
  uLongf raw_size = raw.size();
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) !=
          Z_OK ||
      raw_size != raw.size())
    throw Error(path + ": the image data does not inflate to " + std::to_string(raw.size()) +
                " bytes");
  // Each scanline: a filter byte, then the bytes as differences from left (a), up (b), up-left (c).
  std::vector<uint8_t> prev(stride, 0), cur(stride);
  img.rgb.reserve(size_t(img.width) * img.height * 3);
  for (int64_t y = 0; y < img.height; ++y) {
    const uint8_t* line = raw.data() + y * (stride + 1);
    const int filter = line[0];
    for (size_t i = 0; i < stride; ++i) {
      const int x = line[1 + i], a = i >= size_t(channels) ? cur[i - channels] : 0, b = prev[i],
                c = i >= size_t(channels) ? prev[i - channels] : 0;
      switch (filter) {
        case 0:
          cur[i] = uint8_t(x);
          break;
        case 1:
          cur[i] = uint8_t(x + a);
          break;
        case 2:
          cur[i] = uint8_t(x + b);
          break;
        case 3:
          cur[i] = uint8_t(x + (a + b) / 2);
          break;
        case 4:
          cur[i] = uint8_t(x + paeth(a, b, c));
          break;
        default:
          throw Error(path + ": row " + std::to_string(y) + " has filter type " +
                      std::to_string(filter));
      }
    }
    for (int64_t px = 0; px < img.width; ++px)
      img.rgb.insert(img.rgb.end(), cur.begin() + px * channels, cur.begin() + px * channels + 3);
    std::swap(prev, cur);
  }
  return img;
}

uint32_t parse_hex_color(const std::string& hex) {
  return uint32_t(std::stoul(hex.substr(1), nullptr, 16));
}

// ---- headless Chromium ----

struct Rendered {
  int exit_code = -1;
  std::string dom;                   // --dump-dom: the page as parsed
  std::vector<std::string> console;  // every console message Chromium logged for the page
  Image screenshot;
};

Rendered render_in_chromium(const std::string& html, const std::string& work_dir) {
  const std::string png = work_dir + "/screenshot.png", dom = work_dir + "/dom.html",
                    log = work_dir + "/chromium.log";
  const std::string command =
      std::string("timeout 60 ") + kChromium +
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --user-data-dir='" +
      work_dir +
      "/profile' --enable-logging=stderr --v=0"
      " --window-size=1200,2000 --screenshot='" +
      png + "' --dump-dom 'file://" + fs::absolute(html).string() + "' >'" + dom + "' 2>'" + log +
      "'";
  Rendered r;
  r.exit_code = std::system(command.c_str());
  r.dom = read_text(dom);
  std::istringstream lines(read_text(log));
  for (std::string line; std::getline(lines, line);)
    if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos)
      r.console.push_back(line);
  if (fs::exists(png)) r.screenshot = read_png(png);
  return r;
}

// ---- one small run, trained once for all the tests ----

class Report : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ =
        (fs::temp_directory_path() / ("occam_report_test_" + std::to_string(getpid()))).string();
    fs::remove_all(work_);
    fs::create_directories(work_);
    write_text(work_ + "/config.yaml", kConfig);
    TrainArgs args;
    args.config = work_ + "/config.yaml";
    args.out = work_ + "/runs";
    args.quiet = true;
    std::ostringstream console;
    run_dir_ = run_train(args, console);
    report_ = write_report(run_dir_);
    html_ = read_text(report_);
  }
  static void TearDownTestSuite() {
    // Kept for a look when a test failed.
    if (!::testing::UnitTest::GetInstance()->current_test_suite()->Failed()) fs::remove_all(work_);
  }
  static std::string work_, run_dir_, report_, html_;
};
std::string Report::work_, Report::run_dir_, Report::report_, Report::html_;

TEST_F(Report, IsWrittenIntoTheRunDirectoryByDefault) {
  EXPECT_EQ(report_, run_dir_ + "/report.html");
  EXPECT_TRUE(page_has(html_, "<!DOCTYPE html>"));
  EXPECT_TRUE(page_has(html_, "</html>"));
  const std::string other = work_ + "/elsewhere.html";
  EXPECT_EQ(write_report(run_dir_, other), other);
  EXPECT_EQ(read_text(other), html_);  // the same run gives the same page
}

TEST_F(Report, NamesEveryTermWithItsFormulaAndTheTestAccuracy) {
  const RunRecord run = read_run(run_dir_);
  for (const char* name : {"classification_loss", "dense_1/kernel/l2", "dense_2/kernel/l1",
                           "regularization_loss", "total_loss"})
    EXPECT_TRUE(page_has(html_, name));
  // Every term's formula, as run.json gives it (these have no character to escape but &).
  for (const auto& t : run.info.at("terms"))
    EXPECT_TRUE(page_has(html_, t.at("formula").get<std::string>()));
  char accuracy[32];
  std::snprintf(accuracy, sizeof accuracy, "%.2f%%",
                100 * run.summary.at("test_accuracy").get<double>());
  EXPECT_TRUE(page_has(html_, std::string("<b class=\"accuracy\">") + accuracy + "</b>"));
  EXPECT_TRUE(page_has(html_, run.info.at("convention").get<std::string>()));
  // The explain table has a row per term and the answers of `occam explain` at the last step.
  const json e = explain_run(run_dir_);
  EXPECT_EQ(count(html_, "<tr><td><span class=\"term\">"), e.at("terms").size());
  EXPECT_TRUE(page_has(html_, "Explanation at step " + e.at("step").dump()));
  EXPECT_TRUE(page_has(html_, e.at("answers").at(1).at("question").get<std::string>()));
}

TEST_F(Report, LoadsNothingFromElsewhere) {
  for (const char* needle :
       {"http://", "https://", "src=", "url(", "@import", "<link", "<script", "<iframe"})
    EXPECT_TRUE(page_lacks(html_, needle));
  // The decomposition, the regularization terms alone, loss, accuracy, weight norms.
  EXPECT_EQ(count(html_, "<svg"), 5u);
}

// The stacked bands are the terms of each logged train point, in objective order, and the top of
// the last band is the logged total: total_loss = data + Σ regularization terms in the first chart,
// regularization_loss = Σ regularization terms in the second.
void expect_bands_add_up(const std::string& chart, const std::vector<const json*>& train,
                         const std::vector<std::string>& terms, const std::string& total_name) {
  SCOPED_TRACE("the chart stacking up to " + total_name);
  const std::vector<double> steps = numbers(attribute(chart, "class=\"chart stacked\"", "data-x"));
  const std::vector<double> total = numbers(attribute(chart, "class=\"total\"", "data-values"));
  ASSERT_EQ(steps.size(), train.size());
  ASSERT_EQ(total.size(), train.size());
  std::vector<double> below(train.size(), 0.0), top;
  for (const std::string& term : terms) {
    top = numbers(attribute(chart, "data-term=\"" + term + "\"", "data-top"));
    ASSERT_EQ(top.size(), train.size()) << term;
    for (size_t i = 0; i < train.size(); ++i) {
      const json& logged = train[i]->at("terms");
      EXPECT_EQ(steps[i], train[i]->at("step").get<double>());
      // Each band is as thick as its term: float32 values printed with 9 digits.
      EXPECT_NEAR(top[i] - below[i], logged.at(term).get<double>(), 1e-6)
          << term << " at step " << steps[i];
    }
    below = top;
  }
  for (size_t i = 0; i < train.size(); ++i) {
    const double logged_total = train[i]->at("terms").at(total_name).get<double>();
    EXPECT_NEAR(total[i], logged_total, 1e-7 * logged_total) << "step " << steps[i];
    // Sums in float32 by the trainer, in double here: within a few float32 ulps.
    EXPECT_NEAR(top[i], logged_total, 1e-6 * logged_total) << "top edge at step " << steps[i];
  }
}

TEST_F(Report, StackedBandsAddUpToTheLoggedTotalsAtEveryStep) {
  const RunRecord run = read_run(run_dir_);
  const auto train = run.split("train");
  ASSERT_GE(train.size(), 10u);
  expect_bands_add_up(svg_element(html_, "class=\"chart stacked\""), train,
                      {"classification_loss", "dense_1/kernel/l2", "dense_2/kernel/l1"},
                      "total_loss");
  expect_bands_add_up(svg_element(html_, "class=\"chart stacked\"", 1), train,
                      {"dense_1/kernel/l2", "dense_2/kernel/l1"}, "regularization_loss");
  EXPECT_TRUE(page_has(html_, "✓ The top edge equals the logged total_loss at all " +
                                  std::to_string(train.size()) + " logged steps"));
}

// A run cut short after its first logged step: one point, no validation, no summary.
std::string make_one_point_run(const std::string& from, const std::string& dir) {
  fs::create_directories(dir);
  fs::copy_file(from + "/run.json", dir + "/run.json", fs::copy_options::overwrite_existing);
  std::istringstream lines(read_text(from + "/metrics.jsonl"));
  std::string first;
  std::getline(lines, first);
  write_text(dir + "/metrics.jsonl", first + "\n");
  return dir;
}

// Such a run still gets its five charts, and the page says what is missing.
TEST_F(Report, HandlesARunWithOnePointAndNoValidation) {
  const std::string dir = make_one_point_run(run_dir_, work_ + "/one_point");
  const std::string html = read_text(write_report(dir));
  EXPECT_EQ(count(html, "<svg"), 5u);
  EXPECT_EQ(numbers(attribute(html, "class=\"chart stacked\"", "data-x")).size(), 1u);
  EXPECT_TRUE(page_has(html, "not evaluated"));
  EXPECT_FALSE(std::regex_search(html, std::regex("[^a-z](nan|inf)[^a-z]")))
      << "a coordinate or label is not finite";

  // Nothing logged at all: the charts say so, there is nothing to explain.
  write_text(dir + "/metrics.jsonl", "");
  const std::string empty = read_text(write_report(dir));
  EXPECT_EQ(count(empty, "no data logged"), 4u);
  EXPECT_TRUE(page_has(empty, "No train step logged yet"));
}

TEST_F(Report, ABadRunDirectoryIsOneLineNamingTheFile) {
  EXPECT_THAT(error_of([] { write_report("/nonexistent/run"); }),
              HasSubstr("/nonexistent/run: no such run directory"));
  const std::string dir = work_ + "/not_a_run";
  fs::create_directories(dir);
  EXPECT_THAT(error_of([&] { write_report(dir); }), HasSubstr(dir + "/run.json: missing"));
  // Valid JSON, but not what occam train writes: still one line naming the run.
  write_text(dir + "/run.json", "{\"name\": 7}");
  write_text(dir + "/metrics.jsonl", read_text(run_dir_ + "/metrics.jsonl"));
  EXPECT_THAT(error_of([&] { write_report(dir); }),
              HasSubstr(dir + ": run.json or metrics.jsonl is not as occam train writes it ("));
  EXPECT_THAT(error_of([&] { write_report(run_dir_, work_ + "/no/such/dir/report.html"); }),
              HasSubstr(work_ + "/no/such/dir/report.html: cannot write"));
}

// Renders the page and checks Chromium parsed all of it, charts included, without a console
// message (an SVG attribute it could not parse, a resource it tried to load, a script error).
Rendered expect_renders_cleanly(const std::string& html, const std::string& work_dir) {
  fs::create_directories(work_dir);
  Rendered r = render_in_chromium(html, work_dir);
  EXPECT_EQ(r.exit_code, 0) << "chromium failed on " << html << "; its log: " << work_dir
                            << "/chromium.log";
  std::string console;
  for (const auto& line : r.console) console += "\n  " + line;
  EXPECT_TRUE(r.console.empty()) << html << " logged to the console:" << console;
  EXPECT_EQ(count(r.dom, "<svg"), 5u);
  EXPECT_TRUE(page_has(r.dom, "</footer>"));
  return r;
}

TEST_F(Report, RendersInHeadlessChromiumWithoutConsoleMessages) {
  ASSERT_TRUE(fs::exists(kChromium))
      << kChromium << " is missing: run scripts/setup.sh (it installs Debian's "
      << "chromium, which this test renders the report with; CI has it)";
  const Rendered r = expect_renders_cleanly(report_, work_ + "/chromium");
  expect_renders_cleanly(write_report(make_one_point_run(run_dir_, work_ + "/one_point_rendered")),
                         work_ + "/chromium_one_point");

  const Image& img = r.screenshot;
  ASSERT_EQ(img.width, 1200);
  ASSERT_EQ(img.height, 2000);
  const size_t pixels = size_t(img.width) * img.height;
  size_t non_white = 0;
  std::map<uint32_t, size_t> by_color;
  for (size_t i = 0; i < pixels; ++i) {
    const uint8_t* p = &img.rgb[3 * i];
    const uint32_t c = uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2];
    if (p[0] < 245 || p[1] < 245 || p[2] < 245) ++non_white;
    ++by_color[c];
  }
  EXPECT_GT(non_white, pixels / 100) << "the screenshot is (nearly) blank: " << non_white << " of "
                                     << pixels << " pixels are not white";
  EXPECT_GE(by_color.size(), 20u) << "the screenshot has only " << by_color.size() << " colors";
  // The stacked chart is drawn: the data band's solid fill covers a good part of the screenshot,
  // and so does every other band's, a little.
  for (const std::string& term :
       {"classification_loss", "dense_1/kernel/l2", "dense_2/kernel/l1"}) {
    const std::string fill = attribute(html_, "data-term=\"" + term + "\"", "fill");
    ASSERT_EQ(fill.size(), 7u) << term << " band has fill '" << fill << "'";
    const size_t n = by_color[parse_hex_color(fill)];
    EXPECT_GT(n, term == "classification_loss" ? pixels / 50 : pixels / 20000)
        << term << " band (" << fill << ") covers " << n << " pixels of the screenshot";
  }
}

}  // namespace
}  // namespace occam::app
