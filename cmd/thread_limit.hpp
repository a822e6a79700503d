#pragma once

// The bound on -threads, shared by runs and `hload serve`.

#include <algorithm>
#include <thread>

namespace hload::cli {

// max_threads is the most -threads accepted: four per CPU. More threads than that only add
// contention, and a larger number is far more likely a typo than a plan.
inline int max_threads() {
  return 4 * static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

}  // namespace hload::cli
