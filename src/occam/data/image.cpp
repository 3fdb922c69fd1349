#include "occam/data/image.h"

#include <algorithm>
#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include <jpeglib.h>
#include <png.h>

#include "occam/error.h"

namespace occam::data {

namespace {

template <class... Parts>
[[noreturn]] void fail(const std::string& path, const Parts&... parts) {
  throw DataError(detail::concat(path, ": ", parts...));
}

constexpr uint8_t kPngSignature[8] = {137, 80, 78, 71, 13, 10, 26, 10};

bool is_png(const uint8_t* b, size_t n) { return n >= 8 && std::memcmp(b, kPngSignature, 8) == 0; }
bool is_jpeg(const uint8_t* b, size_t n) {
  return n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF;
}

// Why a file that is neither PNG nor JPEG was rejected, with a guess at what it is.
[[noreturn]] void fail_format(const std::string& path, const uint8_t* b, size_t n) {
  if (n == 0) fail(path, "empty file, expected a PNG or JPEG image");
  std::string guess;
  if (n >= 4 && std::memcmp(b, "GIF8", 4) == 0) guess = " (a GIF image)";
  if (n >= 2 && b[0] == 'B' && b[1] == 'M') guess = " (a BMP image?)";
  if (n >= 12 && std::memcmp(b, "RIFF", 4) == 0 && std::memcmp(b + 8, "WEBP", 4) == 0)
    guess = " (a WebP image)";
  if (n >= 4 && (std::memcmp(b, "II*", 4) == 0 || std::memcmp(b, "MM\0*", 4) == 0))
    guess = " (a TIFF image)";
  char hex[16];
  std::string first;
  for (size_t i = 0; i < std::min<size_t>(n, 4); ++i) {
    std::snprintf(hex, sizeof hex, "%s%02x", i ? " " : "", b[i]);
    first += hex;
  }
  fail(path, "not a PNG or JPEG file (starts with ", first, ")", guess,
       "; convert it to PNG or JPEG");
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open: ", std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) fail(path, "read error: ", std::strerror(errno));
  return bytes;
}

// Pixels as decoded: interleaved [H, W, channels], 8- or 16-bit (native-endian uint16) samples.
struct Decoded {
  int64_t width = 0, height = 0, channels = 0, bit_depth = 8;
  std::vector<uint8_t> pixels;
  std::vector<uint8_t*> rows;
  char message[JMSG_LENGTH_MAX > 256 ? JMSG_LENGTH_MAX : 256] = {};
};

// ---- PNG ----
// libpng reports errors by longjmp. The function that calls setjmp creates no C++ object after
// it and modifies none of its locals afterwards: everything that grows lives in *out, owned
// by the caller, so unwinding by longjmp skips no destructor.

struct PngInput {
  const uint8_t* data;
  size_t size;
  size_t pos;
};

void png_read_bytes(png_structp png, png_bytep out, size_t n) {
  auto* in = static_cast<PngInput*>(png_get_io_ptr(png));
  if (in->size - in->pos < n) png_error(png, "truncated: the file ends before the image does");
  std::memcpy(out, in->data + in->pos, n);
  in->pos += n;
}

void png_on_error(png_structp png, png_const_charp message) {
  auto* out = static_cast<Decoded*>(png_get_error_ptr(png));
  std::snprintf(out->message, sizeof out->message, "%s", message);
  png_longjmp(png, 1);
}

void png_on_warning(png_structp, png_const_charp) {}  // e.g. "iCCP: known incorrect sRGB profile"

bool decode_png(PngInput* in, Decoded* out) {
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, out, png_on_error, png_on_warning);
  if (!png) {
    std::snprintf(out->message, sizeof out->message, "out of memory in libpng");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    std::snprintf(out->message, sizeof out->message, "out of memory in libpng");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, in, png_read_bytes);
  png_read_info(png, info);
  const int color = png_get_color_type(png, info);
  const int depth = png_get_bit_depth(png, info);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (color & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
  if (depth == 16) png_set_swap(png);  // PNG is big-endian; x86 reads uint16 little-endian
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  out->width = png_get_image_width(png, info);
  out->height = png_get_image_height(png, info);
  out->channels = png_get_channels(png, info);
  out->bit_depth = png_get_bit_depth(png, info);
  const size_t row_bytes = png_get_rowbytes(png, info);
  out->pixels.resize(row_bytes * static_cast<size_t>(out->height));
  out->rows.resize(static_cast<size_t>(out->height));
  for (int64_t y = 0; y < out->height; ++y) out->rows[y] = out->pixels.data() + y * row_bytes;
  png_read_image(png, out->rows.data());
  png_read_end(png, nullptr);  // the chunks after the pixels, up to IEND: a cut file fails here
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

// ---- JPEG ----
// libjpeg's default error_exit prints and calls exit(); ours longjmps back to decode_jpeg /
// jpeg_header, and so does every warning (level −1): a truncated or corrupt JPEG must not
// decode silently into grey blocks.

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char* message;
};

void jpeg_on_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void jpeg_on_message(j_common_ptr cinfo, int level) {
  if (level < 0) jpeg_on_error(cinfo);  // a warning: corrupt or premature end of data
}

void init_jpeg_error(JpegError* err, char* message) {
  jpeg_std_error(&err->mgr);
  err->mgr.error_exit = jpeg_on_error;
  err->mgr.emit_message = jpeg_on_message;
  err->message = message;
}

bool unsupported_jpeg_colors(const jpeg_decompress_struct& cinfo, char* message) {
  if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
    std::snprintf(message, JMSG_LENGTH_MAX, "a CMYK JPEG, not supported: convert it to RGB");
    return true;
  }
  return false;
}

bool decode_jpeg(const std::vector<uint8_t>* bytes, Decoded* out) {
  jpeg_decompress_struct cinfo;
  std::memset(&cinfo, 0, sizeof cinfo);
  JpegError err;
  init_jpeg_error(&err, out->message);
  cinfo.err = &err.mgr;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, bytes->data(), static_cast<unsigned long>(bytes->size()));
  jpeg_read_header(&cinfo, TRUE);
  if (unsupported_jpeg_colors(cinfo, out->message)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  cinfo.out_color_space = cinfo.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&cinfo);
  out->width = cinfo.output_width;
  out->height = cinfo.output_height;
  out->channels = cinfo.output_components;
  out->bit_depth = 8;
  const size_t row_bytes = static_cast<size_t>(out->width * out->channels);
  out->pixels.resize(row_bytes * static_cast<size_t>(out->height));
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out->pixels.data() + cinfo.output_scanline * row_bytes;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

// Reads a JPEG header from an open file (only up to the first scan).
bool jpeg_header(std::FILE* file, Decoded* out) {
  jpeg_decompress_struct cinfo;
  std::memset(&cinfo, 0, sizeof cinfo);
  JpegError err;
  init_jpeg_error(&err, out->message);
  cinfo.err = &err.mgr;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, file);
  jpeg_read_header(&cinfo, TRUE);
  if (unsupported_jpeg_colors(cinfo, out->message)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  out->width = cinfo.image_width;
  out->height = cinfo.image_height;
  out->channels = cinfo.num_components == 1 ? 1 : 3;
  out->bit_depth = cinfo.data_precision;
  jpeg_destroy_decompress(&cinfo);
  return true;
}

uint32_t big_endian32(const uint8_t* b) {
  return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
}

}  // namespace

