#pragma once

// Histogram records durations in bounded memory: Boost.Histogram with log-spaced buckets from
// 1 us to 1000 s, each under 1.5% wide, so a percentile read from it is within 1% of the true
// value. Histograms with the same buckets merge exactly, across threads and across machines
// (architecture §6).

#include <cstdint>
#include <vector>

// GCC 12 at -O1 (the sanitizer builds) reports Boost.Histogram's index arrays as used
// uninitialized: a false positive of its middle end, which ignores system-header status for
// inlined code. Silenced for these headers only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/histogram/axis/regular.hpp>
#include <boost/histogram/histogram.hpp>
#include <boost/histogram/indexed.hpp>
#include <boost/histogram/storage_adaptor.hpp>
#pragma GCC diagnostic pop

#include "pool/clock.hpp"

namespace hload::engine {

using pool::Duration;

class Histogram {
 public:
  // The buckets every histogram shares; changing them breaks merging with older reports.
  static constexpr double kMinMs = 0.001;
  static constexpr double kMaxMs = 1'000'000.0;
  static constexpr unsigned kBuckets = 1400;

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

  // Bucket is one non-empty bucket: values in [lower_ms, upper_ms). Values below kMinMs fall
  // in a bucket with lower_ms 0, values of kMaxMs and more in one with upper_ms infinity.
  struct Bucket {
    double lower_ms;
    double upper_ms;
    std::uint64_t count;
  };
  std::vector<Bucket> buckets() const;

 private:
  using Axis = boost::histogram::axis::regular<double, boost::histogram::axis::transform::log>;
  using Storage = boost::histogram::dense_storage<std::uint64_t>;
  boost::histogram::histogram<std::tuple<Axis>, Storage> h_;
  std::uint64_t count_ = 0;
  double sum_ms_ = 0;
  double min_ms_ = 0;
  double max_ms_ = 0;
};

}  // namespace hload::engine
