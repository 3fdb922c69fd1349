// `occam eval-detections` as a library call on files written from the shared fixtures: the COCO
// readers and the devkit detection-file reader (fed the fixture's verbatim lines), good and bad.
#include "occam/detection/eval_detections.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "occam/detection/detection_files.h"
#include "testing/testing.h"

namespace occam::detection {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json load(const std::string& file) {
  std::ifstream in(std::string(OCCAM_FIXTURES_DIR) + "/detection/" + file);
  return json::parse(in);
}

fs::path temp_dir(const std::string& name) {
  fs::path d =
      fs::temp_directory_path() / ("occam_eval_det_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

TEST(EvalDetections, CocoFilesPrintWhatPycocotoolsPrintsAndOdApiJson) {
  for (const json& c : load("coco_map_cases.json")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const fs::path d = temp_dir("coco");
    write(d / "gt.json", c.at("gt").dump());
    write(d / "dt.json", c.at("dt").dump());
    EvalDetectionsArgs args;
    args.gt = (d / "gt.json").string();
    args.detections = (d / "dt.json").string();
    std::string want;
    for (const auto& line : c.at("summarize_output")) want += line.get<std::string>() + "\n";
    EXPECT_EQ(run_eval_detections(args).substr(0, want.size()), want);
    args.json = true;
    const json j = json::parse(run_eval_detections(args));
    EXPECT_NEAR(j.at("DetectionBoxes_Precision/mAP").get<double>(), c.at("stats")[0].get<double>(),
                1e-6);
    EXPECT_NEAR(j.at("DetectionBoxes_Precision/mAP@.75IOU").get<double>(),
                c.at("stats")[2].get<double>(), 1e-6);
    EXPECT_NEAR(j.at("DetectionBoxes_Recall/AR@100 (large)").get<double>(),
                c.at("stats")[11].get<double>(), 1e-6);
    fs::remove_all(d);
  }
}

// Each VOC case as a VOC root (Annotations/*.xml, ImageSets/Main/test.txt) and a folder of
// <class>.txt files holding the fixture's verbatim detection lines.
fs::path write_voc_case(const json& c) {
  const fs::path d = temp_dir("voc_" + c.at("name").get<std::string>());
  std::string list;
  for (const auto& image : c.at("imageset")) {
    const std::string id = image.get<std::string>();
    list += id + "\n";
    std::string xml = "<annotation>\n  <filename>" + id + ".jpg</filename>\n";
    if (c.at("annotations").contains(id))
      for (const auto& o : c.at("annotations").at(id)) {
        const auto& b = o.at("bbox");
        xml += "  <object>\n    <name>" + o.at("name").get<std::string>() +
               "</name>\n    <pose>Unspecified</pose>\n    <truncated>0</truncated>\n"
               "    <difficult>" +
               std::to_string(o.at("difficult").get<int>()) +
               "</difficult>\n    <bndbox>\n      <xmin>" + b[0].dump() + "</xmin>\n      <ymin>" +
               b[1].dump() + "</ymin>\n      <xmax>" + b[2].dump() + "</xmax>\n      <ymax>" +
               b[3].dump() + "</ymax>\n    </bndbox>\n  </object>\n";
      }
    write(d / "voc" / "Annotations" / (id + ".xml"), xml + "</annotation>\n");
  }
  write(d / "voc" / "ImageSets" / "Main" / "test.txt", list);
  for (const auto& [cls, lines] : c.at("detection_file_lines").items()) {
    std::string text;
    for (const auto& l : lines) text += l.get<std::string>() + "\n";
    write(d / "dets" / (cls + ".txt"), text);
  }
  return d;
}

TEST(EvalDetections, VocFilesGiveTheDevkitsAp) {
  for (const json& c : load("voc_ap_cases.json").at("cases")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const fs::path d = write_voc_case(c);
    for (const json& want : c.at("results")) {
      EvalDetectionsArgs args;
      args.gt = (d / "voc").string();
      args.split = "test";
      args.detections = (d / "dets").string();
      args.metric = want.at("use_07_metric").get<bool>() ? "voc07" : "voc12";
      args.iou = want.at("ovthresh").get<double>();
      args.json = true;
      const json j = json::parse(run_eval_detections(args));
      const std::string key = "PascalBoxes_PerformanceByCategory/AP@" +
                              std::string(args.iou == 0.5 ? "0.5" : "0.75") + "IOU/" +
                              want.at("class").get<std::string>();
      ASSERT_TRUE(j.contains(key)) << j.dump();
      EXPECT_NEAR(j.at(key).get<double>(), want.at("ap").get<double>(), 1e-6) << key;
    }
    fs::remove_all(d);
  }
}

TEST(EvalDetections, BadFilesAreOneLineErrorsNamingThem) {
  const fs::path d = temp_dir("bad");
  write(d / "gt.json", R"({"images": [{"id": 1}], "categories": [{"id": 1, "name": "a"}],
    "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 4], "iscrowd": 0}]})");
  write(d / "dt.json", R"([{"image_id": 1, "category_id": 1, "bbox": [0, 0, 4], "score": 0.5}])");
  write(d / "notjson.json", "{");
  std::string msg = testing::error_of([&] { read_coco_ground_truth((d / "gt.json").string()); });
  EXPECT_NE(msg.find("annotations[0]: no `area`"), std::string::npos) << msg;
  msg = testing::error_of([&] { read_coco_results((d / "dt.json").string()); });
  EXPECT_NE(msg.find("[0]: `bbox` must be [x, y, w, h]"), std::string::npos) << msg;
  msg = testing::error_of([&] { read_coco_results((d / "notjson.json").string()); });
  EXPECT_NE(msg.find("notjson.json: not valid JSON"), std::string::npos) << msg;
  msg = testing::error_of([&] { parse_voc_detection_line("img1 0.5 1 2 3", "cat", "cat.txt:3"); });
  EXPECT_NE(msg.find("cat.txt:3: expected 'image_id score xmin ymin xmax ymax'"), std::string::npos)
      << msg;
  const VocDetection v = parse_voc_detection_line("img1 0.5 1 2.5 3 4", "cat", "x");
  EXPECT_EQ(v.image, "img1");
  EXPECT_EQ(v.box[1], 2.5);
  EXPECT_EQ(v.score, 0.5);
  fs::remove_all(d);
}

// A VOC person with <part> children: only the object's own name and box count.
TEST(EvalDetections, VocPartsAreNotObjects) {
  const fs::path d = temp_dir("parts");
  write(d / "Annotations" / "a.xml",
        "<annotation><object><name>person</name><difficult>0</difficult><bndbox><xmin>1</xmin>"
        "<ymin>2</ymin><xmax>30</xmax><ymax>40</ymax></bndbox><part><name>head</name><bndbox>"
        "<xmin>5</xmin><ymin>5</ymin><xmax>9</xmax><ymax>9</ymax></bndbox></part></object>"
        "</annotation>");
  const VocGroundTruth gt = read_voc_ground_truth(d.string(), "");
  ASSERT_EQ(gt.objects.size(), 1u);
  EXPECT_EQ(gt.objects[0].class_name, "person");
  EXPECT_EQ(gt.objects[0].box[2], 30);
  EXPECT_EQ(gt.classes, std::vector<std::string>{"person"});
  fs::remove_all(d);
}

}  // namespace
}  // namespace occam::detection
