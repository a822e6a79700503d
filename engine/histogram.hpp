#pragma once

// Histogram records durations in bounded memory: log-spaced buckets from 1 us to 1000 s, each
// under 1.5% wide, so that a percentile read from it is within 1% of the true value. Histograms
// share one bucket layout, so they merge exactly, across threads and across machines (the JSON
// report ships the buckets). The bucket arithmetic is Boost.Histogram's log axis, kept inside
// histogram.cpp so that no other unit pays for its headers.

#include <chrono>
#include <cstdint>
#include <vector>

#include "pool/clock.hpp"

namespace hload::engine {

using pool::Duration;

class Histogram {
 public:
  // The buckets every histogram shares; changing them breaks merging with older reports.
  static constexpr double kMinMs = 0.001;
  static constexpr double kMaxMs = 1'000'000.0;
  static constexpr int kBuckets = 1400;
  // Bucket indexes: 0 is the underflow bucket [0, kMinMs), 1..kBuckets the log buckets,
  // kBuckets + 1 the overflow bucket [kMaxMs, infinity).
  static constexpr int kSlots = kBuckets + 2;

  Histogram();

  void record(Duration d) noexcept {
    record_ms(std::chrono::duration<double, std::milli>(d).count());
  }
  void record_ms(double ms) noexcept;
  void merge(const Histogram& other);

  std::uint64_t count() const noexcept { return count_; }
  double sum_ms() const noexcept { return sum_ms_; }
  double min_ms() const noexcept { return count_ ? min_ms_ : 0.0; }
  double max_ms() const noexcept { return count_ ? max_ms_ : 0.0; }
  double mean_ms() const noexcept { return count_ ? sum_ms_ / static_cast<double>(count_) : 0.0; }
  // percentile_ms(q), q in [0, 1]: the geometric middle of the bucket that holds rank q,
  // clamped to the exact min and max.
  double percentile_ms(double q) const;

  // Bucket is one non-empty bucket: values in [lower_ms, upper_ms). The underflow bucket has
  // lower_ms 0, the overflow bucket upper_ms infinity.
  struct Bucket {
    int index;
    double lower_ms;
    double upper_ms;
    std::uint64_t count;
  };
  std::vector<Bucket> buckets() const;

  // restored rebuilds a histogram from what buckets(), sum_ms(), min_ms() and max_ms() gave
  // (a report read back): the same counts in the same buckets, so that it merges and reads
  // exactly like the original. Throws std::invalid_argument on an index outside 0..kSlots-1.
  static Histogram restored(const std::vector<Bucket>& buckets, double sum_ms, double min_ms,
                            double max_ms);

  // lower_edge_ms is where bucket `index` starts (0 for the underflow bucket).
  static double lower_edge_ms(int index) noexcept;
  // index_of is the bucket a value of ms falls in.
  static int index_of(double ms) noexcept;

 private:
  std::vector<std::uint64_t> counts_;  // kSlots entries, by bucket index
  std::uint64_t count_ = 0;
  double sum_ms_ = 0;
  double min_ms_ = 0;
  double max_ms_ = 0;
};

}  // namespace hload::engine