const char* format_name(ImageFormat format) { return format == ImageFormat::png ? "PNG" : "JPEG"; }

ImageInfo read_image_info(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) fail(path, "cannot open: ", std::strerror(errno));
  // Signature (8), IHDR length (4) and type (4), width, height (4 each), depth, colour type.
  uint8_t head[26];
  const size_t n = std::fread(head, 1, sizeof head, file);
  ImageInfo info;
  if (is_png(head, n)) {
    std::fclose(file);
    if (n < 26) fail(path, "truncated PNG: the file ends inside its header");
    if (std::memcmp(head + 12, "IHDR", 4) != 0) fail(path, "corrupt PNG: no IHDR chunk first");
    info.format = ImageFormat::png;
    info.width = big_endian32(head + 16);
    info.height = big_endian32(head + 20);
    info.bit_depth = head[24];
    const int color = head[25];
    if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) {
      info.channels = 1;
    } else if (color == PNG_COLOR_TYPE_RGB || color == PNG_COLOR_TYPE_RGB_ALPHA ||
               color == PNG_COLOR_TYPE_PALETTE) {
      info.channels = 3;
    } else {
      fail(path, "corrupt PNG: unknown colour type ", color);
    }
    if (color == PNG_COLOR_TYPE_PALETTE) info.bit_depth = 8;  // palette entries are 8-bit
    if (info.width <= 0 || info.height <= 0)
      fail(path, "corrupt PNG: image size ", info.width, "x", info.height);
    return info;
  }
  if (!is_jpeg(head, n)) {
    std::fclose(file);
    fail_format(path, head, n);
  }
  std::rewind(file);
  Decoded header;
  const bool ok = jpeg_header(file, &header);
  std::fclose(file);
  if (!ok) fail(path, "bad JPEG: ", header.message);
  info.format = ImageFormat::jpeg;
  info.width = header.width;
  info.height = header.height;
  info.channels = header.channels;
  info.bit_depth = header.bit_depth;
  return info;
}

