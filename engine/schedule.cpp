#include "engine/schedule.hpp"

#include <algorithm>

namespace hload::engine {

namespace {

Duration interval_of(double rate) {
  if (rate <= 0) return Duration::zero();
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(1.0 / rate));
}

}  // namespace

Schedule::Schedule(const RunConfig& cfg, TimePoint start)
    : start_(start),
      limit_(cfg.request_limit()),
      end_(cfg.duration ? std::optional<TimePoint>(start + *cfg.duration) : std::nullopt),
      interval_(interval_of(cfg.rate)) {}

std::optional<TimePoint> Schedule::next(TimePoint now) noexcept {
  if (stopped()) return std::nullopt;
  const std::uint64_t i = issued_.fetch_add(1, std::memory_order_relaxed);
  if (limit_ && i >= *limit_) return std::nullopt;
  if (interval_.count() > 0) {
    const TimePoint due = start_ + interval_ * static_cast<Duration::rep>(i);
    if (end_ && due >= *end_) return std::nullopt;
    return due;
  }
  if (end_ && now >= *end_) return std::nullopt;
  return now;
}

std::uint64_t Schedule::dropped(TimePoint end) const noexcept {
  if (interval_.count() <= 0) return 0;
  const TimePoint last = end_ ? std::min(end, *end_) : end;
  if (last <= start_) return 0;
  // Slot i is due at start + i * interval; those due before `last` should have been sent.
  const auto span = (last - start_).count();
  auto due = static_cast<std::uint64_t>((span + interval_.count() - 1) / interval_.count());
  if (limit_) due = std::min(due, *limit_);
  const std::uint64_t claimed = std::min(issued_.load(std::memory_order_relaxed), due);
  return due - claimed;
}

}  // namespace hload::engine
