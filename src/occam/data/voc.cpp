#include "occam/data/voc.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include <pugixml.hpp>

#include "occam/error.h"

namespace occam::data {

namespace {

namespace fs = std::filesystem;

template <class... Parts>
[[noreturn]] void fail(const std::string& path, const Parts&... parts) {
  throw DataError(detail::concat(path, ": ", parts...));
}

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

// The text of child `key` of `node` as a number; `where` names the element in messages.
double number(const std::string& path, const pugi::xml_node& node, const char* key,
              const std::string& where) {
  const pugi::xml_node child = node.child(key);
  if (!child) fail(path, where, ": missing <", key, ">");
  const std::string text = trim(child.text().get());
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v))
    fail(path, where, ": <", key, "> must be a number, got '", text, "'");
  return v;
}

// An optional 0/1 flag (absent = false).
bool flag(const std::string& path, const pugi::xml_node& node, const char* key,
          const std::string& where) {
  if (!node.child(key)) return false;
  const double v = number(path, node, key, where);
  if (v != 0 && v != 1) fail(path, where, ": <", key, "> must be 0 or 1, got ", v);
  return v == 1;
}

struct VocObject {
  std::string name;
  AnnotatedObject object;
};

struct VocFile {
  std::string xml;
  AnnotatedImage image;
  std::vector<VocObject> objects;
};

VocFile read_xml(const std::string& xml, const std::string& id, const fs::path& root,
                 const AnnotationOptions& options) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_file(xml.c_str());
  if (parsed.status == pugi::status_file_not_found) fail(xml, "cannot open: no such file");
  if (parsed.status == pugi::status_io_error) fail(xml, "cannot read");
  if (!parsed) fail(xml, "not valid XML: ", parsed.description(), " at byte ", parsed.offset);
  const pugi::xml_node ann = doc.child("annotation");
  if (!ann) fail(xml, "no <annotation> element at the top: not a VOC annotation");

  VocFile out;
  out.xml = xml;
  AnnotatedImage& image = out.image;
  image.name = id;
  const std::string filename = trim(ann.child("filename").text().get());
  image.file = (root / "JPEGImages" / (filename.empty() ? id + ".jpg" : filename)).string();
  const pugi::xml_node size = ann.child("size");
  if (!size) fail(xml, "missing <size> (width and height are needed to normalize boxes)");
  const double w = number(xml, size, "width", "<size>");
  const double h = number(xml, size, "height", "<size>");
  if (w <= 0 || h <= 0 || w != std::floor(w) || h != std::floor(h))
    fail(xml, "<size> ", w, "x", h, ": width and height must be positive integers");
  image.width = static_cast<int64_t>(w);
  image.height = static_cast<int64_t>(h);
  if (options.check_files && !fs::is_regular_file(image.file))
    fail(xml, "image file ", image.file, " does not exist");

  int64_t index = 0;
  for (const pugi::xml_node obj : ann.children("object")) {
    ++index;
    VocObject o;
    o.name = trim(obj.child("name").text().get());
    const std::string where = detail::concat("object ", index, " ('", o.name, "')");
    if (o.name.empty()) fail(xml, where, ": missing <name>");
    const pugi::xml_node box = obj.child("bndbox");
    if (!box) fail(xml, where, ": missing <bndbox>");
    // 1-based inclusive pixel indices → continuous coordinates (voc.h).
    o.object.box = {number(xml, box, "xmin", where) - 1, number(xml, box, "ymin", where) - 1,
                    number(xml, box, "xmax", where), number(xml, box, "ymax", where)};
    o.object.area = o.object.box.width() * o.object.box.height();
    o.object.annotation_id = index;
    o.object.difficult = flag(xml, obj, "difficult", where);
    o.object.truncated = flag(xml, obj, "truncated", where);
    out.objects.push_back(std::move(o));
  }
  return out;
}

std::vector<std::string> split_ids(const fs::path& root, const std::string& split) {
  std::vector<std::string> ids;
  if (split.empty()) {
    const fs::path dir = root / "Annotations";
    if (!fs::is_directory(dir))
      fail(dir.string(), "no such directory: is ", root.string(), " a VOC root?");
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file() && entry.path().extension() == ".xml")
        ids.push_back(entry.path().stem().string());
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  const fs::path list = root / "ImageSets" / "Main" / (split + ".txt");
  std::ifstream in(list);
  if (!in) {
    std::string known;
    const fs::path main = root / "ImageSets" / "Main";
    if (fs::is_directory(main)) {
      std::vector<std::string> names;
      for (const auto& entry : fs::directory_iterator(main)) {
        const std::string stem = entry.path().stem().string();
        if (entry.path().extension() == ".txt" && stem.find('_') == std::string::npos)
          names.push_back(stem);
      }
      std::sort(names.begin(), names.end());
      for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
    }
    fail(list.string(), "cannot open the split '", split, "'",
         known.empty() ? std::string() : " (splits here: " + known + ")");
  }
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty()) continue;
    // Per-class lists ("<id>  1") share the format; the id is the first field.
    ids.push_back(line.substr(0, line.find_first_of(" \t")));
  }
  return ids;
}

}  // namespace

DetectionAnnotations read_voc(const std::string& root_dir, const std::string& split,
                              const AnnotationOptions& options,
                              const std::vector<std::string>& class_names) {
  const fs::path root(root_dir);
  DetectionAnnotations out;
  out.source = root_dir;

  std::vector<VocFile> files;
  for (const std::string& id : split_ids(root, split))
    files.push_back(read_xml((root / "Annotations" / (id + ".xml")).string(), id, root, options));

  // Classes: as given, or every name seen, alphabetically.
  std::vector<std::string> names = class_names;
  if (names.empty()) {
    for (const VocFile& f : files)
      for (const VocObject& o : f.objects) names.push_back(o.name);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
  }
  std::map<std::string, int64_t> class_of;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!class_of.emplace(names[i], static_cast<int64_t>(i)).second)
      throw DataError(detail::concat("read_voc: class '", names[i], "' is listed twice"));
    out.categories.push_back({static_cast<int64_t>(i) + 1, names[i]});
  }

  for (size_t i = 0; i < files.size(); ++i) {
    VocFile& f = files[i];
    f.image.id = static_cast<int64_t>(i);
    for (VocObject& o : f.objects) {
      const std::string where =
          detail::concat(f.xml, ": object ", o.object.annotation_id, " ('", o.name, "')");
      auto cls = class_of.find(o.name);
      if (cls == class_of.end()) {
        std::string known;
        for (size_t k = 0; k < names.size() && k < 10; ++k) known += (k ? ", " : "") + names[k];
        if (names.size() > 10) known += ", ...";
        reject_annotation(
            out, options,
            detail::concat(where, ": unknown class (the ", names.size(), " given: ", known, ")"));
        continue;
      }
      o.object.class_index = cls->second;
      o.object.category_id = cls->second + 1;
      const PixelBox& b = o.object.box;
      const std::string problem =
          box_problem(b, f.image.width, f.image.height, options.outside_tolerance);
      if (!problem.empty()) {
        reject_annotation(out, options,
                          detail::concat(where, ": bndbox (", b.xmin + 1, ", ", b.ymin + 1, ", ",
                                         b.xmax, ", ", b.ymax, ") is ", problem));
        continue;
      }
      f.image.objects.push_back(o.object);
    }
    out.images.push_back(std::move(f.image));
  }
  return out;
}

}  // namespace occam::data
