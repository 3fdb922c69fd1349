#include "occam/log/record.h"

#include <gtest/gtest.h>

#include <string>

#include "occam/log/summary.pb.h"

namespace occam::tensorboard {
namespace {

std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 3)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// Golden records of SPEC-tfevents.md §3, written by TensorBoard's own RecordWriter: they pin
// both the protobuf encoding of our summary.proto and the framing.
TEST(Record, MatchesGoldenFileVersionRecord) {
  tb::Event event;
  event.set_wall_time(1700000000.0);
  event.set_file_version("brain.Event:2");
  const std::string data = event.SerializeAsString();
  EXPECT_EQ(data, from_hex("09 00 00 00 40 fc 54 d9 41 1a 0d 62 72 61 69 6e 2e 45 76 65 6e 74 "
                           "3a 32 "));
  EXPECT_EQ(frame_record(data),
            from_hex("18 00 00 00 00 00 00 00 a3 7f 4b 22 ") + data + from_hex("ec ed 8f 9d "));
}

TEST(Record, MatchesGoldenScalarRecord) {
  tb::Event event;
  event.set_wall_time(1700000001.5);
  event.set_step(1);
  tb::Summary::Value* value = event.mutable_summary()->add_value();
  value->set_tag("loss");
  value->set_simple_value(0.5f);
  const std::string data = event.SerializeAsString();
  EXPECT_EQ(data, from_hex("09 00 00 60 40 fc 54 d9 41 10 01 2a 0d 0a 0b 0a 04 6c 6f 73 73 15 "
                           "00 00 00 3f "));
  EXPECT_EQ(frame_record(data),
            from_hex("1a 00 00 00 00 00 00 00 12 9b d8 2d ") + data + from_hex("2e e4 2f 0f "));
}

TEST(Record, ZeroScalarIsStillWritten) {
  // simple_value sits in a oneof, so 0.0 is serialized; a value with no payload would be dropped.
  tb::Summary::Value value;
  value.set_tag("x");
  value.set_simple_value(0.f);
  EXPECT_EQ(value.SerializeAsString(), from_hex("0a 01 78 15 00 00 00 00 "));
}

}  // namespace
}  // namespace occam::tensorboard
