#include "occam/log/record.h"

#include <cstdint>

#include "occam/log/crc32c.h"

namespace occam::tensorboard {

namespace {

// Little-endian whatever the host is.
template <class U>
void append_le(std::string& out, U v) {
  for (size_t i = 0; i < sizeof(U); ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

}  // namespace

std::string frame_record(std::string_view data) {
  std::string rec;
  rec.reserve(data.size() + 16);
  append_le<uint64_t>(rec, data.size());
  append_le<uint32_t>(rec, masked_crc32c(rec));  // over the 8 length bytes
  rec.append(data);
  append_le<uint32_t>(rec, masked_crc32c(data));
  return rec;
}

}  // namespace occam::tensorboard
