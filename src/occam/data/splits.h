// The train / validation / test sources a run's data section describes. The validation split is
// drawn from the training data with its own seeded stream, so it does not change with the model.
#pragma once

#include <memory>
#include <string>

#include "occam/data/dataset.h"

namespace occam::data {

struct DataConfig {
  enum class Kind { fashion_mnist, csv } kind = Kind::fashion_mnist;
  std::string path = "/usr/share/datasets/fashion-mnist";  // directory (IDX) or file (CSV)
  std::string test_path;          // CSV: the test file (empty: no test split)
  std::string label_column;       // CSV
  double validation_split = 0.0;  // fraction of train held out, [0, 1)
  int64_t train_limit = 0;        // use only the first N training samples (0: all)
};

struct Splits {
  std::shared_ptr<const Source> train, validation, test;  // never null; a missing split has size 0
};

// Throws DataError for unreadable data. `seed` is the run's seed (the split's stream derives from it).
Splits load_splits(const DataConfig& config, uint64_t seed);

}  // namespace occam::data
