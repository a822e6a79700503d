#pragma once

#include <chrono>

namespace hload::pool {

using Duration = std::chrono::steady_clock::duration;
using TimePoint = std::chrono::steady_clock::time_point;

// Clock is where the pool reads time: idle ages, wait times, dial times. Tests substitute a
// clock they advance by hand so that idle timeouts and waits are deterministic.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const noexcept = 0;
};

// SteadyClock is the real monotonic clock.
class SteadyClock final : public Clock {
 public:
  TimePoint now() const noexcept override { return std::chrono::steady_clock::now(); }
};

// steady_clock is the one real clock, for code that has no other to be given.
inline const Clock& steady_clock() noexcept {
  static const SteadyClock kClock;
  return kClock;
}

}  // namespace hload::pool
