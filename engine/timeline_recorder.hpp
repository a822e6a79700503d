#pragma once

// TimelineRecorder closes a run's intervals and keeps them in a Timeline.
//
// How the threads' parts meet. Each worker records into a TimelineAccumulator of its own, with
// no lock and no atomic on the hot path. When interval k ends, the engine's timer (on io0)
// samples the hosts (on_interval_end) and posts to every worker a request to seal k; each
// worker, on its own thread and so between two of its own records, takes its parts through k
// from its accumulator and delivers them here, under a short lock taken once per interval and
// thread. Interval k is closed, merged and appended once every worker delivered for it and it
// was sampled; intervals close in order. A part is always either in its worker's accumulator or
// here, never in a posted handler that might not run, so that at the end (finish, when no
// thread runs any more) everything is found and the timeline's totals are the run's exactly,
// the run's last, partial interval included.

#include <array>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/conn_stats.hpp"
#include "engine/timeline.hpp"
#include "engine/timeline_accumulator.hpp"
#include "pool/clock.hpp"

namespace hload::pool {
class Transport;
}

namespace hload::engine {

// HostSample is one host read at an interval's end: what is open and queued then, and the
// pool's counters of dials and closes so far.
struct HostSample {
  int index = -1;  // HostPool::index; -1 for none
  std::string key;
  int open = 0;
  int waiters = 0;         // requests waiting for a connection
  int permit_waiters = 0;  // of which held back by the limit, waiting for a dial permit
  std::uint64_t dials = 0;
  std::array<std::uint64_t, pool::kCloseReasons> closes{};
};

// sample_hosts reads every host of transport, and its counters in stats. Any thread.
std::vector<HostSample> sample_hosts(const pool::Transport& transport, ConnStats& stats);

class TimelineRecorder {
 public:
  // Intervals `width` wide from start (start_unix_ms on the wall clock), whose parts come from
  // `threads` workers.
  TimelineRecorder(pool::Duration width, pool::TimePoint start, std::int64_t start_unix_ms,
                   int threads);

  // end_of is when interval k ends.
  pool::TimePoint end_of(std::uint64_t k) const noexcept;

  // on_interval_end records the hosts at the end of interval k. Called once for each k, in
  // order, before the workers are asked to seal k.
  void on_interval_end(std::uint64_t k, std::vector<HostSample> samples);
  // deliver takes one worker's parts through interval k: its answer to sealing k. Any thread.
  void deliver(std::uint64_t k, const std::vector<IntervalPart>& parts);

  // finish closes every interval once the run is over and no worker runs: leftovers are the
  // parts still in the workers' accumulators, samples the hosts at the end, elapsed the run's
  // length. A last interval shorter than a tenth of the width is counted in the one before it,
  // so that no rate is read off a sliver of time.
  Timeline finish(pool::Duration elapsed, const std::vector<HostSample>& samples,
                  const std::vector<IntervalPart>& leftovers);

 private:
  // Pending is an interval not yet closed.
  struct Pending {
    TimelineInterval data;
    int delivered = 0;  // workers that sealed it
    std::optional<std::vector<HostSample>> samples;
  };

  Pending& pending_locked(std::uint64_t k);
  void add_locked(const IntervalPart& part);
  // close_locked completes data with the hosts' state from samples (null: unchanged since the
  // last interval) and moves last_ on.
  void close_locked(TimelineInterval& data, const std::vector<HostSample>* samples);
  void close_ready_locked();

  const pool::Duration width_;
  const pool::TimePoint start_;
  const int threads_;

  std::mutex mu_;                 // guards what follows
  std::deque<Pending> pending_;   // pending_[i] is interval next_ + i
  std::uint64_t next_ = 0;        // the first interval not yet closed
  std::vector<HostSample> last_;  // the hosts at the end of the last closed interval, by index
  Timeline timeline_;
};

}  // namespace hload::engine
