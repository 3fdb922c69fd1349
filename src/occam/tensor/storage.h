// Memory for tensor data: 64-byte aligned blocks of whole cache lines.
// Freed blocks of kMinCachedBytes or more are kept in a cache and handed out again for a later
// request of the same size or up to a third smaller. A training step allocates the same sizes
// every step, so after the first step it neither calls malloc nor faults a page in. (glibc
// returns big freed blocks to the OS and every step faulted them in again, 5-11 µs per 4 KiB page
// on the benchmark machine: ../shared/bench/ANCHORS.md §6.) The cache holds at most
// kMaxCachedBytes; a block freed beyond that goes back to malloc. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace occam {

inline constexpr size_t kMinCachedBytes = 16 * 1024;
inline constexpr size_t kMaxCachedBytes = size_t(1) << 30;

// Uninitialized storage for n floats (n >= 0; at least one cache line, so data() is never null).
std::shared_ptr<float[]> allocate_storage(int64_t n);

struct StorageStats {
  size_t cached_bytes = 0;  // held by the cache, free for reuse
  size_t cached_blocks = 0;
  int64_t reused = 0;     // requests served from the cache
  int64_t allocated = 0;  // requests of kMinCachedBytes or more that went to malloc
};
StorageStats storage_stats();
// Gives every cached block back to malloc.
void release_cached_storage();

}  // namespace occam
