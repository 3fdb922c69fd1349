// The train / validation / test datasets a run config describes: the validation split is drawn
// from the training data with its own seeded stream, so it does not change with the model.
#pragma once

#include "occam/config/run_config.h"
#include "occam/data/dataset.h"

namespace occam::app {

struct Splits {
  data::Dataset train, validation, test;
};

// Throws DataError for unreadable data, ConfigError when the samples do not fit model.input_shape.
Splits load_splits(const config::RunConfig& config);

}  // namespace occam::app
