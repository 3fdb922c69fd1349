// Occam's task pool: every task runs exactly once, on the caller and the workers, under
// back-to-back jobs (the claim protocol), nested calls and OpenMP regions run serially, tasks see
// one OpenMP thread, the worker count follows the thread setting, and concurrent callers both
// finish.
#include "occam/tensor/parallel.h"

#include <omp.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "occam/error.h"
#include "occam/tensor/threads.h"
#include "testing/testing.h"

namespace occam::kernels {
namespace {

class ParallelTasks : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = num_threads();
    set_num_threads(2);
  }
  void TearDown() override { set_num_threads(saved_); }
  int saved_ = 1;
};

TEST_F(ParallelTasks, RunsEveryTaskExactlyOnceAcrossManyBackToBackJobs) {
  // Many short jobs in a row: a worker that is still looking at job k when job k+1 is published
  // must neither run one of k's tasks again nor one of k+1's with k's description.
  std::vector<std::atomic<int>> runs(64);
  for (int job = 0; job < 20000; ++job) {
    const int64_t n = 1 + job % 64;
    for (int64_t i = 0; i < n; ++i) runs[size_t(i)].store(0);
    parallel_tasks(n, [&, job](int64_t i) {
      runs[size_t(i)].fetch_add(1 + job % 3);  // a job-specific amount: a stale description shows
    });
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(runs[size_t(i)].load(), 1 + job % 3) << "job " << job << " task " << i;
  }
  EXPECT_EQ(pool_workers(), 1);
}

TEST_F(ParallelTasks, UsesTheWorkersAndGivesEachTaskOneOpenMPThread) {
  std::mutex m;
  std::set<std::thread::id> ids;
  std::atomic<int> max_omp{0};
  // Tasks long enough that the worker, woken at the start, takes some of them. On a loaded
  // machine (ctest runs two test programs at once) it may not be scheduled in time: retry for
  // up to 10 s; one attempt is enough when the machine is quiet.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ids.size() < 2 && std::chrono::steady_clock::now() < give_up)
    parallel_tasks(8, [&](int64_t) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(1000);
      while (std::chrono::steady_clock::now() < until) {
      }
      std::lock_guard lock(m);
      ids.insert(std::this_thread::get_id());
      max_omp = std::max(max_omp.load(), omp_get_max_threads());
    });
  EXPECT_EQ(ids.size(), 2u) << "the worker never took a task";
  EXPECT_EQ(max_omp.load(), 1) << "a task must run oneDNN on its own thread only";
  EXPECT_EQ(num_threads(), 2) << "the caller's OpenMP thread count must be restored";
}

TEST_F(ParallelTasks, NestedCallsAndOpenMPRegionsRunSeriallyInOrder) {
  std::vector<int64_t> order;
  parallel_tasks(2, [&](int64_t outer) {
    if (outer != 0) return;
    const auto self = std::this_thread::get_id();
    parallel_tasks(5, [&](int64_t i) {
      EXPECT_EQ(std::this_thread::get_id(), self);
      order.push_back(i);
    });
  });
  EXPECT_EQ(order, (std::vector<int64_t>{0, 1, 2, 3, 4}));

  std::vector<int64_t> in_region;
#pragma omp parallel num_threads(2)
  {
#pragma omp single
    parallel_tasks(4, [&](int64_t i) { in_region.push_back(i); });  // serial: no data race
  }
  EXPECT_EQ(in_region, (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST_F(ParallelTasks, ASingleTaskAlsoRunsWithOneOpenMPThread) {
  int seen = 0;
  parallel_tasks(1, [&](int64_t) { seen = omp_get_max_threads(); });
  EXPECT_EQ(seen, 1);
  EXPECT_EQ(num_threads(), 2);
}

TEST_F(ParallelTasks, OneThreadRunsEverythingOnTheCaller) {
  set_num_threads(1);
  const auto self = std::this_thread::get_id();
  int count = 0;
  parallel_tasks(10, [&](int64_t) {
    EXPECT_EQ(std::this_thread::get_id(), self);
    ++count;
  });
  EXPECT_EQ(count, 10);
}

TEST_F(ParallelTasks, TheWorkerCountFollowsTheThreadSetting) {
  std::atomic<int> sum{0};
  set_num_threads(3);
  parallel_tasks(6, [&](int64_t i) { sum += int(i); });
  EXPECT_EQ(pool_workers(), 2);
  set_num_threads(2);
  parallel_tasks(6, [&](int64_t i) { sum += int(i); });
  EXPECT_EQ(pool_workers(), 1);
  EXPECT_EQ(sum.load(), 30);
}

TEST_F(ParallelTasks, ConcurrentCallersBothFinish) {
  std::atomic<int64_t> a{0}, b{0};
  auto caller = [](std::atomic<int64_t>& sum) {
    set_num_threads(2);  // OpenMP's setting is per thread
    for (int job = 0; job < 2000; ++job) parallel_tasks(7, [&](int64_t i) { sum += i + 1; });
  };
  std::thread t1(caller, std::ref(a)), t2(caller, std::ref(b));
  t1.join();
  t2.join();
  EXPECT_EQ(a.load(), 2000 * 28);
  EXPECT_EQ(b.load(), 2000 * 28);
}

TEST_F(ParallelTasks, AThrowingTaskReachesTheCallerAndThePoolStaysUsable) {
  for (int round = 0; round < 20; ++round) {
    EXPECT_THAT(testing::error_of([] {
                  parallel_tasks(8, [](int64_t i) {
                    if (i == 5) throw Error("task 5 failed");
                  });
                }),
                ::testing::HasSubstr("task 5 failed"));
    std::atomic<int> sum{0};
    parallel_tasks(8, [&](int64_t i) { sum += int(i); });
    EXPECT_EQ(sum.load(), 28);
    // Nested calls after an exception still run serially on the caller's thread.
    std::vector<int64_t> order;
    parallel_tasks(2, [&](int64_t outer) {
      if (outer == 0) parallel_tasks(3, [&](int64_t i) { order.push_back(i); });
    });
    EXPECT_EQ(order, (std::vector<int64_t>{0, 1, 2}));
  }
}

TEST_F(ParallelTasks, RejectsANegativeCount) {
  EXPECT_THAT(testing::error_of([] { parallel_tasks(-1, [](int64_t) {}); }),
              ::testing::HasSubstr("parallel_tasks: expected 0 <= n"));
}

}  // namespace
}  // namespace occam::kernels
