#include "occam/data/splits.h"

#include "occam/data/csv.h"
#include "occam/data/fashion_mnist.h"

namespace occam::data {

namespace {
std::shared_ptr<const Source> source_of(Dataset d) {
  return std::make_shared<DatasetSource>(std::move(d));
}
}  // namespace

Splits load_splits(const DataConfig& c, uint64_t seed) {
  Dataset full, test;
  if (c.kind == DataConfig::Kind::fashion_mnist) {
    full = load_fashion_mnist(c.path, Split::train);
    test = load_fashion_mnist(c.path, Split::test);
  } else {
    CsvConfig csv;
    csv.label_column = c.label_column;
    full = load_csv(c.path, csv);
    if (!c.test_path.empty()) {
      csv.num_classes = full.num_classes;
      test = load_csv(c.test_path, csv);
    }
  }
  if (c.train_limit > 0 && c.train_limit < full.size()) {
    std::vector<int64_t> first(size_t(c.train_limit));
    for (int64_t i = 0; i < c.train_limit; ++i) first[size_t(i)] = i;
    full = subset(full, first);
  }
  Splits s;
  s.test = source_of(std::move(test));
  if (c.validation_split > 0) {
    Rng split_rng(seed ^ 0x5eed5eedULL);  // its own stream: changing the model leaves the split
    auto parts = split_validation(full, c.validation_split, split_rng);
    s.train = source_of(std::move(parts.train));
    s.validation = source_of(std::move(parts.validation));
  } else {
    s.train = source_of(std::move(full));
    s.validation = source_of(Dataset{});
  }
  return s;
}

}  // namespace occam::data
