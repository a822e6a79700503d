#include "engine/timeline_accumulator.hpp"

#include <algorithm>
#include <utility>

namespace hload::engine {

TimelineAccumulator::TimelineAccumulator(pool::TimePoint start, pool::Duration width)
    : start_(start), width_(width), index_end_(start + width) {}

void TimelineAccumulator::at(pool::TimePoint t) {
  if (t < index_end_) return;  // the interval under way: the hot path is this one comparison
  const auto k = static_cast<std::uint64_t>(std::max(t - start_, pool::Duration::zero()) / width_);
  close_current();
  index_ = std::max(k, first_open_);
  index_end_ = start_ + width_ * static_cast<std::int64_t>(index_ + 1);
}

TimelineAccumulator::Host& TimelineAccumulator::host(int index) {
  const auto i = static_cast<std::size_t>(index);
  if (i >= hosts_.size()) hosts_.resize(i + 1);
  hosts_[i].used = true;
  return hosts_[i];
}

void TimelineAccumulator::record_request(pool::TimePoint end, bool ok,
                                         std::optional<ErrorKind> error, pool::Duration latency,
                                         std::uint64_t bytes_in) {
  at(end);
  empty_ = false;
  ++counts_.requests;
  if (ok) ++counts_.ok;
  if (error) {
    ++counts_.errors[static_cast<std::size_t>(*error)];
  } else if (!ok) {
    ++counts_.http_errors;
  }
  counts_.bytes_in += bytes_in;
  latency_.record(latency);
}

void TimelineAccumulator::record_got_conn(pool::TimePoint at_time, int h,
                                          const pool::GotConnInfo& c) {
  const bool waited_idle = c.outcome == pool::AcquireOutcome::handoff;
  const bool waited_permit = c.outcome == pool::AcquireOutcome::dial && c.queued_at_limit;
  if (!waited_idle && !waited_permit) return;
  at(at_time);
  empty_ = false;
  if (waited_idle) host(h).wait_idle.record(c.wait);
  if (waited_permit) host(h).wait_permit.record(c.permit_wait);
}

void TimelineAccumulator::record_queued_at_limit(pool::TimePoint at_time, int h, pool::Duration d) {
  at(at_time);
  empty_ = false;
  host(h).queued_at_limit.record(d);
}

void TimelineAccumulator::close_current() {
  if (empty_) return;
  IntervalPart part{index_, std::exchange(counts_, TimelineInterval{})};
  part.data.latency = SparseHistogram(latency_);
  latency_ = Histogram();
  part.data.hosts.resize(hosts_.size());
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    Host& h = hosts_[i];
    if (!h.used) continue;
    part.data.hosts[i].wait_idle = SparseHistogram(h.wait_idle);
    part.data.hosts[i].wait_permit = SparseHistogram(h.wait_permit);
    part.data.hosts[i].queued_at_limit = SparseHistogram(h.queued_at_limit);
    h = Host();
  }
  done_.push_back(std::move(part));
  empty_ = true;
}

std::vector<IntervalPart> TimelineAccumulator::take_through(std::uint64_t last) {
  if (index_ <= last) {
    close_current();
    // The next record starts a new interval, after `last` whatever its time.
    index_end_ = start_;
  }
  first_open_ = std::max(first_open_, last + 1);
  std::vector<IntervalPart> out;
  std::vector<IntervalPart> keep;
  for (auto& p : done_) (p.index <= last ? out : keep).push_back(std::move(p));
  done_ = std::move(keep);
  return out;
}

std::vector<IntervalPart> TimelineAccumulator::take_all() {
  close_current();
  return std::exchange(done_, {});
}

}  // namespace hload::engine
