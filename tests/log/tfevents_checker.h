// Test helpers for tests/log: a temporary log directory, and the vendored strict checker
// tests/tools/tfevents_dump.py (SPEC-tfevents.md, "Checking a file") run on it with OCCAM_PYTHON.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "occam/error.h"
#include "testing/testing.h"

namespace occam::testing {

struct CheckerResult {
  int exit_code = -1;
  std::string out;  // JSON lines in dump mode
  std::string err;  // per-file summary, warnings and errors
  std::vector<nlohmann::json> records() const {
    std::vector<nlohmann::json> rs;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) rs.push_back(nlohmann::json::parse(line));
    return rs;
  }
};

// <tmp>/occam_<suite>_<test>_<pid>/, deleted at the end; logs() is the log directory given to
// the checker, scratch files live beside it.
class LogDir {
 public:
  LogDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = std::filesystem::temp_directory_path() /
            (std::string("occam_") + info->test_suite_name() + "_" + info->name() + "_" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "logs");
  }
  ~LogDir() { std::filesystem::remove_all(root_); }
  std::string logs() const { return (root_ / "logs").string(); }
  std::string root() const { return root_.string(); }

  // tfevents_dump.py <flags> <path> (the log directory by default).
  CheckerResult check(const std::string& flags, const std::string& path = "") const {
    const std::string err_path = (root_ / "checker.stderr").string();
    const std::string command = std::string("'") + OCCAM_PYTHON + "' '" + OCCAM_TFEVENTS_CHECKER +
                                "' " + flags + " '" + (path.empty() ? logs() : path) + "' 2>'" +
                                err_path + "'";
    CheckerResult r;
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return r;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) r.out.append(buf, n);
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream err(err_path);
    r.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
    return r;
  }

 private:
  std::filesystem::path root_;
};

}  // namespace occam::testing
