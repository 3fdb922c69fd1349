// CRC-32C (Castagnoli) and the TFRecord mask (SPEC-tfevents.md §3): reflected polynomial
// 0x82F63B78, init and final XOR 0xFFFFFFFF; masked = rotate_right(crc, 15) + 0xA282EAD8.
#pragma once

#include <cstdint>
#include <string_view>

namespace occam::tensorboard {

uint32_t crc32c(std::string_view bytes);
// The value TFRecord stores ([TF] tsl/lib/hash/crc32c.h Mask): a CRC of data that contains
// CRCs is then not a CRC of the same shape.
uint32_t mask_crc(uint32_t crc);
uint32_t masked_crc32c(std::string_view bytes);

}  // namespace occam::tensorboard