Tensor read_image(const std::string& path, int64_t channels) {
  if (channels != 0 && channels != 1 && channels != 3)
    throw Error(detail::concat("read_image: channels must be 0 (as stored), 1 or 3, got ", channels,
                               " (for ", path, ")"));
  const std::vector<uint8_t> bytes = read_file(path);
  Decoded img;
  if (is_png(bytes.data(), bytes.size())) {
    PngInput in{bytes.data(), bytes.size(), 0};
    if (!decode_png(&in, &img)) fail(path, "bad PNG: ", img.message);
  } else if (is_jpeg(bytes.data(), bytes.size())) {
    if (!decode_jpeg(&bytes, &img)) fail(path, "bad JPEG: ", img.message);
  } else {
    fail_format(path, bytes.data(), bytes.size());
  }

  // [H, W, c] integers → [C, H, W] floats in [0, 1].
  const int64_t c = img.channels, hw = img.height * img.width;
  const int64_t C = channels == 0 ? c : channels;
  // value / max, divided (not multiplied by 1/max) so that each is the float nearest the ratio.
  std::vector<float> planes(static_cast<size_t>(c * hw));
  if (img.bit_depth == 16) {
    const auto* p = reinterpret_cast<const uint16_t*>(img.pixels.data());
    for (int64_t i = 0; i < hw; ++i)
      for (int64_t k = 0; k < c; ++k) planes[k * hw + i] = p[i * c + k] / 65535.f;
  } else {
    const uint8_t* p = img.pixels.data();
    for (int64_t i = 0; i < hw; ++i)
      for (int64_t k = 0; k < c; ++k) planes[k * hw + i] = p[i * c + k] / 255.f;
  }
  Tensor out = Tensor::empty({C, img.height, img.width});
  float* o = out.data();
  if (C == c) {
    std::copy(planes.begin(), planes.end(), o);
  } else if (C == 3) {  // gray → RGB
    for (int64_t k = 0; k < 3; ++k) std::copy(planes.begin(), planes.end(), o + k * hw);
  } else {  // RGB → gray, BT.601
    for (int64_t i = 0; i < hw; ++i)
      o[i] = 0.299f * planes[i] + 0.587f * planes[hw + i] + 0.114f * planes[2 * hw + i];
  }
  return out;
}

}  // namespace occam::data
