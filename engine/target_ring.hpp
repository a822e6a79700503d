#pragma once

// TargetRing holds a run's targets and gives each new request the next one: in turn over all
// the virtual users of every thread (-targets-order round-robin), or at random.

#include <atomic>
#include <cstdint>
#include <random>
#include <vector>

#include "engine/run_config.hpp"
#include "engine/virtual_user.hpp"

namespace hload::engine {

class TargetRing {
 public:
  // TargetRing takes targets (at least one); their addresses stay fixed for its life.
  TargetRing(std::vector<HopTarget> targets, TargetOrder order);
  TargetRing(const TargetRing&) = delete;
  TargetRing& operator=(const TargetRing&) = delete;

  // next returns the target of the next request; rng, the caller's own, serves the random
  // order. Safe from any thread.
  const HopTarget& next(std::minstd_rand& rng) noexcept;

 private:
  std::vector<HopTarget> targets_;
  TargetOrder order_;
  std::atomic<std::uint64_t> turn_{0};
};

}  // namespace hload::engine
