// Detection annotations in memory: one description per image — file, size, objects in pixels
// with their class — read from COCO JSON (data/coco.h) or Pascal VOC XML (data/voc.h). Pixels
// are decoded later, on demand (data/image.h); nothing here opens an image beyond checking
// that its file exists.
//
// Boxes are in continuous pixel coordinates: (0, 0) is the top-left corner of the top-left
// pixel, (width, height) the bottom-right corner of the image, so a box covering pixels
// x = 0..9 has xmin 0 and xmax 10. This is COCO's convention (xmax = x + w); VOC's 1-based
// inclusive pixel indices convert as xmin − 1, ymin − 1, xmax, ymax (see voc.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "occam/data/source.h"

namespace occam::data {

struct PixelBox {
  double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
  double width() const { return xmax - xmin; }
  double height() const { return ymax - ymin; }
};

// A category as the annotation file names it. Class indices are positions in
// DetectionAnnotations::categories, which is sorted by id (COCO) or by name (VOC).
struct Category {
  int64_t id = 0;  // COCO category_id (need not be contiguous); VOC: class index + 1
  std::string name;
};

struct AnnotatedObject {
  PixelBox box;
  int64_t class_index = 0;    // in [0, categories.size())
  int64_t category_id = 0;    // the file's id (COCO), class index + 1 (VOC)
  int64_t annotation_id = 0;  // COCO annotation id; VOC: 1-based position of <object> in its file
  double area = 0;         // COCO `area` (the segment's area, what COCOeval reads); VOC: box area
  bool crowd = false;      // COCO iscrowd
  bool difficult = false;  // VOC <difficult>
  bool truncated = false;  // VOC <truncated>
};

struct AnnotatedImage {
  std::string file;  // path of the image file (the images directory joined with its name)
  int64_t id = 0;    // COCO image id; VOC: 0-based position in the split
  std::string name;  // COCO file_name; VOC image id (the line of ImageSets/Main/<split>.txt)
  int64_t width = 0, height = 0;
  std::vector<AnnotatedObject> objects;  // may be empty: an image with no object is valid
};

// What to do with a bad annotation (degenerate box, box outside its image, unknown category).
enum class OnInvalid {
  error,  // throw DataError naming the file, the image and the annotation (the default)
  skip,   // drop that one object, count it and say why in `skipped`
};

struct AnnotationOptions {
  OnInvalid on_invalid = OnInvalid::error;
  // A box may stick out of its image by this many pixels (annotation tools round; COCO has
  // boxes ending at 640.01 in 640-wide images) and is kept as written; to_objects clamps it.
  double outside_tolerance = 1.0;
  // Whether every image file must exist (a missing one is always an error, never a skip).
  bool check_files = true;
};

struct DetectionAnnotations {
  std::string source;                // the annotation file or VOC root, for messages
  std::vector<Category> categories;  // class index = position
  std::vector<AnnotatedImage> images;
  std::vector<std::string> skipped;  // one line per skipped object (OnInvalid::skip)

  int64_t num_classes() const { return static_cast<int64_t>(categories.size()); }
  std::vector<std::string> class_names() const;
  int64_t num_objects() const;
  // The class index of a category id, or −1 if there is none.
  int64_t class_index(int64_t category_id) const;
};

// One image's objects as a detection batch carries them: boxes [ymin, xmin, ymax, xmax] divided
// by the image's height and width and clamped to [0, 1], classes, crowd and difficult flags.
Objects to_objects(const AnnotatedImage& image);

// Why a box cannot be trained on, or "" if it can: zero or negative width or height, a
// non-finite coordinate, or more than `tolerance` pixels outside the width × height image.
std::string box_problem(const PixelBox& box, int64_t width, int64_t height, double tolerance);

// For readers: OnInvalid::error throws DataError(message); skip appends it to `skipped`.
void reject_annotation(DetectionAnnotations& annotations, const AnnotationOptions& options,
                       std::string message);

}  // namespace occam::data
