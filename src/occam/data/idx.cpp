#include "occam/data/idx.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace occam::data {

namespace {

constexpr uint32_t kImagesMagic = 0x00000803;  // type 0x08 (uint8), 3 dimensions
constexpr uint32_t kLabelsMagic = 0x00000801;  // type 0x08 (uint8), 1 dimension
constexpr double kMaxBytes = 1ull << 40;       // larger is a corrupt header, not a dataset

template <class... Parts>
[[noreturn]] void fail(const std::string& path, const Parts&... parts) {
  throw DataError(detail::concat(path, ": ", parts...));
}

std::string hex32(uint32_t v) {
  char s[11];
  std::snprintf(s, sizeof s, "0x%08x", v);
  return s;
}

// What a wrong magic number most likely means. IDX magic: 0x0000, element type, rank.
std::string magic_hint(uint32_t found, uint32_t expected) {
  if (found == kImagesMagic)
    return " (an IDX images file: are the images and labels paths swapped?)";
  if (found == kLabelsMagic)
    return " (an IDX labels file: are the images and labels paths swapped?)";
  if ((found >> 16) == 0x1f8b) return " (gzip inside gzip: decompress it once)";
  if ((found >> 16) != 0) return " (not an IDX file)";
  const uint32_t type = found >> 8 & 0xff, rank = found & 0xff;
  if (type != 0x08)
    return detail::concat(" (an IDX file of element type 0x", std::hex, type,
                          ": only uint8, 0x08, is supported)");
  return detail::concat(" (an IDX file of rank ", rank, ", expected ", expected & 0xff, ")");
}

// A file opened through zlib: gzread decompresses gzip and passes other files through.
class GzFile {
 public:
  explicit GzFile(const std::string& path) : path_(path) {
    // open() first, so a missing file reports errno reliably (gzopen does not promise to).
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) fail(path, "cannot open: ", std::strerror(errno));
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      ::close(fd);
      fail(path, "is a directory, expected an IDX file");
    }
    file_ = gzdopen(fd, "rb");
    if (!file_) {
      ::close(fd);
      fail(path, "cannot open: out of memory in zlib");
    }
  }
  ~GzFile() { gzclose(file_); }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  // Reads up to n bytes into out; returns how many were read (< n only at the end of the data).
  int64_t read(uint8_t* out, int64_t n) {
    int64_t got = 0;
    while (got < n) {
      const unsigned chunk = static_cast<unsigned>(std::min<int64_t>(n - got, 1 << 30));
      const int r = gzread(file_, out + got, chunk);
      if (r < 0) fail(path_, "corrupt gzip data: ", zlib_message());
      if (r == 0) break;
      got += r;
    }
    return got;
  }
  // Why the data ended early, when zlib knows: a gzip stream cut short.
  std::string end_hint() {
    int code = Z_OK;
    gzerror(file_, &code);
    return code == Z_BUF_ERROR
               ? " (the gzip stream ends early: the file is cut short, download it again)"
               : "";
  }

 private:
  std::string zlib_message() {
    int code = Z_OK;
    std::string_view msg = gzerror(file_, &code);
    if (code == Z_ERRNO) return std::strerror(errno);
    // zlib prefixes "<fd:3>: " (the file as gzdopen knew it); our message names the path already.
    if (msg.starts_with("<fd:") && msg.find(": ") != std::string_view::npos)
      msg.remove_prefix(msg.find(": ") + 2);
    return std::string(msg);
  }
  std::string path_;
  gzFile file_ = nullptr;
};

