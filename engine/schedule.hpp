#pragma once

// Schedule hands out the requests of a run to the virtual users: a fixed count (-n), a
// duration (-z), and in rate mode (-rate) the moment each request is due, independent of how
// fast responses come back (the open model of wrk2 and vegeta).

#include <atomic>
#include <cstdint>
#include <optional>

#include "engine/run_config.hpp"
#include "pool/clock.hpp"

namespace hload::engine {

using pool::TimePoint;

class Schedule {
 public:
  Schedule(const RunConfig& cfg, TimePoint start);

  // next claims the next request and returns when it is due (`now` in the closed model), or
  // nothing once the run has no more requests to send. Safe from any thread.
  std::optional<TimePoint> next(TimePoint now) noexcept;

  // stop ends the run early (Ctrl-C): next returns nothing from now on.
  void stop() noexcept { stopped_.store(true, std::memory_order_relaxed); }
  bool stopped() const noexcept { return stopped_.load(std::memory_order_relaxed); }
  bool open_model() const noexcept { return interval_.count() > 0; }

  // dropped counts, in rate mode, the requests due before `end` (or the end of -z, whichever
  // is earlier) that no virtual user claimed: every one was busy. Zero in the closed model.
  std::uint64_t dropped(TimePoint end) const noexcept;

 private:
  const TimePoint start_;
  const std::optional<std::uint64_t> limit_;
  const std::optional<TimePoint> end_;
  const Duration interval_;  // between due times in rate mode; zero otherwise
  std::atomic<std::uint64_t> issued_{0};
  std::atomic<bool> stopped_{false};
};

}  // namespace hload::engine
