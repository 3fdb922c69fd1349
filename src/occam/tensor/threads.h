// The one thread setting: Occam's OpenMP loops and oneDNN share libgomp's pool. Set it once,
// in main, from the config; it is written to the run directory. libgomp's wait policy is the
// program's choice, not the library's: the occam command sets it (src/occam/cli/wait_policy.h).
#pragma once

namespace occam {
void set_num_threads(int n);  // n >= 1
int num_threads();
}  // namespace occam
