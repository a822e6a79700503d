#include "engine/timeline.hpp"

#include <algorithm>
#include <utility>

namespace hload::engine {

void HostInterval::merge(const HostInterval& o, bool o_is_later) {
  if (o_is_later) {
    open = o.open;
    waiters = o.waiters;
    permit_waiters = o.permit_waiters;
  }
  dials += o.dials;
  for (std::size_t i = 0; i < closes.size(); ++i) closes[i] += o.closes[i];
  wait_idle.merge(o.wait_idle);
  wait_permit.merge(o.wait_permit);
  queued_at_limit.merge(o.queued_at_limit);
}

void TimelineInterval::merge(const TimelineInterval& o, bool o_is_later) {
  requests += o.requests;
  ok += o.ok;
  http_errors += o.http_errors;
  for (std::size_t i = 0; i < errors.size(); ++i) errors[i] += o.errors[i];
  bytes_in += o.bytes_in;
  latency.merge(o.latency);
  if (hosts.size() < o.hosts.size()) hosts.resize(o.hosts.size());
  for (std::size_t i = 0; i < o.hosts.size(); ++i) hosts[i].merge(o.hosts[i], o_is_later);
}

Timeline::Timeline(pool::Duration width, std::int64_t start_unix_ms, std::size_t max_intervals)
    : base_width_(width),
      start_unix_ms_(start_unix_ms),
      max_intervals_(std::max<std::size_t>(2, max_intervals)) {}

void Timeline::append(TimelineInterval interval) {
  // The k-th base interval belongs to kept interval k >> level_: the last one, still filling,
  // or a new one after it.
  const std::uint64_t k = appended_++;
  const std::uint64_t slot = k >> level_;
  if (slot < intervals_.size()) {
    intervals_.back().merge(interval, true);
    return;
  }
  if (intervals_.size() == max_intervals_) {
    merge_pairs();
    if ((k >> level_) < intervals_.size()) {
      intervals_.back().merge(interval, true);
      return;
    }
  }
  intervals_.push_back(std::move(interval));
}

void Timeline::extend_last(TimelineInterval interval) {
  if (intervals_.empty()) return append(std::move(interval));
  intervals_.back().merge(interval, true);
}

void Timeline::merge_pairs() {
  std::vector<TimelineInterval> merged;
  merged.reserve(max_intervals_ / 2 + 1);
  for (std::size_t i = 0; i < intervals_.size(); i += 2) {
    merged.push_back(std::move(intervals_[i]));
    if (i + 1 < intervals_.size()) merged.back().merge(intervals_[i + 1], true);
  }
  intervals_ = std::move(merged);
  ++level_;
}

}  // namespace hload::engine
