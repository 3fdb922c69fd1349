// occam: the command line. Each sub-command lives in its own file; main catches occam::Error,
// prints its one line and exits non-zero.
#include <CLI/CLI.hpp>
#include <iostream>

#include "occam/error.h"

int main(int argc, char** argv) {
  CLI::App app{"occam: a deep-learning trainer whose objective you can see into"};
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const occam::Error& e) {
    std::cerr << "occam: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
