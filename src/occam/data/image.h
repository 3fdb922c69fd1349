// Image files for detection data: PNG (libpng) and JPEG (libjpeg-turbo), told apart by their
// first bytes, never by the file name. Pixels come out as float32 CHW in [0, 1].
//
// What is decoded, and how (C = channels of the result):
//   PNG gray 1/2/4/8 bit       → C = 1, value / (2^bits − 1)
//   PNG gray + alpha           → C = 1, alpha dropped (the stored gray, not composited)
//   PNG RGB                    → C = 3
//   PNG RGBA                   → C = 3, alpha dropped (as PIL's convert("RGB"))
//   PNG palette (any depth)    → C = 3, the palette's RGB entries; a tRNS (transparency) chunk
//                                is ignored like any other alpha
//   PNG 16 bit                 → value / 65535 (full precision, not stripped to 8 bits)
//   JPEG grayscale             → C = 1;   JPEG YCbCr / RGB → C = 3 (libjpeg's conversion)
//   JPEG CMYK / YCCK           → DataError (not supported)
// Interlaced PNGs decode as any other; gamma and colour-profile chunks are not applied.
// `channels` = 1 or 3 asks for that many whatever the file holds: gray → RGB repeats the plane,
// RGB → gray is 0.299·R + 0.587·G + 0.114·B (ITU-R BT.601, libjpeg's and PIL's weights).
//
// Errors are DataError, one line naming the file: cannot open, neither PNG nor JPEG, truncated,
// corrupt data (libpng's and libjpeg's own message). libjpeg warnings — "premature end of data",
// "corrupt JPEG data" — are errors too: libjpeg would otherwise return grey blocks silently.
// Decoding is thread-safe (no global state); each call reads the whole file into memory.
#pragma once

#include <cstdint>
#include <string>

#include "occam/tensor/tensor.h"

namespace occam::data {

enum class ImageFormat { png, jpeg };

// What the header says, read without decoding pixels: PNG reads its first 33 bytes (the IHDR
// chunk), JPEG up to the start of its first scan. `channels` is what read_image returns with
// channels = 0 (see the table above), `bit_depth` the stored bits per sample.
struct ImageInfo {
  ImageFormat format = ImageFormat::png;
  int64_t width = 0;
  int64_t height = 0;
  int64_t channels = 0;
  int64_t bit_depth = 8;
};

ImageInfo read_image_info(const std::string& path);

// Decodes `path` into [C, H, W] float32 in [0, 1]. channels: 0 = as stored (1 or 3), or 1 / 3.
Tensor read_image(const std::string& path, int64_t channels = 0);

const char* format_name(ImageFormat format);

}  // namespace occam::data
