#include "engine/sparse_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace hload::engine {

SparseHistogram::SparseHistogram(const Histogram& h)
    : count_(h.count()), min_ms_(h.min_ms()), max_ms_(h.max_ms()) {
  const auto buckets = h.buckets();
  packed_.reserve(buckets.size());
  for (const auto& b : buckets) packed_.push_back(pack(b.index, b.count));
}

void SparseHistogram::merge(const SparseHistogram& o) {
  if (o.count_ == 0) return;
  // Both lists are sorted by index: one pass merges them, adding the counts of shared buckets.
  std::vector<std::uint64_t> out;
  out.reserve(packed_.size() + o.packed_.size());
  auto a = packed_.begin();
  auto b = o.packed_.begin();
  while (a != packed_.end() || b != o.packed_.end()) {
    if (b == o.packed_.end() || (a != packed_.end() && index_of(*a) < index_of(*b))) {
      out.push_back(*a++);
    } else if (a == packed_.end() || index_of(*b) < index_of(*a)) {
      out.push_back(*b++);
    } else {
      out.push_back(pack(index_of(*a), (*a & kCountMask) + (*b & kCountMask)));
      ++a;
      ++b;
    }
  }
  packed_ = std::move(out);
  if (count_ == 0) {
    min_ms_ = o.min_ms_;
    max_ms_ = o.max_ms_;
  } else {
    min_ms_ = std::min(min_ms_, o.min_ms_);
    max_ms_ = std::max(max_ms_, o.max_ms_);
  }
  count_ += o.count_;
}

double SparseHistogram::percentile_ms(double q) const {
  if (count_ == 0) return 0.0;
  const double rank = std::clamp(q, 0.0, 1.0) * static_cast<double>(count_);
  double seen = 0;
  for (const std::uint64_t word : packed_) {
    seen += static_cast<double>(word & kCountMask);
    if (seen < rank) continue;
    const int i = index_of(word);
    double mid;
    if (i == 0) {
      mid = min_ms_;  // underflow bucket
    } else if (i == Histogram::kSlots - 1) {
      mid = max_ms_;  // overflow bucket
    } else {
      mid = std::sqrt(Histogram::lower_edge_ms(i) * Histogram::lower_edge_ms(i + 1));
    }
    return std::clamp(mid, min_ms_, max_ms_);
  }
  return max_ms_;
}

std::vector<SparseHistogram::Bucket> SparseHistogram::buckets() const {
  std::vector<Bucket> out;
  out.reserve(packed_.size());
  for (const std::uint64_t word : packed_) out.push_back({index_of(word), word & kCountMask});
  return out;
}

}  // namespace hload::engine
