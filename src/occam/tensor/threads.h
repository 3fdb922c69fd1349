// The one thread setting: Occam's OpenMP loops and oneDNN share libgomp's pool. Set it once,
// in main, from the config; it is written to the run directory.
#pragma once

namespace occam {
void set_num_threads(int n);  // n >= 1
int num_threads();

// libgomp reads its wait policy once, when the program is loaded (before main). By default an
// idle worker spins for milliseconds after every parallel region; on a machine whose cores are
// shared with other work that made training 5-20× slower (bench/RESULTS.md, "threads").
// Call this first thing in main(argc, argv): when the environment sets neither OMP_WAIT_POLICY
// nor GOMP_SPINCOUNT, it sets OMP_WAIT_POLICY=PASSIVE and re-executes the program in place
// (same process id, arguments and open files), so that libgomp loads with it. It returns when
// there is nothing to do (the user chose a policy, or this is the re-executed program) and when
// the re-execution fails (the program then runs with libgomp's default). Numbers do not depend
// on the wait policy, only speed does.
void use_passive_openmp_wait(char** argv);
}  // namespace occam
