#include "occam/tensor/storage.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>

namespace occam {

namespace {

// Free blocks by capacity in bytes. Best fit: the smallest block that holds the request,
// if it is at most 1.5× the request (a bigger block stays for the tensors it was made for).
class Cache {
 public:
  void* take(size_t bytes, size_t& capacity) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.lower_bound(bytes);
    if (it != free_.end() && it->first <= bytes + bytes / 2) {
      capacity = it->first;
      void* p = it->second;
      free_.erase(it);
      stats_.cached_bytes -= capacity;
      --stats_.cached_blocks;
      ++stats_.reused;
      return p;
    }
    ++stats_.allocated;
    return nullptr;
  }
  // False when the cache is full: the caller frees the block.
  bool give(void* p, size_t capacity) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stats_.cached_bytes + capacity > kMaxCachedBytes) return false;
    free_.emplace(capacity, p);
    stats_.cached_bytes += capacity;
    ++stats_.cached_blocks;
    return true;
  }
  void release() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [capacity, p] : free_) std::free(p);
    free_.clear();
    stats_.cached_bytes = 0;
    stats_.cached_blocks = 0;
  }
  StorageStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

 private:
  std::mutex mutex_;
  std::multimap<size_t, void*> free_;
  StorageStats stats_;
};

// Never destroyed: tensors in static storage may be freed after main returns.
Cache& cache() {
  static Cache* c = new Cache;
  return *c;
}

}  // namespace

std::shared_ptr<float[]> allocate_storage(int64_t n) {
  const size_t bytes =
      std::max<size_t>(64, (static_cast<size_t>(n) * sizeof(float) + 63) / 64 * 64);
  if (bytes < kMinCachedBytes) {
    void* p = std::aligned_alloc(64, bytes);
    if (!p) throw std::bad_alloc();
    return std::shared_ptr<float[]>(static_cast<float*>(p), [](float* q) { std::free(q); });
  }
  size_t capacity = bytes;
  void* p = cache().take(bytes, capacity);
  if (!p) p = std::aligned_alloc(64, bytes);
  if (!p) {  // malloc failed: give the cache's memory back and try once more
    release_cached_storage();
    p = std::aligned_alloc(64, bytes);
    if (!p) throw std::bad_alloc();
  }
  return std::shared_ptr<float[]>(static_cast<float*>(p), [capacity](float* q) {
    if (!cache().give(q, capacity)) std::free(q);
  });
}

StorageStats storage_stats() { return cache().stats(); }
void release_cached_storage() { cache().release(); }

}  // namespace occam
