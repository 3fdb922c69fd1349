#include "occam/tensor/parallel.h"

#include <immintrin.h>
#include <linux/futex.h>
#include <omp.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "occam/error.h"
#include "occam/tensor/threads.h"

namespace occam::kernels {
namespace {

using Task = std::function<void(int64_t)>;
using Clock = std::chrono::steady_clock;

thread_local bool t_in_task = false;  // this thread is running pool tasks: nested calls are serial

void futex_wait(std::atomic<uint32_t>& word, uint32_t expected) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, nullptr,
          nullptr, 0);
}
void futex_wake_all(std::atomic<uint32_t>& word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
          nullptr, 0);
}

// Marks this thread as running pool tasks for a scope (nested calls then run serially).
class InTask {
 public:
  InTask() { t_in_task = true; }
  ~InTask() { t_in_task = false; }
  InTask(const InTask&) = delete;
  InTask& operator=(const InTask&) = delete;
};

// Sets OpenMP's thread count for this thread for a scope (oneDNN reads it on every call).
class OmpThreads {
 public:
  explicit OmpThreads(int n) : saved_(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~OmpThreads() { omp_set_num_threads(saved_); }
  OmpThreads(const OmpThreads&) = delete;
  OmpThreads& operator=(const OmpThreads&) = delete;

 private:
  int saved_;
};

// One job at a time. `claim_` packs the job's sequence number (high 32 bits) and the index of the
// next unclaimed task (low 32 bits); a task is taken by a compare-exchange that also checks the
// sequence number, so a worker that read a stale job description can never run one of its tasks:
//  - a new job first closes the claim word ((seq, kClosed)), then writes its description
//    (release), then opens the claim word ((seq, 0));
//  - a worker reads the claim word, then the description (acquire), then compare-exchanges the
//    claim word it read. If the description it read is a newer job's, the closing store
//    happened before it, so the compare-exchange fails.
class Pool {
 public:
  static Pool& instance() {
    static Pool pool;
    return pool;
  }

  ~Pool() { stop_workers(); }

  int workers() const { return int(threads_.size()); }

  // Returns false (and runs nothing) when another thread is using the pool.
  bool run(int64_t n, const Task& task) {
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) return false;
    const int want = num_threads() - 1;
    if (want != workers()) {
      stop_workers();
      start_workers(want);
    }
    const uint64_t seq = uint64_t(++seq_) << 32;
    claim_.store(seq | kClosed, std::memory_order_seq_cst);
    task_.store(&task, std::memory_order_release);
    n_.store(n, std::memory_order_release);
    done_.store(0, std::memory_order_relaxed);
    claim_.store(seq, std::memory_order_seq_cst);
    wake_.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) futex_wake_all(wake_);

    {
      const OmpThreads one(1);
      const InTask in_task;
      drain();
    }
    // Wait for the tasks the workers hold. A worker the system has descheduled may hold one for
    // a while: after a short spin, give the core away while waiting.
    const auto start = Clock::now();
    for (int spins = 0; done_.load(std::memory_order_acquire) < n; ++spins) {
      if (spins < 4096 || Clock::now() - start < std::chrono::microseconds(20))
        _mm_pause();
      else
        sched_yield();
    }
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
    return true;
  }

 private:
  static constexpr uint64_t kClosed = 0xffffffffull;
  static constexpr uint64_t kIndexMask = 0xffffffffull;

  Pool() = default;

  // Claims and runs tasks until none is left; returns the claim word at which it found none.
  uint64_t drain() {
    for (;;) {
      uint64_t c = claim_.load(std::memory_order_acquire);
      const Task* task = task_.load(std::memory_order_acquire);
      const int64_t n = n_.load(std::memory_order_acquire);
      const uint64_t i = c & kIndexMask;
      if (i >= uint64_t(n)) return c;
      if (claim_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
        try {
          (*task)(int64_t(i));
        } catch (...) {  // kept for the caller; the other tasks still run and are counted
          const std::lock_guard lock(error_mutex_);
          if (!error_) error_ = std::current_exception();
        }
        done_.fetch_add(1, std::memory_order_release);
      }
    }
  }

  // Returns when the claim word differs from `seen` (a new job) or the pool is stopping: spins
  // with pause, then with sched_yield, for kSpinMicros in all, then sleeps on the futex.
  void wait_for_change(uint64_t seen) {
    const auto start = Clock::now();
    const auto spin_for = std::chrono::microseconds(kSpinMicros);
    for (int k = 0;; ++k) {
      if (claim_.load(std::memory_order_acquire) != seen || stop_.load(std::memory_order_acquire))
        return;
      if (k < 256) {
        _mm_pause();
        continue;
      }
      if ((k & 15) == 0 && Clock::now() - start > spin_for) break;
      if (k < 2048)
        _mm_pause();
      else
        sched_yield();
    }
    for (;;) {
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      const uint32_t w = wake_.load(std::memory_order_seq_cst);
      if (claim_.load(std::memory_order_seq_cst) != seen || stop_.load(std::memory_order_seq_cst)) {
        sleepers_.fetch_sub(1, std::memory_order_seq_cst);
        return;
      }
      futex_wait(wake_, w);
      sleepers_.fetch_sub(1, std::memory_order_seq_cst);
    }
  }

  void worker() {
    omp_set_num_threads(1);
    t_in_task = true;
    uint64_t seen = claim_.load(std::memory_order_acquire);
    for (;;) {
      wait_for_change(seen);
      if (stop_.load(std::memory_order_acquire)) return;
      seen = drain();
    }
  }

  void start_workers(int n) {
    stop_.store(false);
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { worker(); });
  }

  void stop_workers() {
    if (threads_.empty()) return;
    stop_.store(true, std::memory_order_seq_cst);
    wake_.fetch_add(1, std::memory_order_seq_cst);
    futex_wake_all(wake_);
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

  std::mutex mutex_;  // one job at a time; held by the thread that runs it
  std::vector<std::thread> threads_;
  uint32_t seq_ = 0;
  std::atomic<uint64_t> claim_{kClosed};
  std::atomic<const Task*> task_{nullptr};
  std::atomic<int64_t> n_{0};
  std::atomic<int64_t> done_{0};
  std::atomic<uint32_t> wake_{0};  // futex word: bumped for every job
  std::atomic<int> sleepers_{0};   // workers in (or about to enter) futex_wait
  std::atomic<bool> stop_{false};
  std::mutex error_mutex_;
  std::exception_ptr error_;  // the first exception a task of the current job threw
};

// On the calling thread, in order, with OpenMP limited to one thread as in the pool (so a task
// computes the same way whichever path ran it).
void run_serial(int64_t n, const Task& task) {
  const OmpThreads one(1);
  for (int64_t i = 0; i < n; ++i) task(i);
}

}  // namespace

void parallel_tasks(int64_t n, const Task& task) {
  OCCAM_CHECK(n >= 0 && n < int64_t(INT32_MAX), "parallel_tasks: expected 0 <= n < 2^31, got ", n);
  if (n <= 1 || t_in_task || omp_in_parallel() || num_threads() <= 1) return run_serial(n, task);
  if (!Pool::instance().run(n, task)) run_serial(n, task);
}

int pool_workers() { return Pool::instance().workers(); }

}  // namespace occam::kernels
