#include "occam/data/annotations.h"

#include <algorithm>
#include <cmath>

#include "occam/error.h"

namespace occam::data {

std::vector<std::string> DetectionAnnotations::class_names() const {
  std::vector<std::string> names;
  for (const Category& c : categories) names.push_back(c.name);
  return names;
}

int64_t DetectionAnnotations::num_objects() const {
  int64_t n = 0;
  for (const AnnotatedImage& image : images) n += static_cast<int64_t>(image.objects.size());
  return n;
}

int64_t DetectionAnnotations::class_index(int64_t category_id) const {
  for (size_t i = 0; i < categories.size(); ++i)
    if (categories[i].id == category_id) return static_cast<int64_t>(i);
  return -1;
}

Objects to_objects(const AnnotatedImage& image) {
  Objects out;
  const double w = static_cast<double>(image.width), h = static_cast<double>(image.height);
  auto unit = [](double v) { return static_cast<float>(std::clamp(v, 0.0, 1.0)); };
  for (const AnnotatedObject& o : image.objects) {
    out.boxes.push_back(
        {unit(o.box.ymin / h), unit(o.box.xmin / w), unit(o.box.ymax / h), unit(o.box.xmax / w)});
    out.classes.push_back(o.class_index);
    out.crowd.push_back(o.crowd ? 1 : 0);
    out.difficult.push_back(o.difficult ? 1 : 0);
  }
  return out;
}

std::string box_problem(const PixelBox& b, int64_t width, int64_t height, double tolerance) {
  if (!std::isfinite(b.xmin) || !std::isfinite(b.ymin) || !std::isfinite(b.xmax) ||
      !std::isfinite(b.ymax))
    return "a non-finite coordinate";
  if (b.width() <= 0 || b.height() <= 0)
    return detail::concat("a degenerate box (width ", b.width(), ", height ", b.height(),
                          " pixels): it has no area to learn from");
  if (b.xmin < -tolerance || b.ymin < -tolerance || b.xmax > width + tolerance ||
      b.ymax > height + tolerance)
    return detail::concat("a box outside its ", width, "x", height, " image (x ", b.xmin, "..",
                          b.xmax, ", y ", b.ymin, "..", b.ymax,
                          " pixels): are the coordinates in another image's size or order?");
  return "";
}

void reject_annotation(DetectionAnnotations& annotations, const AnnotationOptions& options,
                       std::string message) {
  if (options.on_invalid == OnInvalid::error) throw DataError(message);
  annotations.skipped.push_back(std::move(message));
}

}  // namespace occam::data
