// Checkpoints: named tensors plus a JSON header (step, epoch, RNG and data-order state), in one
// file written atomically (temporary file, fsync, rename, fsync of the directory), so a crash or
// kill -9 never leaves a torn checkpoint. Layout, all little-endian:
//   "OCCAMCK1" | u64 header bytes | header JSON | per tensor: u32 name bytes, name, u32 rank,
//   i64 dims[rank], f32 data[numel] | u32 CRC-32 (zlib) of everything before it
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "occam/tensor/tensor.h"

namespace occam::train {

struct Checkpoint {
  nlohmann::json header;                  // free-form metadata
  std::map<std::string, Tensor> tensors;  // "dense_1/kernel", "optimizer/dense_1/kernel/momentum_buffer"
};

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);
// Throws CheckpointError naming the file and what is wrong (missing, bad magic, truncated, CRC).
Checkpoint load_checkpoint(const std::string& path);

// Writes `content` to `path` atomically (tmp + fsync + rename).
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace occam::train
