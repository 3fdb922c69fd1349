// Fashion-MNIST (Zalando, github.com/zalandoresearch/fashion-mnist): 28×28 grey images of
// 10 kinds of clothing, 60000 train + 10000 test, as IDX files. Loads to inputs [N, 1, 28, 28]
// in [0, 1] and labels [N] in [0, 10), with the class names.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "occam/data/dataset.h"

namespace occam::data {

enum class Split { train, test };

// Where Debian's dataset-fashion-mnist package puts the files.
inline constexpr std::string_view fashion_mnist_default_dir = "/usr/share/datasets/fashion-mnist";

// Label i is class_names[i].
inline constexpr std::array<std::string_view, 10> fashion_mnist_class_names = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

// Reads {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz from `dir` (or the same names without
// .gz). A missing directory or file throws DataError saying where to get the data.
Dataset load_fashion_mnist(const std::string& dir, Split split);

}  // namespace occam::data
