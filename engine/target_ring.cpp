#include "engine/target_ring.hpp"

#include <utility>

namespace hload::engine {

TargetRing::TargetRing(std::vector<HopTarget> targets, TargetOrder order)
    : targets_(std::move(targets)), order_(order) {}

const HopTarget& TargetRing::next(std::minstd_rand& rng) noexcept {
  if (targets_.size() == 1) return targets_.front();
  if (order_ == TargetOrder::random) {
    return targets_[std::uniform_int_distribution<std::size_t>(0, targets_.size() - 1)(rng)];
  }
  // One counter for the whole run, so the turns are even over users and threads alike.
  return targets_[turn_.fetch_add(1, std::memory_order_relaxed) % targets_.size()];
}

}  // namespace hload::engine
