// Readers for what users evaluate: a COCO ground-truth JSON, a COCO results JSON, the devkit's
// per-class detection files, and a VOC root's annotations. Every error is a one-line
// occam::DataError naming the file (and the line or entry).
#pragma once

#include <string>
#include <vector>

#include "occam/detection/coco_eval.h"
#include "occam/detection/voc_eval.h"

namespace occam::detection {

// images (id), categories (id, name), annotations (id, image_id, category_id, bbox [x,y,w,h],
// area, iscrowd). A missing `area` or `iscrowd` is an error (cocoeval would raise KeyError).
CocoGroundTruth read_coco_ground_truth(const std::string& json_path);

// A COCO results file: a JSON list of {image_id, category_id, bbox [x,y,w,h], score}.
std::vector<CocoDetection> read_coco_results(const std::string& json_path);

// One line of a devkit detection file: "image_id score xmin ymin xmax ymax". `where` names the
// file and line in the error.
VocDetection parse_voc_detection_line(const std::string& line, const std::string& class_name,
                                      const std::string& where);

// Every `<class>.txt` of `dir` (class = file stem), lines as above; blank lines are skipped.
std::vector<VocDetection> read_voc_detections(const std::string& dir);

// A VOC root: ImageSets/Main/<split>.txt (every Annotations/*.xml when split is empty) and the
// objects of Annotations/<image>.xml (name, difficult, bndbox as written: 1-based inclusive).
// Classes: sorted names of the objects. Each object's direct <name>, <difficult> and <bndbox> are
// read (<part> children, as in VOC's person layout, are skipped).
VocGroundTruth read_voc_ground_truth(const std::string& root, const std::string& split);

}  // namespace occam::detection
