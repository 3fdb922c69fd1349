#include "occam/tensor/threads.h"

#include <omp.h>
#include <unistd.h>

#include <cstdlib>

#include "occam/error.h"

namespace occam {
void set_num_threads(int n) {
  OCCAM_CHECK(n >= 1, "set_num_threads: expected n >= 1, got ", n);
  omp_set_num_threads(n);
}
int num_threads() { return omp_get_max_threads(); }

void use_passive_openmp_wait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  // Only reached when exec failed: run on with libgomp's default, and do not leave a setting
  // in the environment that this process does not have.
  unsetenv("OMP_WAIT_POLICY");
}
}  // namespace occam
