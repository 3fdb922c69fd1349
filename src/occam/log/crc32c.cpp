#include "occam/log/crc32c.h"

#include <array>

namespace occam::tensorboard {

namespace {

constexpr uint32_t kPolyReflected = 0x82F63B78;
constexpr uint32_t kMaskDelta = 0xA282EAD8;

// table[b] = CRC register after shifting the byte b through, one bit at a time.
constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ kPolyReflected : c >> 1;
    table[b] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kTable = make_table();
static_assert(kTable[1] == 0xF26B8303);  // the spec's check entry

}  // namespace

uint32_t crc32c(std::string_view bytes) {
  uint32_t crc = 0xFFFFFFFF;
  for (unsigned char b : bytes) crc = kTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFF;
}

uint32_t mask_crc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

uint32_t masked_crc32c(std::string_view bytes) { return mask_crc(crc32c(bytes)); }

}  // namespace occam::tensorboard
