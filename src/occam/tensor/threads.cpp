#include "occam/tensor/threads.h"

#include <omp.h>

#include "occam/error.h"

namespace occam {
void set_num_threads(int n) {
  OCCAM_CHECK(n >= 1, "set_num_threads: expected n >= 1, got ", n);
  omp_set_num_threads(n);
}
int num_threads() { return omp_get_max_threads(); }
}  // namespace occam
