#include "engine/histogram.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

// GCC 12 at -O1 (the sanitizer builds) reports Boost.Histogram's index arrays as used
// uninitialized: a false positive of its middle end, which ignores system-header status for
// inlined code. Silenced for this header only, in the one unit that includes it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/histogram/axis/regular.hpp>
#pragma GCC diagnostic pop

namespace hload::engine {

namespace {

using Axis = boost::histogram::axis::regular<double, boost::histogram::axis::transform::log>;

// BucketLayout finds a value's bucket without a logarithm, which cost about 120 instructions a
// record and a request records six durations (docs/performance.md#hot-path). The edges are the
// log axis's, computed once; a value's bucket is the number of edges at or below it. The top
// bits of a positive double (its exponent and the first kMantissaBits bits of its mantissa)
// split the range into slices under 0.8% wide, narrower than a bucket (1.5%), so a slice holds
// at most one edge: a table gives the bucket of a slice's lowest value, and one comparison
// with the next edge finishes the search.
class BucketLayout {
 public:
  BucketLayout() {
    const Axis axis(Histogram::kBuckets, Histogram::kMinMs, Histogram::kMaxMs);
    for (int i = 0; i <= Histogram::kBuckets; ++i)
      edges_[static_cast<std::size_t>(i)] = axis.value(i);
    // The range's ends exactly, where the axis's exp(log(x)) may miss them by a rounding, and
    // a sentinel past the last edge, so that the one comparison never reads past the array.
    edges_.front() = Histogram::kMinMs;
    edges_[Histogram::kBuckets] = Histogram::kMaxMs;
    edges_.back() = std::numeric_limits<double>::infinity();
    first_slice_ = slice_of(edges_.front());
    slices_.resize(slice_of(edges_[Histogram::kBuckets]) - first_slice_ + 1);
    for (std::size_t s = 0; s < slices_.size(); ++s) {
      const auto lowest = std::bit_cast<double>((s + first_slice_) << kSliceShift);
      slices_[s] = static_cast<std::uint16_t>(
          std::upper_bound(edges_.begin(), edges_.end(), lowest) - edges_.begin());
    }
  }

  int index_of(double ms) const noexcept {
    // A value below the first edge, or NaN, is underflow; one from the last edge on, overflow.
    if (!(ms >= edges_.front())) return 0;
    if (ms >= edges_[Histogram::kBuckets]) return Histogram::kBuckets + 1;
    const std::uint16_t below = slices_[slice_of(ms) - first_slice_];
    return below + (ms >= edges_[below] ? 1 : 0);
  }

  double edge(int i) const noexcept { return edges_[static_cast<std::size_t>(i)]; }

 private:
  static constexpr int kMantissaBits = 7;
  static constexpr int kSliceShift = std::numeric_limits<double>::digits - 1 - kMantissaBits;

  static std::uint64_t slice_of(double positive) noexcept {
    return std::bit_cast<std::uint64_t>(positive) >> kSliceShift;
  }

  // edges_[i] is where bucket i + 1 starts; bucket i + 1 holds [edges_[i], edges_[i + 1]).
  std::array<double, Histogram::kBuckets + 2> edges_{};
  std::uint64_t first_slice_ = 0;
  std::vector<std::uint16_t> slices_;  // the number of edges at or below each slice's lowest value
};

const BucketLayout& layout() {
  static const BucketLayout kLayout;
  return kLayout;
}

}  // namespace

Histogram::Histogram() : counts_(kSlots, 0) {}

int Histogram::index_of(double ms) noexcept { return layout().index_of(ms); }

double Histogram::lower_edge_ms(int index) noexcept {
  if (index <= 0) return 0.0;
  return layout().edge(index - 1);
}

void Histogram::record_ms(double ms) noexcept {
  ++counts_[static_cast<std::size_t>(index_of(ms))];
  if (count_ == 0) {
    min_ms_ = max_ms_ = ms;
  } else {
    min_ms_ = std::min(min_ms_, ms);
    max_ms_ = std::max(max_ms_, ms);
  }
  ++count_;
  sum_ms_ += ms;
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  if (count_ == 0) {
    min_ms_ = other.min_ms_;
    max_ms_ = other.max_ms_;
  } else {
    min_ms_ = std::min(min_ms_, other.min_ms_);
    max_ms_ = std::max(max_ms_, other.max_ms_);
  }
  count_ += other.count_;
  sum_ms_ += other.sum_ms_;
}

double Histogram::percentile_ms(double q) const {
  if (count_ == 0) return 0.0;
  const double rank = std::clamp(q, 0.0, 1.0) * static_cast<double>(count_);
  double seen = 0;
  for (int i = 0; i < kSlots; ++i) {
    const std::uint64_t n = counts_[static_cast<std::size_t>(i)];
    seen += static_cast<double>(n);
    if (n == 0 || seen < rank) continue;
    double mid;
    if (i == 0) {
      mid = min_ms_;  // underflow bucket
    } else if (i == kSlots - 1) {
      mid = max_ms_;  // overflow bucket
    } else {
      mid = std::sqrt(lower_edge_ms(i) * lower_edge_ms(i + 1));
    }
    return std::clamp(mid, min_ms_, max_ms_);
  }
  return max_ms_;
}

std::vector<Histogram::Bucket> Histogram::buckets() const {
  std::vector<Bucket> out;
  for (int i = 0; i < kSlots; ++i) {
    const std::uint64_t n = counts_[static_cast<std::size_t>(i)];
    if (n == 0) continue;
    const double hi =
        i == kSlots - 1 ? std::numeric_limits<double>::infinity() : lower_edge_ms(i + 1);
    out.push_back({i, lower_edge_ms(i), hi, n});
  }
  return out;
}

Histogram Histogram::restored(const std::vector<Bucket>& buckets, double sum_ms, double min_ms,
                              double max_ms) {
  Histogram h;
  for (const Bucket& b : buckets) {
    if (b.index < 0 || b.index >= kSlots) {
      throw std::invalid_argument("bucket index " + std::to_string(b.index) + " outside 0.." +
                                  std::to_string(kSlots - 1));
    }
    h.counts_[static_cast<std::size_t>(b.index)] += b.count;
    h.count_ += b.count;
  }
  if (h.count_ > 0) {
    h.sum_ms_ = sum_ms;
    h.min_ms_ = min_ms;
    h.max_ms_ = max_ms;
  }
  return h;
}

}  // namespace hload::engine
