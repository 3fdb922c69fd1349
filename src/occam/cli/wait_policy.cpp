#include "occam/cli/wait_policy.h"

#include <unistd.h>

#include <cstdlib>

namespace occam::cli {

void use_passive_openmp_wait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  // Only reached when exec failed: run on with libgomp's default, and do not leave a setting
  // in the environment that this process does not have.
  unsetenv("OMP_WAIT_POLICY");
}

}  // namespace occam::cli
