// TFRecord framing (SPEC-tfevents.md §3): one record is
//   uint64 length | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data),
// all little-endian, so a record occupies length + 16 bytes.
#pragma once

#include <string>
#include <string_view>

namespace occam::tensorboard {

// The whole record for `data` (a serialized Event), ready to be written in one piece.
std::string frame_record(std::string_view data);

}  // namespace occam::tensorboard
