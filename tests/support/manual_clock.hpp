#pragma once

#include <atomic>

#include "pool/clock.hpp"

namespace hload::test {

// ManualClock is a clock that moves only when the test says so, which makes idle timeouts and
// measured waits exact.
class ManualClock final : public pool::Clock {
 public:
  pool::TimePoint now() const noexcept override {
    return pool::TimePoint(pool::Duration(ticks_.load()));
  }
  void advance(pool::Duration d) noexcept { ticks_ += d.count(); }

 private:
  std::atomic<pool::Duration::rep> ticks_{pool::Duration(std::chrono::hours(1)).count()};
};

}  // namespace hload::test
