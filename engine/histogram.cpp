#include "engine/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#pragma GCC diagnostic push  // see histogram.hpp
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/histogram/make_histogram.hpp>
#pragma GCC diagnostic pop

namespace hload::engine {

namespace bh = boost::histogram;

Histogram::Histogram() : h_(bh::make_histogram_with(Storage(), Axis(kBuckets, kMinMs, kMaxMs))) {}

void Histogram::record_ms(double ms) noexcept {
  h_(ms);
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
  h_ += other.h_;
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
  for (auto&& x : bh::indexed(h_, bh::coverage::all)) {
    seen += static_cast<double>(*x);
    if (*x == 0 || seen < rank) continue;
    const double lo = x.bin().lower();
    const double hi = x.bin().upper();
    double mid;
    if (!std::isfinite(lo) || lo <= 0) {
      mid = min_ms_;  // underflow bucket
    } else if (!std::isfinite(hi)) {
      mid = max_ms_;  // overflow bucket
    } else {
      mid = std::sqrt(lo * hi);
    }
    return std::clamp(mid, min_ms_, max_ms_);
  }
  return max_ms_;
}

std::vector<Histogram::Bucket> Histogram::buckets() const {
  std::vector<Bucket> out;
  for (auto&& x : bh::indexed(h_, bh::coverage::all)) {
    if (*x == 0) continue;
    double lo = x.bin().lower();
    double hi = x.bin().upper();
    if (!std::isfinite(lo) || lo < 0) lo = 0;
    if (!std::isfinite(hi)) hi = std::numeric_limits<double>::infinity();
    out.push_back({lo, hi, *x});
  }
  return out;
}

}  // namespace hload::engine
