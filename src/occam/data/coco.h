// COCO detection annotations (https://cocodataset.org/#format-data): one JSON file with
//   images       [{id, width, height, file_name}]
//   annotations  [{id, image_id, category_id, bbox: [x, y, w, h] (pixels, top-left, 0-based), area, iscrowd}]
//   categories   [{id, name}]
// read into DetectionAnnotations (data/annotations.h).
//
// - Class indices: categories sorted by id, index = position. COCO's 80 classes with ids 1..90
//   become indices 0..79; a category without annotations keeps its index.
// - Images in file order; each image's objects in annotation order. An image with no
//   annotation is kept, with no objects. `annotations` may be absent (no objects at all).
// - box = {x, y, x + w, y + h}. `area` is kept as written (COCOeval's area ranges read it, not
//   the box); when absent it is w·h. A missing `iscrowd` is 0 (pycocotools would fail on it).
// - Errors (DataError, one line naming the JSON file and the image or annotation): not JSON,
//   a missing or mistyped field, duplicate image or category ids, an annotation of an unknown
//   image, a missing image file (options.check_files). Under options.on_invalid = skip, an
//   unknown category_id, a degenerate box or one outside its image drops that annotation and
//   is listed in `skipped`; under error (the default) it throws.
#pragma once

#include <string>

#include "occam/data/annotations.h"

namespace occam::data {

// images_dir: where file_name is looked up; empty means the JSON file's directory.
DetectionAnnotations read_coco(const std::string& json_path, const std::string& images_dir = "",
                               const AnnotationOptions& options = {});

}  // namespace occam::data
