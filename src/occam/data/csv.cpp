#include "occam/data/csv.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <vector>

namespace occam::data {

namespace {

struct Field {
  std::string_view text;  // trimmed of spaces and one pair of surrounding quotes
  int64_t column;         // 1-based character position of the field's start, for errors
};

std::vector<Field> split_fields(std::string_view line, char delimiter) {
  std::vector<Field> fields;
  size_t start = 0;
  while (true) {
    const size_t end = std::min(line.find(delimiter, start), line.size());
    std::string_view t = line.substr(start, end - start);
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
    fields.push_back({t, static_cast<int64_t>(start) + 1});
    if (end == line.size()) return fields;
    start = end + 1;
  }
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

class CsvReader {
 public:
  CsvReader(const std::string& path, const CsvConfig& config) : path_(path), config_(config) {}

  Dataset read() {
    std::error_code ec;
    if (std::filesystem::is_directory(path_, ec))
      throw DataError(path_ + ": is a directory, expected a CSV file");
    std::ifstream in(path_);
    if (!in) throw DataError(path_ + ": cannot open: " + std::strerror(errno));
    std::string line;
    int64_t line_no = 0;
    std::vector<float> features;
    Dataset d;
    while (std::getline(in, line)) {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (is_blank(line)) continue;
      const std::vector<Field> fields = split_fields(line, config_.delimiter);
      if (columns_ == 0) {
        start(fields, line_no);
        if (config_.header) continue;
      }
      if (static_cast<int64_t>(fields.size()) != columns_) {
        const int64_t col = static_cast<int64_t>(fields.size()) > columns_
                                ? fields[columns_].column
                                : static_cast<int64_t>(line.size()) + 1;
        fail(line_no, col, "expected ", columns_, " fields (as in line ", first_line_, "), found ",
             fields.size());
      }
      for (int64_t c = 0; c < columns_; ++c) {
        if (c == label_)
          d.labels.push_back(parse_label(fields[c], line_no));
        else
          features.push_back(parse_feature(fields[c], c, line_no));
      }
    }
    if (columns_ == 0) throw DataError(path_ + ": empty file, expected rows of numbers");
    if (d.labels.empty()) throw DataError(path_ + ": no data rows after the header");

    const auto n = static_cast<int64_t>(d.labels.size());
    d.inputs = Tensor::from({n, columns_ - 1}, std::move(features));
    d.num_classes = config_.num_classes;
    if (d.num_classes == 0)
      for (int64_t y : d.labels) d.num_classes = std::max(d.num_classes, y + 1);
    return d;
  }

 private:
  template <class... Parts>
  [[noreturn]] void fail(int64_t line, int64_t column, const Parts&... parts) const {
    throw DataError(detail::concat(path_, ":", line, ":", column, ": ", parts...));
  }

  // Fixes the column count and the label's position from the first non-blank line.
  void start(const std::vector<Field>& fields, int64_t line_no) {
    columns_ = static_cast<int64_t>(fields.size());
    first_line_ = line_no;
    if (config_.header)
      for (const Field& f : fields) names_.emplace_back(f.text);
    if (columns_ < 2)
      fail(line_no, 1, "expected at least 2 fields (features and a label), found ", columns_,
           " (is the delimiter '", config_.delimiter, "' right?)");
    if (!config_.label_column.empty()) {
      OCCAM_CHECK(config_.header, "load_csv: label_column '", config_.label_column,
                  "' needs header = true; use label_index for a file without a header");
      label_ = -1;
      for (int64_t c = 0; c < columns_; ++c)
        if (names_[c] == config_.label_column) label_ = c;
      if (label_ < 0) {
        std::string all;
        for (const std::string& name : names_) all += (all.empty() ? "" : ", ") + name;
        fail(line_no, 1, "no column named '", config_.label_column, "' (columns: ", all, ")");
      }
    } else {
      label_ = config_.label_index < 0 ? columns_ + config_.label_index : config_.label_index;
      if (label_ < 0 || label_ >= columns_)
        fail(line_no, 1, "label column index ", config_.label_index, " is out of range for ",
             columns_, " columns");
    }
  }

  std::string describe(int64_t c) const {
    return config_.header ? detail::concat("column '", names_[c], '\'')
                          : detail::concat("column ", c + 1);
  }

  std::string shown(std::string_view text) const {
    return text.empty() ? "an empty field" : detail::concat('\'', text, '\'');
  }

  float parse_feature(const Field& f, int64_t c, int64_t line_no) const {
    float v = 0;
    const char* end = f.text.data() + f.text.size();
    const auto [ptr, ec] = std::from_chars(f.text.data(), end, v);
    if (f.text.empty() || ec != std::errc() || ptr != end)
      fail(line_no, f.column, "expected a number in ", describe(c), ", got ", shown(f.text));
    if (!std::isfinite(v))
      fail(line_no, f.column, "expected a finite number in ", describe(c), ", got ", shown(f.text));
    return v;
  }

  int64_t parse_label(const Field& f, int64_t line_no) const {
    int64_t y = 0;
    const char* end = f.text.data() + f.text.size();
    const auto [ptr, ec] = std::from_chars(f.text.data(), end, y);
    if (f.text.empty() || ec != std::errc() || ptr != end)
      fail(line_no, f.column, "expected an integer class label in ", describe(label_), ", got ",
           shown(f.text));
    if (y < 0) fail(line_no, f.column, "label ", y, " is negative (classes are 0, 1, …)");
    if (config_.num_classes > 0 && y >= config_.num_classes)
      fail(line_no, f.column, "label ", y, " is outside [0, ", config_.num_classes, ")");
    return y;
  }

  std::string path_;
  CsvConfig config_;
  int64_t columns_ = 0;  // 0 until the first non-blank line
  int64_t first_line_ = 0;
  int64_t label_ = 0;
  std::vector<std::string> names_;
};

}  // namespace

Dataset load_csv(const std::string& path, const CsvConfig& config) {
  return CsvReader(path, config).read();
}

}  // namespace occam::data
