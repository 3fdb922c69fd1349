#include "occam/app/splits.h"

#include "occam/data/csv.h"
#include "occam/data/fashion_mnist.h"

namespace occam::app {

Splits load_splits(const config::RunConfig& c) {
  Splits s;
  data::Dataset full;
  if (c.data.kind == config::DataConfig::Kind::fashion_mnist) {
    full = data::load_fashion_mnist(c.data.path, data::Split::train);
    s.test = data::load_fashion_mnist(c.data.path, data::Split::test);
  } else {
    data::CsvConfig csv;
    csv.label_column = c.data.label_column;
    full = data::load_csv(c.data.path, csv);
    if (!c.data.test_path.empty()) {
      csv.num_classes = full.num_classes;
      s.test = data::load_csv(c.data.test_path, csv);
    }
  }
  if (c.data.train_limit > 0 && c.data.train_limit < full.size()) {
    std::vector<int64_t> first(size_t(c.data.train_limit));
    for (int64_t i = 0; i < c.data.train_limit; ++i) first[size_t(i)] = i;
    full = data::subset(full, first);
  }
  if (c.data.validation_split > 0) {
    Rng split_rng(c.seed ^ 0x5eed5eedULL);  // its own stream: changing the model leaves the split
    auto parts = data::split_validation(full, c.data.validation_split, split_rng);
    s.train = std::move(parts.train);
    s.validation = std::move(parts.validation);
  } else {
    s.train = std::move(full);
  }
  Shape want = c.model.input_shape;
  if (s.train.sample_shape() != want)
    throw ConfigError(c.source + ": model.input_shape is " + shape_str(want) + " but the data's samples are " +
                      shape_str(s.train.sample_shape()));
  return s;
}

}  // namespace occam::app
