// Checkpoints: bit-exact round trips, one-line errors naming the file for every kind of bad file,
// and atomic replacement proven by killing a writer (SIGKILL) between its write and its rename,
// and at arbitrary moments of a stream of saves.
#include "occam/train/checkpoint.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "occam/tensor/rng.h"
#include "testing/testing.h"

namespace occam::train {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace fs = std::filesystem;

std::string checkpoint_error(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "";
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Headers equal, same tensor names and shapes, every float the same bits.
bool same(const Checkpoint& a, const Checkpoint& b) {
  if (a.header != b.header || a.tensors.size() != b.tensors.size()) return false;
  for (const auto& [name, t] : a.tensors) {
    const auto it = b.tensors.find(name);
    if (it == b.tensors.end() || it->second.shape() != t.shape() ||
        std::memcmp(it->second.data(), t.data(), size_t(t.numel()) * sizeof(float)) != 0)
      return false;
  }
  return true;
}

// A complete file as save_checkpoint lays it out (checkpoint.h), from its body: magic, the given
// bytes, and the CRC of both — a file whose CRC holds whatever the body says.
std::string with_magic_and_crc(const std::string& body) {
  std::string out = "OCCAMCK1" + body;
  const uint32_t crc =
      uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(out.data()), uInt(out.size())));
  out.append(reinterpret_cast<const char*>(&crc), 4);
  return out;
}
template <class T>
std::string le(T v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof v);
}

struct CheckpointTest : ::testing::Test {
  fs::path dir = fs::temp_directory_path() / ("occam_ckpt_" + std::to_string(::getpid()));
  std::string path = (dir / "last.ckpt").string();
  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  static Checkpoint sample() {
    Checkpoint c;
    c.header = {{"step", 42}, {"epoch", 1}};
    c.tensors["dense_1/kernel"] = Tensor::from({2, 3}, {1, -2, 3.5f, 0, 1e-30f, -0.f});
    c.tensors["dense_1/bias"] = Tensor::from({3}, {7, 8, 9});
    c.tensors["step"] = Tensor::scalar(3.f);
    return c;
  }
  // A checkpoint of a few MB, so that writing it takes a while, distinct for each `seed`.
  static Checkpoint large(uint64_t seed) {
    Rng rng(seed);
    Checkpoint c;
    c.header = {{"step", seed}, {"rng", {std::to_string(rng.next_u64())}}};
    c.tensors["model/dense_1/kernel"] = testing::normal({784, 512}, rng);
    c.tensors["optimizer/dense_1/kernel/momentum_buffer"] = testing::normal({784, 512}, rng);
    c.tensors["model/dense_1/bias"] = testing::normal({512}, rng);
    return c;
  }
  void write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
  }
  std::string error_loading(const std::string& name) {
    return checkpoint_error([&] { load_checkpoint((dir / name).string()); });
  }
};

TEST_F(CheckpointTest, RoundTripsTensorsBitForBitAndTheHeader) {
  save_checkpoint(path, sample());
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  const Checkpoint c = load_checkpoint(path);
  EXPECT_EQ(c.header["step"], 42);
  ASSERT_EQ(c.tensors.size(), 3u);
  const Tensor& k = c.tensors.at("dense_1/kernel");
  EXPECT_EQ(k.shape(), (Shape{2, 3}));
  EXPECT_EQ(std::memcmp(k.data(), sample().tensors["dense_1/kernel"].data(), 6 * sizeof(float)), 0);
  EXPECT_EQ(c.tensors.at("step").shape(), Shape{});
  EXPECT_TRUE(same(c, sample()));
}

