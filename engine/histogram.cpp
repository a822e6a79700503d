#include "engine/histogram.hpp"

#include <algorithm>
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

const Axis& axis() {
  static const Axis kAxis(Histogram::kBuckets, Histogram::kMinMs, Histogram::kMaxMs);
  return kAxis;
}

}  // namespace

Histogram::Histogram() : counts_(kSlots, 0) {}

int Histogram::index_of(double ms) noexcept {
  // The axis numbers its buckets 0..kBuckets-1, with -1 below and kBuckets from its end on; a
  // value it cannot place (NaN, or not positive for a log axis) is treated as underflow.
  if (!(ms > 0)) return 0;
  return std::clamp(axis().index(ms), -1, kBuckets) + 1;
}

double Histogram::lower_edge_ms(int index) noexcept {
  if (index <= 0) return 0.0;
  return axis().value(index - 1);
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
