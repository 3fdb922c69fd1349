// Errors. Bad input (config, data, checkpoint, flag) throws an occam::Error subclass whose
// what() is one line naming what and where; broken invariants and API misuse use OCCAM_CHECK,
// which throws occam::Error with the op, the shapes and file:line. Library code never exits.
#pragma once

#include <cstdint>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace occam {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class ConfigError : public Error {
  using Error::Error;
};
class DataError : public Error {
  using Error::Error;
};
class CheckpointError : public Error {
  using Error::Error;
};

// A shape prints as [3,5]; a scalar as [].
std::ostream& operator<<(std::ostream& os, const std::vector<int64_t>& shape);
std::string shape_str(const std::vector<int64_t>& shape);

namespace detail {
template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}
constexpr std::string_view basename_of(std::string_view path) {
  auto pos = path.rfind("src/occam/");
  return pos == std::string_view::npos ? path : path.substr(pos + 10);
}
}  // namespace detail

}  // namespace occam

// OCCAM_CHECK(cond, "matmul: expected ..., got ", shape) throws occam::Error
// "matmul: expected ..., got [3,5] (autograd/matmul.cpp:14)".
#define OCCAM_CHECK(cond, ...)                                                             \
  do {                                                                                     \
    if (!(cond))                                                                           \
      throw ::occam::Error(::occam::detail::concat(                                        \
          __VA_ARGS__, " (", ::occam::detail::basename_of(__FILE__), ":", __LINE__, ")")); \
  } while (0)
