#include "engine/timeline_recorder.hpp"

#include <algorithm>
#include <utility>

#include "pool/bug.hpp"
#include "pool/transport.hpp"

namespace hload::engine {

std::vector<HostSample> sample_hosts(const pool::Transport& transport, ConnStats& stats) {
  std::vector<HostSample> out;
  for (const pool::HostPool* h : transport.hosts()) {
    const pool::HostSnapshot snap = transport.snapshot(h);
    ConnStats::Host& counters = stats.host(h->key);
    HostSample s;
    s.index = h->index;
    s.key = h->key.to_string();
    s.open = snap.connected;
    // Every waiter is queued for a hand-over; those the limit holds back are also queued for
    // a permit.
    s.waiters = snap.idle_waiters;
    s.permit_waiters = snap.permit_waiters;
    s.dials = counters.dials.load(std::memory_order_relaxed);
    for (int i = 0; i < pool::kCloseReasons; ++i) {
      s.closes[i] = counters.closes[i].load(std::memory_order_relaxed);
    }
    out.push_back(std::move(s));
  }
  return out;
}

TimelineRecorder::TimelineRecorder(pool::Duration width, pool::TimePoint start,
                                   std::int64_t start_unix_ms, int threads)
    : width_(width), start_(start), threads_(threads), timeline_(width, start_unix_ms) {
  if (width_ <= pool::Duration::zero()) HLOAD_BUG("timeline: an interval must have a width");
}

pool::TimePoint TimelineRecorder::end_of(std::uint64_t k) const noexcept {
  return start_ + width_ * static_cast<std::int64_t>(k + 1);
}

TimelineRecorder::Pending& TimelineRecorder::pending_locked(std::uint64_t k) {
  if (k < next_) HLOAD_BUG("timeline: a part of an interval already closed");
  while (next_ + pending_.size() <= k) pending_.emplace_back();
  return pending_[k - next_];
}

void TimelineRecorder::add_locked(const IntervalPart& part) {
  pending_locked(part.index).data.merge(part.data, false);
}

void TimelineRecorder::on_interval_end(std::uint64_t k, std::vector<HostSample> samples) {
  std::lock_guard l(mu_);
  pending_locked(k).samples = std::move(samples);
  close_ready_locked();
}

void TimelineRecorder::deliver(std::uint64_t k, const std::vector<IntervalPart>& parts) {
  std::lock_guard l(mu_);
  for (const auto& p : parts) add_locked(p);
  ++pending_locked(k).delivered;
  close_ready_locked();
}

void TimelineRecorder::close_locked(TimelineInterval& data,
                                    const std::vector<HostSample>* samples) {
  const std::vector<HostSample>& now = samples ? *samples : last_;
  for (const HostSample& s : now) {
    if (s.index < 0) continue;
    const auto i = static_cast<std::size_t>(s.index);
    if (data.hosts.size() <= i) data.hosts.resize(i + 1);
    HostInterval& h = data.hosts[i];
    h.open = s.open;
    h.waiters = s.waiters;
    h.permit_waiters = s.permit_waiters;
    const HostSample* before = i < last_.size() && last_[i].index == s.index ? &last_[i] : nullptr;
    h.dials = s.dials - (before ? before->dials : 0);
    for (int r = 0; r < pool::kCloseReasons; ++r) {
      h.closes[r] = s.closes[r] - (before ? before->closes[r] : 0);
    }
  }
  if (samples) {
    // By index, so that the next interval finds each host's counters at once.
    std::vector<HostSample> by_index;
    for (const HostSample& s : *samples) {
      if (s.index < 0) continue;
      const auto i = static_cast<std::size_t>(s.index);
      if (by_index.size() <= i) by_index.resize(i + 1);
      by_index[i] = s;
    }
    last_ = std::move(by_index);
  }
}

void TimelineRecorder::close_ready_locked() {
  while (!pending_.empty() && pending_.front().samples && pending_.front().delivered == threads_) {
    Pending& p = pending_.front();
    close_locked(p.data, &*p.samples);
    timeline_.append(std::move(p.data));
    pending_.pop_front();
    ++next_;
  }
}

Timeline TimelineRecorder::finish(pool::Duration elapsed, const std::vector<HostSample>& samples,
                                  const std::vector<IntervalPart>& leftovers) {
  std::lock_guard l(mu_);
  for (const auto& p : leftovers) add_locked(p);
  elapsed = std::max(elapsed, pool::Duration::zero());
  auto last = static_cast<std::uint64_t>(elapsed / width_);
  if (!pending_.empty()) last = std::max<std::uint64_t>(last, next_ + pending_.size() - 1);
  if (last < next_) {
    // Every interval was closed while the run went on: what happened since (connections
    // closed as the run ended) belongs to the last one.
    TimelineInterval tail;
    close_locked(tail, &samples);
    timeline_.extend_last(std::move(tail));
  } else {
    pending_locked(last);
    while (!pending_.empty()) {
      Pending& p = pending_.front();
      const bool is_last = next_ == last;
      // Workers that never sealed an interval (the run ended first) left their parts to the
      // leftovers; the hosts of an interval that was never sampled are as they were before.
      const std::vector<HostSample>* at_end =
          is_last ? &samples : (p.samples ? &*p.samples : nullptr);
      close_locked(p.data, at_end);
      const pool::Duration length = elapsed - width_ * static_cast<std::int64_t>(next_);
      if (is_last && next_ > 0 && length < width_ / 10) {
        timeline_.extend_last(std::move(p.data));
      } else {
        timeline_.append(std::move(p.data));
      }
      pending_.pop_front();
      ++next_;
    }
  }
  timeline_.elapsed = elapsed;
  for (const HostSample& s : samples) {
    if (s.index < 0) continue;
    const auto i = static_cast<std::size_t>(s.index);
    if (timeline_.host_keys.size() <= i) timeline_.host_keys.resize(i + 1);
    timeline_.host_keys[i] = s.key;
  }
  return std::move(timeline_);
}

}  // namespace hload::engine