// Reads the magic, checks it, then reads the `rank` dimensions of an IDX header.
std::vector<int64_t> read_header(GzFile& f, const std::string& path, uint32_t magic, int rank) {
  std::array<uint8_t, 4 * 4> h{};
  const int64_t size = 4 * (1 + rank);
  auto word = [&](int i) {
    return uint32_t(h[4 * i]) << 24 | uint32_t(h[4 * i + 1]) << 16 | uint32_t(h[4 * i + 2]) << 8 |
           uint32_t(h[4 * i + 3]);
  };
  int64_t got = f.read(h.data(), 4);
  if (got == 4 && word(0) != magic)
    fail(path, "expected IDX magic ", hex32(magic), ", found ", hex32(word(0)),
         magic_hint(word(0), magic));
  got += f.read(h.data() + got, size - got);
  if (got < size)
    fail(path, "truncated: expected a ", size, "-byte IDX header, got ", got, " bytes",
         f.end_hint());
  std::vector<int64_t> dims;
  for (int i = 1; i <= rank; ++i) dims.push_back(word(i));
  return dims;
}

// Reads exactly n payload bytes and checks nothing follows. `what` names them in errors
// ("2·3·4 = 24 bytes of pixels"). Grows the buffer as data arrives, so a corrupt header that
// declares terabytes fails as truncated instead of allocating them.
std::vector<uint8_t> read_payload(GzFile& f, const std::string& path, int64_t n,
                                  const std::string& what) {
  std::vector<uint8_t> bytes;
  constexpr int64_t kChunk = 1 << 24;
  int64_t got = 0;
  while (got < n) {
    bytes.resize(std::min(n, got + kChunk));
    const int64_t r = f.read(bytes.data() + got, static_cast<int64_t>(bytes.size()) - got);
    got += r;
    if (got < static_cast<int64_t>(bytes.size())) break;
  }
  if (got < n) fail(path, "truncated: expected ", what, ", got ", got, f.end_hint());
  uint8_t extra;
  if (f.read(&extra, 1) != 0)
    fail(path, "trailing data after ", what, " (is the header's size wrong?)");
  return bytes;
}

}  // namespace

Tensor read_idx_images(const std::string& path) {
  GzFile f(path);
  const std::vector<int64_t> d = read_header(f, path, kImagesMagic, 3);
  const int64_t n = d[0], h = d[1], w = d[2];
  if (n == 0 || h == 0 || w == 0)
    fail(path, "empty: the header declares ", n, " images of ", h, "×", w, " pixels");
  if (static_cast<double>(n) * h * w > kMaxBytes)
    fail(path, "the header declares ", n, " images of ", h, "×", w, " pixels, over 2^40 bytes ",
         "(corrupt header?)");
  const std::vector<uint8_t> pixels = read_payload(
      f, path, n * h * w, detail::concat(n, "·", h, "·", w, " = ", n * h * w, " bytes of pixels"));
  Tensor images = Tensor::empty({n, 1, h, w});
  float* out = images.data();
  for (size_t i = 0; i < pixels.size(); ++i) out[i] = pixels[i] / 255.f;
  return images;
}

std::vector<int64_t> read_idx_labels(const std::string& path, int64_t num_classes) {
  OCCAM_CHECK(num_classes >= 1 && num_classes <= 256, "read_idx_labels: num_classes must be in ",
              "[1, 256] for uint8 labels, got ", num_classes);
  GzFile f(path);
  const int64_t n = read_header(f, path, kLabelsMagic, 1)[0];
  if (n == 0) fail(path, "empty: the header declares 0 labels");
  const std::vector<uint8_t> bytes = read_payload(f, path, n, detail::concat(n, " labels"));
  std::vector<int64_t> labels(bytes.begin(), bytes.end());
  for (int64_t i = 0; i < n; ++i)
    if (labels[i] >= num_classes)
      fail(path, "label ", labels[i], " at index ", i, " is outside [0, ", num_classes, ")");
  return labels;
}

Dataset load_idx(const std::string& images_path, const std::string& labels_path,
                 int64_t num_classes) {
  Dataset d;
  d.inputs = read_idx_images(images_path);
  d.labels = read_idx_labels(labels_path, num_classes);
  d.num_classes = num_classes;
  if (d.size() != d.inputs.dim(0))
    fail(labels_path, d.size(), " labels for ", d.inputs.dim(0), " images in ", images_path);
  return d;
}

}  // namespace occam::data
