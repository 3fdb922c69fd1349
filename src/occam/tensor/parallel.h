// Occam's own task pool, for work split into a few large, independent tasks (the tiles of a big
// matrix product). It exists because of how libgomp's workers wait (bench/RESULTS.md, "threads"):
// a passive worker sleeps after every parallel region and waking it costs 40-60 µs on a virtual
// machine, while a spinning one takes a core from everything else on a shared machine and, when
// the machine is busy, makes every region wait for a descheduled thread at its closing barrier.
//
// The pool waits differently:
//  - tasks are claimed one at a time, so the calling thread starts at once and does everything
//    itself if no worker shows up (a descheduled worker costs at most the task it holds);
//  - a worker that finds no task spins (pause, then sched_yield, which gives the core to any
//    other runnable thread) for kSpinMicros, then sleeps on a futex: a step's back-to-back
//    products find it awake, an idle program does not burn a core.
// The pool has num_threads() - 1 workers (created on first use, re-created when the count
// changes). Tasks run with OpenMP (and so oneDNN) limited to one thread. If a task throws, the
// first exception is rethrown to the caller once no task is running (the others may or may not
// have run), and the pool stays usable.
#pragma once

#include <cstdint>
#include <functional>

namespace occam::kernels {

// How long an idle worker stays awake looking for the next task before it sleeps.
inline constexpr int kSpinMicros = 200;

// Runs task(i) once for every i in [0, n), on the calling thread and the pool's workers; returns
// when all have finished. Serial (on the calling thread, in order) when n <= 1, with one thread,
// and when called from inside a task or an OpenMP parallel region.
void parallel_tasks(int64_t n, const std::function<void(int64_t)>& task);

// The number of worker threads the pool has started (0 before its first parallel use).
int pool_workers();

}  // namespace occam::kernels