// The layout checkpoint.h documents, byte for byte: a file built here from that description loads.
TEST_F(CheckpointTest, TheDocumentedLayoutIsTheFormat) {
  const std::string header = R"({"step":5})";
  std::string body = le(uint64_t(header.size())) + header + le(uint32_t(2));
  body += le(uint32_t(1)) + "a" + le(uint32_t(2)) + le(int64_t(1)) + le(int64_t(2)) + le(1.5f) +
          le(-2.f);
  body += le(uint32_t(1)) + "b" + le(uint32_t(0)) + le(0.25f);
  write("built.ckpt", with_magic_and_crc(body));
  const Checkpoint c = load_checkpoint((dir / "built.ckpt").string());
  EXPECT_EQ(c.header, nlohmann::json({{"step", 5}}));
  EXPECT_EQ(c.tensors.at("a").shape(), (Shape{1, 2}));
  EXPECT_EQ(c.tensors.at("a")[1], -2.f);
  EXPECT_EQ(c.tensors.at("b").shape(), Shape{});
  EXPECT_EQ(c.tensors.at("b")[0], 0.25f);

  Checkpoint same_content;
  same_content.header = {{"step", 5}};
  same_content.tensors["a"] = Tensor::from({1, 2}, {1.5f, -2.f});
  same_content.tensors["b"] = Tensor::scalar(0.25f);
  save_checkpoint(path, same_content);
  EXPECT_EQ(read_bytes(path), read_bytes((dir / "built.ckpt").string()))
      << "save writes exactly that";
}

TEST_F(CheckpointTest, EveryBadFileIsOneLineNamingIt) {
  save_checkpoint(path, sample());
  const std::string good = read_bytes(path);
  write("cut.ckpt", good.substr(0, good.size() / 2));
  std::string flipped = good;
  flipped[good.size() - 10] ^= 0x7f;
  write("flipped.ckpt", flipped);
  write("text.ckpt", "hello, world");
  write("empty.ckpt", "");
  // Files whose CRC holds but whose body does not parse (a writer's bug, not a crash).
  write("short_header.ckpt", with_magic_and_crc(le(uint64_t(1000)) + "{}"));
  write("huge_header.ckpt", with_magic_and_crc(le(~uint64_t(0)) + "{}"));
  write("bad_json.ckpt", with_magic_and_crc(le(uint64_t(3)) + "{x}" + le(uint32_t(0))));
  const std::string one = le(uint64_t(2)) + "{}" + le(uint32_t(1)) + le(uint32_t(1)) + "w";
  write("rank.ckpt", with_magic_and_crc(one + le(uint32_t(9))));
  write("negative.ckpt", with_magic_and_crc(one + le(uint32_t(1)) + le(int64_t(-3))));
  write("huge_tensor.ckpt", with_magic_and_crc(one + le(uint32_t(2)) + le(int64_t(1) << 40) +
                                               le(int64_t(1) << 40) + le(1.f)));

  const std::pair<const char*, const char*> cases[] = {
      {"cut.ckpt", ": checkpoint is corrupt or truncated (CRC mismatch)"},
      {"flipped.ckpt", ": checkpoint is corrupt or truncated (CRC mismatch)"},
      {"none.ckpt", ": cannot open checkpoint: No such file or directory"},
      {"text.ckpt", ": not an Occam checkpoint (expected magic OCCAMCK1)"},
      {"empty.ckpt", ": not an Occam checkpoint (expected magic OCCAMCK1)"},
      {"short_header.ckpt", ": truncated checkpoint (reading header at byte 16 of 22)"},
      {"huge_header.ckpt", ": truncated checkpoint (reading header at byte 16 of 22)"},
      {"bad_json.ckpt", ": bad checkpoint header: "},
      {"rank.ckpt", ": tensor w has rank 9"},
      {"negative.ckpt", ": tensor w has a negative dimension"},
      {"huge_tensor.ckpt",
       ": truncated checkpoint (tensor w of shape [1099511627776,1099511627776]"},
  };
  for (const auto& [name, what] : cases) {
    const std::string e = error_loading(name);
    EXPECT_THAT(e, StartsWith((dir / name).string() + what)) << name;
    EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 0) << name << ": " << e;
  }
}

