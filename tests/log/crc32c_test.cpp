#include "occam/log/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace occam::tensorboard {
namespace {

// Check values from SPEC-tfevents.md §3 (CRC-32C catalogue value, TensorBoard's stub agrees).
TEST(Crc32c, MatchesCheckValues) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(""), 0x00000000u);
}

TEST(Crc32c, MaskRotatesRightBy15AndAddsDelta) {
  EXPECT_EQ(masked_crc32c("123456789"), 0xC78AB0E5u);
  EXPECT_EQ(mask_crc(0), 0xA282EAD8u);
  EXPECT_EQ(mask_crc(1u << 15), 0xA282EAD8u + 1);              // bit 15 lands on bit 0
  EXPECT_EQ(mask_crc(1), 0xA282EAD8u + (1u << 17));            // bit 0 wraps to bit 17
  EXPECT_EQ(mask_crc(0xFFFFFFFF), 0xA282EAD8u + 0xFFFFFFFFu);  // mod 2^32
}

}  // namespace
}  // namespace occam::tensorboard
