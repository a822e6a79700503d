#pragma once

// SparseHistogram is a Histogram kept as its non-empty buckets only, for the timeline, where a
// run holds up to a thousand intervals with several histograms each: a dense Histogram costs
// 11 KiB whatever it holds, a sparse one 8 bytes per bucket that was hit (an interval's
// latencies typically fall in a few dozen). It has the same buckets as Histogram, so the two
// agree on every percentile, and it merges exactly.

#include <cstdint>
#include <vector>

#include "engine/histogram.hpp"

namespace hload::engine {

class SparseHistogram {
 public:
  SparseHistogram() = default;
  // The non-empty buckets of h, with its count, min and max.
  explicit SparseHistogram(const Histogram& h);

  // merge adds o's buckets to these.
  void merge(const SparseHistogram& o);

  std::uint64_t count() const noexcept { return count_; }
  double min_ms() const noexcept { return count_ ? min_ms_ : 0.0; }
  double max_ms() const noexcept { return count_ ? max_ms_ : 0.0; }
  // percentile_ms is Histogram::percentile_ms over the same buckets.
  double percentile_ms(double q) const;

  // Bucket is one non-empty bucket, by Histogram's bucket index.
  struct Bucket {
    int index;
    std::uint64_t count;
  };
  // buckets lists the non-empty buckets in index order.
  std::vector<Bucket> buckets() const;
  // bucket_count is how many buckets are not empty.
  std::size_t bucket_count() const noexcept { return packed_.size(); }

 private:
  // Each bucket packed in one word, sorted by index: the index in the top 16 bits (Histogram
  // has 1402), the count in the low 48 (2.8e14, more requests than a run can make).
  static constexpr int kCountBits = 48;
  static constexpr std::uint64_t kCountMask = (std::uint64_t{1} << kCountBits) - 1;
  static std::uint64_t pack(int index, std::uint64_t count) noexcept {
    return (static_cast<std::uint64_t>(index) << kCountBits) | count;
  }
  static int index_of(std::uint64_t word) noexcept { return static_cast<int>(word >> kCountBits); }

  std::vector<std::uint64_t> packed_;
  std::uint64_t count_ = 0;
  double min_ms_ = 0;
  double max_ms_ = 0;
};

}  // namespace hload::engine