TEST_F(CheckpointTest, OverwriteReplacesTheWholeFile) {
  save_checkpoint(path, large(1));
  Checkpoint c = sample();
  c.header["step"] = 43;
  save_checkpoint(path, c);  // much smaller than what it replaces
  EXPECT_TRUE(same(load_checkpoint(path), c));
  EXPECT_EQ(fs::file_size(path), read_bytes(path).size());
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

// Runs `body` in a forked child and returns how the child ended (waitpid's status).
template <class Body>
int in_child(Body body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    try {
      body();
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST_F(CheckpointTest, AWriterKilledBetweenWriteAndRenameLeavesThePreviousFileIntact) {
  const Checkpoint previous = large(1), next = large(2), after = large(3);
  save_checkpoint(path, previous);
  const std::string previous_bytes = read_bytes(path);

  // The child writes `next` completely (written and fsynced) and is killed before the rename.
  const int status = in_child([&] {
    detail::before_rename_for_tests = [](const std::string&) { ::raise(SIGKILL); };
    save_checkpoint(path, next);
  });
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;

  EXPECT_TRUE(read_bytes(path) == previous_bytes)
      << "the previous file is untouched, byte for byte";
  EXPECT_TRUE(same(load_checkpoint(path), previous));
  ASSERT_TRUE(fs::exists(path + ".tmp")) << "the kill came after the write";
  EXPECT_TRUE(same(load_checkpoint(path + ".tmp"), next)) << "and the temporary file was whole";

  // The stray temporary file, made longer than what comes next, breaks neither the next save
  // nor the load after it.
  std::ofstream(path + ".tmp", std::ios::app | std::ios::binary) << std::string(1 << 20, 'x');
  Checkpoint small = sample();
  save_checkpoint(path, small);
  EXPECT_TRUE(same(load_checkpoint(path), small));
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  save_checkpoint(path, after);
  EXPECT_TRUE(same(load_checkpoint(path), after));
}

TEST_F(CheckpointTest, AWriterKilledAtArbitraryMomentsAlwaysLeavesAWholeCheckpoint) {
  // A child overwrites the file in a loop, alternately with two checkpoints of 3 MB, and is killed
  // after 0-5 ms, i.e. anywhere in a save (creating, writing, fsyncing, renaming). Whatever the
  // moment, the file loads and is one of the two, bit for bit. The child writes the serialized
  // bytes with write_file_atomically (what save_checkpoint ends with), on tmpfs when there is one:
  // there fsync costs nothing and a save is mostly writing, so that most kills land mid-write,
  // where a non-atomic writer would leave a torn file.
  const fs::path shm = "/dev/shm";
  const fs::path where =
      fs::is_directory(shm) ? shm / ("occam_ckpt_" + std::to_string(::getpid())) : dir;
  fs::create_directories(where);
  struct Remove {
    fs::path p;
    ~Remove() { fs::remove_all(p); }
  } remove_at_exit{where};
  const std::string file = (where / "last.ckpt").string();
  const Checkpoint a = large(4), b = large(5);
  save_checkpoint(file, b);
  const std::string b_bytes = read_bytes(file);
  save_checkpoint(file, a);
  const std::string a_bytes = read_bytes(file);
  Rng delays(6);
  for (int round = 0; round < 20; ++round) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      try {
        for (int i = 1;; ++i) write_file_atomically(file, i % 2 ? b_bytes : a_bytes);
      } catch (...) {
        ::_exit(3);
      }
    }
    ::usleep(useconds_t(delays.below(5000)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer failed on its own: status " << status;
    const Checkpoint c = load_checkpoint(file);
    EXPECT_TRUE(same(c, a) || same(c, b)) << "round " << round;
  }
}

TEST_F(CheckpointTest, WriteFailuresNameTheFile) {
  const std::string missing_dir = (dir / "no/such/dir/x.ckpt").string();
  EXPECT_THAT(testing::error_of([&] { save_checkpoint(missing_dir, sample()); }),
              HasSubstr("cannot create " + missing_dir + ".tmp: No such file or directory"));
  EXPECT_THAT(testing::error_of([&] { write_file_atomically(missing_dir, "x"); }),
              HasSubstr(missing_dir + ".tmp"));
}

}  // namespace
}  // namespace occam::train
