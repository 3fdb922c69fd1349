// Test helpers for tests/data: PNG and JPEG writers (libpng, libjpeg-turbo), so image tests make
// their own files with exactly known pixels.
#pragma once

#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <jpeglib.h>
#include <png.h>

namespace occam::testing {

// samples: interleaved rows; 16-bit samples given as values, written big-endian. For bit depths
// below 8, one value per pixel (packed here). palette: RGB triples for PNG_COLOR_TYPE_PALETTE.
inline void write_png(const std::string& path, int width, int height, int color_type, int bit_depth,
                      const std::vector<uint16_t>& samples,
                      const std::vector<uint8_t>& palette = {}) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(f);
    FAIL() << "libpng failed writing " << path;
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, width, height, bit_depth, color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (color_type == PNG_COLOR_TYPE_PALETTE) {
    std::vector<png_color> colors(palette.size() / 3);
    for (size_t i = 0; i < colors.size(); ++i)
      colors[i] = {palette[3 * i], palette[3 * i + 1], palette[3 * i + 2]};
    png_set_PLTE(png, info, colors.data(), static_cast<int>(colors.size()));
  }
  png_write_info(png, info);
  const int channels = color_type == PNG_COLOR_TYPE_RGB          ? 3
                       : color_type == PNG_COLOR_TYPE_RGB_ALPHA  ? 4
                       : color_type == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
                                                                 : 1;
  const size_t per_row = static_cast<size_t>(width) * channels;
  std::vector<uint8_t> row;
  for (int y = 0; y < height; ++y) {
    row.assign((per_row * bit_depth + 7) / 8, 0);
    for (size_t i = 0; i < per_row; ++i) {
      const uint16_t v = samples[y * per_row + i];
      if (bit_depth == 16) {
        row[2 * i] = static_cast<uint8_t>(v >> 8);
        row[2 * i + 1] = static_cast<uint8_t>(v);
      } else if (bit_depth == 8) {
        row[i] = static_cast<uint8_t>(v);
      } else {  // packed, most significant bits first
        const size_t bit = i * bit_depth;
        row[bit / 8] |= static_cast<uint8_t>(v << (8 - bit_depth - bit % 8));
      }
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(f);
}

// components 1 (grayscale) or 3 (RGB, stored as YCbCr), interleaved 8-bit samples.
inline void write_jpeg(const std::string& path, int width, int height, int components,
                       const std::vector<uint8_t>& samples, int quality = 95) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  jpeg_compress_struct cinfo;
  jpeg_error_mgr err;
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  jpeg_stdio_dest(&cinfo, f);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = components;
  cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(samples.data()) + cinfo.next_scanline * width * components;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::fclose(f);
}

}  // namespace occam::testing
