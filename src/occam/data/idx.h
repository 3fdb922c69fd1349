// IDX files (the MNIST format, http://yann.lecun.com/exdb/mnist): a big-endian header
// (magic 0x00000803 + N, H, W for uint8 images; 0x00000801 + N for uint8 labels), then the bytes.
// Files are read through zlib, so gzip'd (.gz) and plain files both work, whatever their name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "occam/data/dataset.h"
#include "occam/tensor/tensor.h"

namespace occam::data {

// Images [N, 1, H, W] float32, pixel / 255 (so in [0, 1]).
Tensor read_idx_images(const std::string& path);
// Labels [N], each checked to lie in [0, num_classes).
std::vector<int64_t> read_idx_labels(const std::string& path, int64_t num_classes);

// Both files, checked to hold as many labels as images. Bad input throws DataError, one line
// naming the file: cannot open, wrong magic, truncated, trailing data, count mismatch, label
// out of range.
Dataset load_idx(const std::string& images_path, const std::string& labels_path,
                 int64_t num_classes);

}  // namespace occam::data
