// Tabular data from CSV: numeric feature columns and one integer class-label column.
// Loads to inputs [N, F] float32 (F = columns − 1, in file order) and labels [N].
// Fields may be padded with spaces or wrapped in "quotes"; there is no quoting of delimiters.
#pragma once

#include <cstdint>
#include <string>

#include "occam/data/dataset.h"

namespace occam::data {

struct CsvConfig {
  bool header = true;          // the first non-blank line names the columns
  std::string label_column{};  // the label's name in the header; empty: use label_index
  int64_t label_index = -1;    // the label's 0-based position; negative counts from the end
  int64_t num_classes = 0;     // labels must lie in [0, num_classes); 0: largest label + 1
  char delimiter = ',';
};

// Blank lines are skipped; a trailing '\r' (Windows line ends) is ignored. Bad input throws
// DataError naming file:line:column: cannot open, empty file, no data rows, unknown label
// column, ragged row, non-numeric or non-finite feature, non-integer or out-of-range label.
Dataset load_csv(const std::string& path, const CsvConfig& config = {});

}  // namespace occam::data
