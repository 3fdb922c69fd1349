#include "occam/data/coco.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "occam/error.h"

namespace occam::data {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

template <class... Parts>
[[noreturn]] void fail(const std::string& path, const Parts&... parts) {
  throw DataError(detail::concat(path, ": ", parts...));
}

const json& field(const std::string& path, const json& obj, const char* key,
                  const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end()) fail(path, where, ": missing '", key, "'");
  return *it;
}

int64_t integer(const std::string& path, const json& obj, const char* key,
                const std::string& where) {
  const json& v = field(path, obj, key, where);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d)) return static_cast<int64_t>(d);
  }
  fail(path, where, ": '", key, "' must be an integer, got ", v.dump());
}

double number(const std::string& path, const json& v, const std::string& what,
              const std::string& where) {
  if (!v.is_number()) fail(path, where, ": ", what, " must be a number, got ", v.dump());
  return v.get<double>();
}

const json& array(const std::string& path, const json& root, const char* key) {
  const json& v = field(path, root, key, "the top-level object");
  if (!v.is_array()) fail(path, "'", key, "' must be an array, got ", v.type_name());
  return v;
}

}  // namespace

DetectionAnnotations read_coco(const std::string& json_path, const std::string& images_dir,
                               const AnnotationOptions& options) {
  const std::string& path = json_path;
  std::ifstream in(path);
  if (!in) fail(path, "cannot open: ", std::strerror(errno));
  json root;
  try {
    root = json::parse(in);
  } catch (const json::parse_error& e) {
    fail(path, "not valid JSON: ", e.what());
  }
  if (!root.is_object()) fail(path, "expected a JSON object with images, annotations, categories");
  const fs::path dir = images_dir.empty() ? fs::path(path).parent_path() : fs::path(images_dir);

  DetectionAnnotations out;
  out.source = path;

  // Categories, sorted by id: class index = position.
  for (const json& c : array(path, root, "categories")) {
    const std::string where = detail::concat("category ", c.dump());
    if (!c.is_object()) fail(path, where, ": expected an object");
    Category cat;
    cat.id = integer(path, c, "id", where);
    const json& name = field(path, c, "name", where);
    if (!name.is_string()) fail(path, where, ": 'name' must be a string");
    cat.name = name.get<std::string>();
    out.categories.push_back(std::move(cat));
  }
  std::stable_sort(out.categories.begin(), out.categories.end(),
                   [](const Category& a, const Category& b) { return a.id < b.id; });
  std::unordered_map<int64_t, int64_t> class_of;
  for (size_t i = 0; i < out.categories.size(); ++i) {
    const Category& c = out.categories[i];
    if (!class_of.emplace(c.id, static_cast<int64_t>(i)).second)
      fail(path, "two categories have id ", c.id, " ('", out.categories[i - 1].name, "' and '",
           c.name, "')");
  }

  // Images, in file order.
  std::unordered_map<int64_t, size_t> image_at;
  const json& images = array(path, root, "images");
  for (size_t i = 0; i < images.size(); ++i) {
    const json& im = images[i];
    std::string where = detail::concat("images[", i, "]");
    if (!im.is_object()) fail(path, where, ": expected an object");
    AnnotatedImage image;
    image.id = integer(path, im, "id", where);
    where = detail::concat("image id ", image.id);
    const json& name = field(path, im, "file_name", where);
    if (!name.is_string()) fail(path, where, ": 'file_name' must be a string");
    image.name = name.get<std::string>();
    where += " '" + image.name + "'";
    image.width = integer(path, im, "width", where);
    image.height = integer(path, im, "height", where);
    if (image.width <= 0 || image.height <= 0)
      fail(path, where, ": size ", image.width, "x", image.height,
           " (width and height must be > 0)");
    image.file = (dir / image.name).string();
    if (options.check_files && !fs::is_regular_file(image.file))
      fail(path, where, ": image file ", image.file, " does not exist",
           images_dir.empty() ? " (pass the images directory if it is not beside the JSON)" : "");
    if (!image_at.emplace(image.id, out.images.size()).second)
      fail(path, "two images have id ", image.id);
    out.images.push_back(std::move(image));
  }

  // Annotations, in file order, into their images.
  if (root.contains("annotations")) {
    const json& annotations = array(path, root, "annotations");
    for (size_t i = 0; i < annotations.size(); ++i) {
      const json& a = annotations[i];
      std::string where = detail::concat("annotations[", i, "]");
      if (!a.is_object()) fail(path, where, ": expected an object");
      AnnotatedObject o;
      o.annotation_id = integer(path, a, "id", where);
      where = detail::concat("annotation id ", o.annotation_id, " (annotations[", i, "])");
      const int64_t image_id = integer(path, a, "image_id", where);
      auto im = image_at.find(image_id);
      if (im == image_at.end()) fail(path, where, ": image_id ", image_id, " is not in 'images'");
      AnnotatedImage& image = out.images[im->second];
      where += detail::concat(" of image id ", image_id, " '", image.name, "'");
      o.category_id = integer(path, a, "category_id", where);
      const json& bbox = field(path, a, "bbox", where);
      if (!bbox.is_array() || bbox.size() != 4)
        fail(path, where, ": 'bbox' must be [x, y, width, height], got ", bbox.dump());
      const double x = number(path, bbox[0], "bbox x", where);
      const double y = number(path, bbox[1], "bbox y", where);
      const double w = number(path, bbox[2], "bbox width", where);
      const double h = number(path, bbox[3], "bbox height", where);
      o.box = {x, y, x + w, y + h};
      o.area = a.contains("area") ? number(path, a["area"], "'area'", where) : w * h;
      if (a.contains("iscrowd")) {
        const int64_t crowd = integer(path, a, "iscrowd", where);
        if (crowd != 0 && crowd != 1) fail(path, where, ": 'iscrowd' must be 0 or 1, got ", crowd);
        o.crowd = crowd == 1;
      }
      auto cls = class_of.find(o.category_id);
      if (cls == class_of.end()) {
        std::string known;
        for (size_t k = 0; k < out.categories.size() && k < 12; ++k)
          known += (k ? ", " : "") + std::to_string(out.categories[k].id);
        if (out.categories.size() > 12) known += ", ...";
        reject_annotation(out, options,
                          detail::concat(path, ": ", where, ": unknown category_id ", o.category_id,
                                         " (categories: ", known, ")"));
        continue;
      }
      o.class_index = cls->second;
      const std::string problem =
          box_problem(o.box, image.width, image.height, options.outside_tolerance);
      if (!problem.empty()) {
        reject_annotation(
            out, options,
            detail::concat(path, ": ", where, ": bbox ", bbox.dump(), " is ", problem));
        continue;
      }
      image.objects.push_back(o);
    }
  }
  return out;
}

}  // namespace occam::data
