#pragma once

// Timeline is a run measured interval by interval (1 s unless -timeline-interval says
// otherwise): what finished in each, how fast, and what the pool did. Its memory is bounded
// however long the run: it keeps at most max_intervals() intervals, and when one more arrives
// it merges neighbouring pairs, doubling the width of every interval. Its histograms are
// sparse. Requests are counted as the run's result counts them (the warm-up left out), and
// dials and closes as the pool reports them, so that its totals are the report's.

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/error_kind.hpp"
#include "engine/sparse_histogram.hpp"
#include "pool/clock.hpp"
#include "pool/trace.hpp"

namespace hload::engine {

// HostInterval is one host's part of an interval.
struct HostInterval {
  int open = 0;            // connections open at the interval's end (connected: active + idle)
  int waiters = 0;         // requests waiting for a connection at its end
  int permit_waiters = 0;  // of which held back by the limit, queued for a dial permit
  std::uint64_t dials = 0;
  std::array<std::uint64_t, pool::kCloseReasons> closes{};  // by pool::CloseReason
  // The waits of HostResult, of the requests that got a connection in the interval.
  SparseHistogram wait_idle;
  SparseHistogram wait_permit;
  SparseHistogram queued_at_limit;

  // merge adds o's counts and waits; the end-of-interval samples (open, waiters) become o's
  // when `o_is_later`, as when two intervals are merged into one.
  void merge(const HostInterval& o, bool o_is_later);
};

// TimelineInterval is what one interval measured.
struct TimelineInterval {
  std::uint64_t requests = 0;  // finished, any outcome
  std::uint64_t ok = 0;        // answered with a status below 400
  std::uint64_t http_errors = 0;
  std::array<std::uint64_t, kErrorKinds> errors{};  // failed without a response, by ErrorKind
  std::uint64_t bytes_in = 0;
  SparseHistogram latency;          // as RunResult::latency
  std::vector<HostInterval> hosts;  // by host index (Timeline::host_keys)

  std::uint64_t failed() const noexcept { return requests - ok; }
  // merge adds o (a part of the same interval, from another thread, or the next interval).
  void merge(const TimelineInterval& o, bool o_is_later);
};

class Timeline {
 public:
  // kMaxIntervals bounds a timeline: a day at 1 s intervals is kept as 675 of 128 s.
  static constexpr std::size_t kMaxIntervals = 1024;

  Timeline() = default;
  // A timeline of intervals `width` wide from start_unix_ms (UTC, ms since the epoch), keeping
  // at most max_intervals (at least 2).
  Timeline(pool::Duration width, std::int64_t start_unix_ms,
           std::size_t max_intervals = kMaxIntervals);

  // append adds the next interval of the run, `base_width()` wide (the last may be cut short by
  // the run's end); when it would make one too many, neighbours are merged pairwise first.
  void append(TimelineInterval interval);
  // extend_last counts interval in the last one kept, making that one longer (the run's end
  // falling just after an interval's); append when none is kept yet.
  void extend_last(TimelineInterval interval);

  const std::vector<TimelineInterval>& intervals() const noexcept { return intervals_; }
  // base_width is the width intervals were measured at; width that of each kept interval, a
  // power of two times base_width once pairs were merged.
  pool::Duration base_width() const noexcept { return base_width_; }
  pool::Duration width() const noexcept { return base_width_ * (std::int64_t{1} << level_); }
  std::int64_t start_unix_ms() const noexcept { return start_unix_ms_; }
  std::size_t max_intervals() const noexcept { return max_intervals_; }
  // appended counts the base-width intervals appended so far.
  std::uint64_t appended() const noexcept { return appended_; }

  // host_keys names the hosts of HostInterval's index (ConnKey::to_string()).
  std::vector<std::string> host_keys;
  // elapsed is how long the run lasted: the last interval ends there, not a width after its
  // start.
  pool::Duration elapsed{};

 private:
  void merge_pairs();

  pool::Duration base_width_ = std::chrono::seconds(1);
  std::int64_t start_unix_ms_ = 0;
  std::size_t max_intervals_ = kMaxIntervals;
  int level_ = 0;  // intervals are 2^level_ base widths wide
  std::uint64_t appended_ = 0;
  std::vector<TimelineInterval> intervals_;
};

}  // namespace hload::engine
