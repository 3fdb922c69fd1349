// Pascal VOC detection annotations (the VOC2007/2012 devkit layout) read into
// DetectionAnnotations (data/annotations.h):
//   <root>/ImageSets/Main/<split>.txt   one image id per line (blank lines ignored)
//   <root>/Annotations/<id>.xml         annotation/{filename, size/{width,height},
//                                       object/{name, truncated, difficult, bndbox/{xmin,ymin,xmax,ymax}}}
//   <root>/JPEGImages/<filename>        the image (<filename> from the XML; <id>.jpg if absent)
//
// - Boxes: VOC writes 1-based inclusive pixel indices, so a box over the first 10 pixel columns
//   is xmin 1, xmax 10. Occam's continuous box is {xmin − 1, ymin − 1, xmax, ymax} (that box is
//   10 wide, and its area is the devkit's (xmax − xmin + 1)(ymax − ymin + 1)); the raw values are
//   box.xmin + 1, box.ymin + 1, box.xmax, box.ymax. Coordinates may be fractional.
// - Classes: `class_names` if given (an object of another name is then invalid), else every
//   name in the split's files sorted alphabetically (for VOC's 20 classes that is the devkit's
//   order, aeroplane … tvmonitor). Category id = class index + 1.
// - difficult and truncated are read (absent = 0); nothing is dropped for them: evaluation and
//   the data source decide. An image with no <object> is valid.
// - An empty `split` reads every Annotations/*.xml, sorted by name.
// - Errors (DataError, one line naming the XML file and the object): not XML, a missing or
//   non-numeric field, size not positive, a missing image file (options.check_files), a missing
//   split or annotation file. Under options.on_invalid = skip, a degenerate box, one outside its
//   image or an unknown class name drops that object and is listed in `skipped`.
#pragma once

#include <string>
#include <vector>

#include "occam/data/annotations.h"

namespace occam::data {

DetectionAnnotations read_voc(const std::string& root, const std::string& split,
                              const AnnotationOptions& options = {},
                              const std::vector<std::string>& class_names = {});

}  // namespace occam::data
