// Source: where samples come from — an in-memory tensor (DatasetSource, data/dataset.h) or files
// decoded on demand — and Batch, what a step consumes: inputs and the targets a task reads.
//
// A source has a fixed sample shape and fills a batch for any list of sample indices; it holds
// no cursor, so one source serves every batcher, every rank and every evaluation at once
// (fill() is const and must be safe to call from several threads on different batches).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "occam/tensor/tensor.h"

namespace occam::data {

// The objects of one image, for detection tasks: boxes [ymin, xmin, ymax, xmax] normalized to
// [0, 1] by the image size (the OD API's convention), a class index per box in
// [0, num_classes), and the flags evaluation reads. Any number of objects, zero included.
struct Objects {
  std::vector<std::array<float, 4>> boxes;
  std::vector<int64_t> classes;
  std::vector<uint8_t> crowd;      // COCO iscrowd: matched but never counted as a miss
  std::vector<uint8_t> difficult;  // VOC difficult: ignored by VOC evaluation
  size_t size() const { return classes.size(); }
};

// One batch, copied contiguously: inputs [B, ...sample shape] and the targets of its samples.
// A source fills the payload its task reads: `labels` (classification: one class per sample) or
// `objects` (detection: per image, variable in number); the other stays empty.
// Batcher::next() refills it in place: a Tensor copied from `inputs` shares its storage and
// sees the next batch's values (clone() what must outlive the step).
struct Batch {
  Tensor inputs;                 // [B, ...sample shape]
  std::vector<int64_t> indices;  // [B] positions in the source
  std::vector<int64_t> labels;   // [B], classification targets
  std::vector<Objects> objects;  // [B], detection targets
  int64_t size() const { return static_cast<int64_t>(indices.size()); }

  // The buffer of the other batch size (full or last), kept so that epochs whose last batch
  // is partial allocate nothing after the first one.
  Tensor spare_inputs;

  // Shapes `inputs` as [b, ...sample] reusing one of the two buffers when it fits.
  void shape_inputs(int64_t b, const Shape& sample);
};

class Source {
 public:
  virtual ~Source() = default;
  virtual int64_t size() const = 0;
  virtual Shape sample_shape() const = 0;  // without the batch dimension
  virtual int64_t num_classes() const = 0;
  virtual std::vector<std::string> class_names() const { return {}; }
  // Sets batch.indices to `indices`, shapes batch.inputs as [indices.size(), ...sample shape]
  // (batch.shape_inputs) and fills it and the targets. Throws DataError naming the file (and
  // sample) it cannot read.
  virtual void fill(std::span<const int64_t> indices, Batch& batch) const = 0;
};

// Samples [start, start + n) of `source` in order, as one batch (evaluation's sequential pass).
void fill_range(const Source& source, int64_t start, int64_t n, Batch& batch);

}  // namespace occam::data
