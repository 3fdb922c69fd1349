#include "occam/data/fashion_mnist.h"

#include <filesystem>

#include "occam/data/idx.h"

namespace occam::data {

namespace fs = std::filesystem;

namespace {

constexpr const char* kWhereToGetIt =
    "install Debian's dataset-fashion-mnist, or download the four .gz files from "
    "github.com/zalandoresearch/fashion-mnist into it";

// dir/name.gz if present, else dir/name if present; otherwise a DataError naming both.
std::string find_file(const fs::path& dir, const std::string& name) {
  for (const std::string& candidate : {name + ".gz", name}) {
    std::error_code ec;
    if (fs::is_regular_file(dir / candidate, ec)) return (dir / candidate).string();
  }
  throw DataError((dir / name).string() + ".gz: no such file, nor without .gz (" + kWhereToGetIt +
                  ")");
}

}  // namespace

Dataset load_fashion_mnist(const std::string& dir, Split split) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw DataError(dir + ": no such directory for Fashion-MNIST (" + kWhereToGetIt + ")");
  const std::string prefix = split == Split::train ? "train" : "t10k";
  const std::string images = find_file(dir, prefix + "-images-idx3-ubyte");
  const std::string labels = find_file(dir, prefix + "-labels-idx1-ubyte");
  Dataset d = load_idx(images, labels, 10);
  d.class_names.assign(fashion_mnist_class_names.begin(), fashion_mnist_class_names.end());
  return d;
}

}  // namespace occam::data
