#include "occam/detection/detection_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "occam/error.h"

namespace occam::detection {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw DataError(path + ": cannot open the file");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw DataError(path + ": not valid JSON (" + e.what() + ")");
  }
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open the file");
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

template <class T>
T field(const json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) throw DataError(fmt::format("{}: no `{}`", where, key));
  try {
    return j.at(key).get<T>();
  } catch (const json::exception&) {
    throw DataError(fmt::format("{}: `{}` has the wrong type ({})", where, key, j.at(key).dump()));
  }
}

XywhBox xywh(const json& j, const std::string& where) {
  const auto b = field<std::vector<double>>(j, "bbox", where);
  if (b.size() != 4)
    throw DataError(
        fmt::format("{}: `bbox` must be [x, y, w, h], got {}", where, j.at("bbox").dump()));
  return {b[0], b[1], b[2], b[3]};
}

}  // namespace

CocoGroundTruth read_coco_ground_truth(const std::string& path) {
  const json j = read_json(path);
  if (!j.is_object() || !j.contains("images") || !j.contains("annotations") ||
      !j.contains("categories"))
    throw DataError(path + ": a COCO ground truth needs `images`, `annotations` and `categories`");
  CocoGroundTruth gt;
  for (size_t n = 0; n < j.at("images").size(); ++n)
    gt.image_ids.push_back(
        field<int64_t>(j.at("images")[n], "id", fmt::format("{}: images[{}]", path, n)));
  for (size_t n = 0; n < j.at("categories").size(); ++n) {
    const std::string where = fmt::format("{}: categories[{}]", path, n);
    const json& c = j.at("categories")[n];
    gt.categories.push_back({field<int64_t>(c, "id", where), field<std::string>(c, "name", where)});
  }
  for (size_t n = 0; n < j.at("annotations").size(); ++n) {
    const json& a = j.at("annotations")[n];
    const std::string where = fmt::format("{}: annotations[{}]", path, n);
    CocoAnnotation ann;
    ann.id = field<int64_t>(a, "id", where);
    ann.image_id = field<int64_t>(a, "image_id", where);
    ann.category_id = field<int64_t>(a, "category_id", where);
    ann.bbox = xywh(a, where);
    ann.area = field<double>(a, "area", where);
    ann.iscrowd = field<int64_t>(a, "iscrowd", where) != 0;
    gt.annotations.push_back(ann);
  }
  return gt;
}

std::vector<CocoDetection> read_coco_results(const std::string& path) {
  const json j = read_json(path);
  if (!j.is_array())
    throw DataError(path +
                    ": a COCO results file is a JSON list of {image_id, category_id, bbox, score}");
  std::vector<CocoDetection> out;
  out.reserve(j.size());
  for (size_t n = 0; n < j.size(); ++n) {
    const std::string where = fmt::format("{}: [{}]", path, n);
    out.push_back({field<int64_t>(j[n], "image_id", where),
                   field<int64_t>(j[n], "category_id", where), xywh(j[n], where),
                   field<double>(j[n], "score", where)});
  }
  return out;
}

VocDetection parse_voc_detection_line(const std::string& line, const std::string& class_name,
                                      const std::string& where) {
  std::istringstream is(line);
  VocDetection d;
  d.class_name = class_name;
  std::string extra;
  if (!(is >> d.image >> d.score >> d.box[0] >> d.box[1] >> d.box[2] >> d.box[3]) || (is >> extra))
    throw DataError(
        fmt::format("{}: expected 'image_id score xmin ymin xmax ymax', got '{}'", where, line));
  return d;
}

std::vector<VocDetection> read_voc_detections(const std::string& dir) {
  if (!fs::is_directory(dir))
    throw DataError(dir + ": not a directory (expected one <class>.txt per class)");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".txt") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw DataError(dir + ": no <class>.txt detection file");
  std::vector<VocDetection> out;
  for (const fs::path& f : files) {
    std::ifstream in(f);
    if (!in) throw DataError(f.string() + ": cannot open the file");
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      out.push_back(
          parse_voc_detection_line(line, f.stem().string(), fmt::format("{}:{}", f.string(), n)));
    }
  }
  return out;
}

namespace {

// The text between <tag> and </tag>, from `from`; npos when absent. VOC's annotation files are
// flat and attribute-free; this reads exactly their elements, no general XML.
bool element(const std::string& xml, const std::string& tag, size_t from, size_t to, size_t* begin,
             size_t* end) {
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  const size_t b = xml.find(open, from);
  if (b == std::string::npos || b >= to) return false;
  const size_t e = xml.find(close, b);
  if (e == std::string::npos || e > to) return false;
  *begin = b + open.size();
  *end = e;
  return true;
}

std::string trimmed(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

VocGroundTruth read_voc_ground_truth(const std::string& root, const std::string& split) {
  VocGroundTruth gt;
  const fs::path ann_dir = fs::path(root) / "Annotations";
  if (!fs::is_directory(ann_dir))
    throw DataError(root + ": no Annotations/ directory (a VOC root?)");
  if (split.empty()) {
    for (const auto& e : fs::directory_iterator(ann_dir))
      if (e.path().extension() == ".xml") gt.images.push_back(e.path().stem().string());
    std::sort(gt.images.begin(), gt.images.end());
  } else {
    const std::string list = (fs::path(root) / "ImageSets" / "Main" / (split + ".txt")).string();
    std::istringstream is(read_text(list));
    for (std::string line; std::getline(is, line);)
      if (!trimmed(line).empty()) gt.images.push_back(trimmed(line));
  }
  std::set<std::string> classes;
  for (const std::string& image : gt.images) {
    const std::string path = (ann_dir / (image + ".xml")).string();
    std::string xml = read_text(path);
    // Drop <part> blocks (person layout): their <name> and <bndbox> are not the object's.
    for (size_t p; (p = xml.find("<part>")) != std::string::npos;) {
      const size_t q = xml.find("</part>", p);
      if (q == std::string::npos) throw DataError(path + ": <part> without </part>");
      xml.erase(p, q + 7 - p);
    }
    size_t pos = 0, ob, oe;
    for (int n = 1; element(xml, "object", pos, xml.size(), &ob, &oe); ++n, pos = oe) {
      const std::string where = fmt::format("{}: object {}", path, n);
      VocObject o;
      o.image = image;
      size_t b, e;
      if (!element(xml, "name", ob, oe, &b, &e)) throw DataError(where + ": no <name>");
      o.class_name = trimmed(xml.substr(b, e - b));
      if (element(xml, "difficult", ob, oe, &b, &e))
        o.difficult = trimmed(xml.substr(b, e - b)) == "1";
      size_t bb, be;
      if (!element(xml, "bndbox", ob, oe, &bb, &be)) throw DataError(where + ": no <bndbox>");
      const char* keys[4] = {"xmin", "ymin", "xmax", "ymax"};
      for (int k = 0; k < 4; ++k) {
        if (!element(xml, keys[k], bb, be, &b, &e))
          throw DataError(fmt::format("{}: no <{}> in <bndbox>", where, keys[k]));
        const std::string v = trimmed(xml.substr(b, e - b));
        try {
          size_t used = 0;
          o.box[k] = std::stod(v, &used);
          if (used != v.size()) throw std::invalid_argument(v);
        } catch (const std::exception&) {
          throw DataError(fmt::format("{}: <{}> is '{}', not a number", where, keys[k], v));
        }
      }
      classes.insert(o.class_name);
      gt.objects.push_back(o);
    }
  }
  gt.classes.assign(classes.begin(), classes.end());
  return gt;
}

}  // namespace occam::detection
