#include "occam/train/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace occam::train {

// The layout is little-endian and the code copies values as they are in memory.
static_assert(std::endian::native == std::endian::little, "checkpoints are written little-endian");

namespace detail {
void (*before_rename_for_tests)(const std::string& tmp_path) = nullptr;
}  // namespace detail

namespace {

constexpr char kMagic[8] = {'O', 'C', 'C', 'A', 'M', 'C', 'K', '1'};

template <class T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

class Reader {
 public:
  Reader(const std::string& path, const std::string& data) : path_(path), data_(data) {}
  template <class T>
  T get(const char* what) {
    T v;
    need(sizeof v, what);
    std::memcpy(&v, data_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  std::string bytes(size_t n, const char* what) {
    need(n, what);
    std::string s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  void floats(float* dst, int64_t n, const std::string& what) {
    need(size_t(n) * sizeof(float), what.c_str());
    std::memcpy(dst, data_.data() + pos_, size_t(n) * sizeof(float));
    pos_ += size_t(n) * sizeof(float);
  }
  size_t pos() const { return pos_; }

 private:
  void need(size_t n, const char* what) {
    if (n > data_.size() - pos_)  // (pos_ + n could wrap around for a huge n)
      throw CheckpointError(path_ + ": truncated checkpoint (reading " + what + " at byte " +
                            std::to_string(pos_) + " of " + std::to_string(data_.size()) + ")");
  }
  const std::string& path_;
  const std::string& data_;
  size_t pos_ = 0;
};

[[noreturn]] void io_error(const std::string& what, const std::string& path) {
  throw Error(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) io_error("cannot create", tmp);
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      io_error("cannot write", tmp);
    }
    done += size_t(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    io_error("cannot fsync", tmp);
  }
  ::close(fd);
  if (detail::before_rename_for_tests) detail::before_rename_for_tests(tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) io_error("cannot rename onto", path);
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint) {
  std::string out(kMagic, sizeof kMagic);
  const std::string header = checkpoint.header.dump();
  put(out, uint64_t(header.size()));
  out += header;
  put(out, uint32_t(checkpoint.tensors.size()));
  for (const auto& [name, t] : checkpoint.tensors) {
    put(out, uint32_t(name.size()));
    out += name;
    put(out, uint32_t(t.rank()));
    for (int64_t d : t.shape()) put(out, d);
    out.append(reinterpret_cast<const char*>(t.data()), size_t(t.numel()) * sizeof(float));
  }
  put(out, uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(out.data()), uInt(out.size()))));
  write_file_atomically(path, out);
}

Checkpoint load_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError(path + ": cannot open checkpoint: " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  if (data.size() < sizeof kMagic || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0)
    throw CheckpointError(path + ": not an Occam checkpoint (expected magic OCCAMCK1)");
  if (data.size() < sizeof kMagic + 4)
    throw CheckpointError(path + ": truncated checkpoint (" + std::to_string(data.size()) +
                          " bytes)");
  uint32_t stored;
  std::memcpy(&stored, data.data() + data.size() - 4, 4);
  const uint32_t actual =
      uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(data.data()), uInt(data.size() - 4)));
  if (stored != actual)
    throw CheckpointError(path + ": checkpoint is corrupt or truncated (CRC mismatch)");
  Reader r(path, data);
  r.bytes(sizeof kMagic, "magic");
  Checkpoint c;
  const auto header_size = r.get<uint64_t>("header size");
  try {
    c.header = nlohmann::json::parse(r.bytes(header_size, "header"));
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(path + ": bad checkpoint header: " + e.what());
  }
  const auto count = r.get<uint32_t>("tensor count");
  for (uint32_t i = 0; i < count; ++i) {
    const auto name = r.bytes(r.get<uint32_t>("name size"), "name");
    const auto rank = r.get<uint32_t>("rank");
    if (rank > 8)
      throw CheckpointError(path + ": tensor " + name + " has rank " + std::to_string(rank));
    Shape shape(rank);
    size_t numel = 1;  // checked against the bytes left before anything is allocated
    for (auto& d : shape) {
      d = r.get<int64_t>("shape");
      if (d < 0) throw CheckpointError(path + ": tensor " + name + " has a negative dimension");
      numel = d == 0 || numel <= data.size() / size_t(d) ? numel * size_t(d) : data.size() + 1;
    }
    if (numel > (data.size() - r.pos()) / sizeof(float))
      throw CheckpointError(path + ": truncated checkpoint (tensor " + name + " of shape " +
                            shape_str(shape) + " needs more bytes than the file has after byte " +
                            std::to_string(r.pos()) + ")");
    Tensor t = Tensor::empty(shape);
    r.floats(t.data(), t.numel(), "tensor " + name);
    c.tensors.emplace(name, std::move(t));
  }
  return c;
}

}  // namespace occam::train
