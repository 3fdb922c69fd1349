// libgomp's wait policy, chosen by the program, not by the library. libgomp reads
// OMP_WAIT_POLICY once, when it is loaded (before main). By default an idle worker spins for
// milliseconds after every parallel region; on a machine whose cores are shared with other work
// that made training 5-20× slower (bench/RESULTS.md, "threads"). The library never re-executes
// a process (a program embedding it, or one started by mpirun, decides for itself); the `occam`
// command does, through this function, and so does bench/step_scaling.cpp.
#pragma once

namespace occam::cli {

// Call this first thing in main(argc, argv): when the environment sets neither OMP_WAIT_POLICY
// nor GOMP_SPINCOUNT, it sets OMP_WAIT_POLICY=PASSIVE and re-executes the program in place
// (execv of /proc/self/exe: same process id, arguments and open files), so that libgomp loads
// with it. It returns when there is nothing to do (the user chose a policy, or this is the
// re-executed program) and when the re-execution fails (the program then runs with libgomp's
// default, and OMP_WAIT_POLICY is unset again). Numbers do not depend on the wait policy, only
// speed does.
void use_passive_openmp_wait(char** argv);

}  // namespace occam::cli
