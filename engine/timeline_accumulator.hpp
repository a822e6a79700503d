#pragma once

// TimelineAccumulator is one worker thread's share of the timeline: what its requests measured
// in the interval under way, kept in dense histograms (recording costs what recording the
// run's own histograms costs), turned sparse when the interval is handed on. It belongs to its
// thread; nothing in it is locked.

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/error_kind.hpp"
#include "engine/histogram.hpp"
#include "engine/timeline.hpp"
#include "pool/clock.hpp"
#include "pool/trace.hpp"

namespace hload::engine {

// IntervalPart is one thread's part of interval `index` (counted from the run's start).
struct IntervalPart {
  std::uint64_t index = 0;
  TimelineInterval data;
};

class TimelineAccumulator {
 public:
  // Intervals `width` wide from start.
  TimelineAccumulator(pool::TimePoint start, pool::Duration width);

  // record_request counts a request that finished at `end` (after the warm-up).
  void record_request(pool::TimePoint end, bool ok, std::optional<ErrorKind> error,
                      pool::Duration latency, std::uint64_t bytes_in);
  // record_got_conn counts the waits of a request of host `host` (its HostPool index) that got
  // connection c, as Worker::record_hop counts them in HostResult (docs/architecture.md#waits):
  // a handoff waited for a released connection, a dial held back by the limit for a permit.
  void record_got_conn(pool::TimePoint at, int host, const pool::GotConnInfo& c);
  // record_queued_at_limit counts a request of host `host` held back by its limit for d.
  void record_queued_at_limit(pool::TimePoint at, int host, pool::Duration d);

  // take_through hands over the parts of every interval up to `last`; what is recorded after
  // it goes to a later interval, even if the clock says otherwise, so that no part is handed
  // over twice.
  std::vector<IntervalPart> take_through(std::uint64_t last);
  // take_all hands over every part, the interval under way included.
  std::vector<IntervalPart> take_all();

 private:
  // Host is a host's share of the interval under way.
  struct Host {
    Histogram wait_idle;
    Histogram wait_permit;
    Histogram queued_at_limit;
    bool used = false;
  };

  // at makes the interval of time t the one under way and returns it.
  void at(pool::TimePoint t);
  Host& host(int index);
  // close_current moves the interval under way, when it holds anything, to done_.
  void close_current();

  const pool::TimePoint start_;
  const pool::Duration width_;
  std::uint64_t index_ = 0;         // the interval under way
  pool::TimePoint index_end_;       // where it ends
  std::uint64_t first_open_ = 0;    // intervals before it were handed over
  bool empty_ = true;               // nothing recorded in the interval under way
  TimelineInterval counts_;         // its counters (histograms empty until closed)
  Histogram latency_;               // its latencies
  std::vector<Host> hosts_;         // its waits, by host index
  std::vector<IntervalPart> done_;  // closed, not yet handed over
};

}  // namespace hload::engine
