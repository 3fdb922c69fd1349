// Checkpoints: named tensors plus a JSON header of free-form metadata, in one file. The trainer
// stores its parameters, buffers and optimizer state as tensors ("model/dense_1/kernel",
// "optimizer/dense_1/kernel/momentum_buffer") and its step and RNG state in the header; the
// checkpoint callback (train/callbacks.h) adds the epoch and the best validation value of the
// task's selection metric. The data order is not stored: the batcher derives it from its seed
// and the epoch.
//
// Layout (little-endian; checkpoint.cpp refuses to build on a big-endian machine):
//   "OCCAMCK1" | u64 header bytes | header JSON | u32 tensor count |
//   per tensor, in name order: u32 name bytes, name, u32 rank (<= 8), i64 dims[rank],
//   f32 data[numel] | u32 CRC-32 (zlib) of everything before it
//
// Saving is atomic: the bytes go to `path + ".tmp"` (created or truncated), which is fsynced and
// renamed onto `path`; then the directory is fsynced (best effort). A crash or kill -9 at any
// moment leaves at `path` either the previous file or the new one, each whole; at worst a stray
// `path.tmp` remains, which loading never reads and the next save overwrites
// (tests/train/checkpoint_test.cpp kills a writer between the write and the rename).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "occam/tensor/tensor.h"

namespace occam::train {

struct Checkpoint {
  nlohmann::json header;                  // free-form metadata
  std::map<std::string, Tensor> tensors;  // by name; saved in name order
};

// Throws occam::Error naming the file and the system's reason when it cannot be written.
void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);
// Throws CheckpointError, one line starting with `path`, saying what is wrong: cannot open, not
// a checkpoint (magic), CRC mismatch (a truncated or corrupted file), or — in a file whose CRC
// holds but whose content does not parse — truncated, bad header, bad rank or dimension.
Checkpoint load_checkpoint(const std::string& path);

// Writes `content` to `path` atomically, as save_checkpoint does (tmp, fsync, rename, fsync of
// the directory). Throws occam::Error naming the file when a step fails.
void write_file_atomically(const std::string& path, const std::string& content);

namespace detail {
// Test-only injection point, null otherwise: write_file_atomically calls it with the temporary
// file's path once that file is written and fsynced, just before the rename — the moment a crash
// must not harm the previous file. tests/train/checkpoint_test.cpp sets it in a forked child to
// SIGKILL itself there.
extern void (*before_rename_for_tests)(const std::string& tmp_path);
}  // namespace detail

}  // namespace occam::train
