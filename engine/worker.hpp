#pragma once

// Worker is one thread of a run: its io_context, the virtual users it runs, a sweep that times
// out their requests (one timer per thread, not one per request: docs/performance.md#hot-path),
// and the statistics of its requests, merged into the run's result at the end.

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/error_kind.hpp"
#include "engine/request_sample.hpp"
#include "engine/run_result.hpp"
#include "engine/schedule.hpp"
#include "engine/timeline_accumulator.hpp"
#include "engine/timeline_recorder.hpp"
#include "engine/virtual_user.hpp"
#include "pool/round_tripper.hpp"

namespace hload::engine {

// RunContext is what every worker of a run shares.
struct RunContext {
  const RunConfig& cfg;
  pool::RoundTripper& transport;
  const pool::Clock& clock;
  Schedule& schedule;
  // host_for gives the host pool of a key (Transport::host_for), for redirects to new hosts.
  std::function<pool::HostPool*(const pool::ConnKey&)> host_for;
  pool::TimePoint start;         // when the run started: the CSV's offsets count from here
  RequestSinkFactory make_sink;  // per-request output; empty for none
};

class TargetRing;

class Worker {
 public:
  // on_idle is called (on this worker's thread) when its last virtual user has finished.
  Worker(const RunContext& run, TargetRing& targets, int users, std::function<void()> on_idle);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  boost::asio::io_context& io() noexcept { return io_; }
  // start spawns the users and the timeout sweep; run the io_context afterwards.
  void start();
  // spawn runs a user's coroutine (a parked request going on) on this worker's thread.
  void spawn(boost::asio::awaitable<void> user);
  // interrupt ends every user at once; safe from any thread.
  void interrupt();
  // release lets the io_context stop once it runs out of work. Until then it keeps running
  // even when its own users are done: connections it dialed may still carry other workers'
  // requests, and their I/O completes here. Safe from any thread.
  void release();

  // The statistics, own thread only. record_hop counts one request through the pool for its
  // host; record_request one request of the run, its redirects included, and returns the kind
  // of its error, if it failed without a response.
  void record_hop(const HopRecord& hop);
  std::optional<ErrorKind> record_request(const RequestRecord& r);
  void record_unfinished(pool::Duration age);
  void record_queued_at_limit(const HopTarget& to, pool::Duration d);
  void record_retry(const HopTarget& to);
  void user_done();

  // redirect returns where a redirect from `from` leads: a target the worker keeps, or one
  // built into `scratch` when it keeps too many already; an error when the redirect cannot be
  // followed.
  std::variant<const HopTarget*, pool::error_code> redirect(const HopTarget& from, unsigned status,
                                                            const std::string& location,
                                                            std::unique_ptr<HopTarget>& scratch);

  // Live counters for the progress line, readable from any thread.
  std::uint64_t live_requests() const noexcept { return live_requests_.load(kRelaxed); }
  std::uint64_t live_failed() const noexcept { return live_failed_.load(kRelaxed); }

  // take_result moves this worker's statistics out once its thread has stopped.
  RunResult take_result();
  // seal_timeline makes this worker deliver its timeline parts through interval k to `to`, on
  // its own thread (TimelineRecorder says why). Any thread.
  void seal_timeline(std::uint64_t k, TimelineRecorder& to);
  // take_timeline hands over the timeline parts still here, once its thread has stopped.
  std::vector<IntervalPart> take_timeline() { return timeline_.take_all(); }

  pool::RoundTripper& transport() noexcept { return run_.transport; }
  const pool::Clock& clock() const noexcept { return run_.clock; }
  Schedule& schedule() noexcept { return run_.schedule; }
  const RunConfig& config() const noexcept { return run_.cfg; }

 private:
  static constexpr auto kRelaxed = std::memory_order_relaxed;
  boost::asio::awaitable<void> sweep_timeouts();
  HostResult& host_stats(const pool::HostPool* host);
  void record_sample(const RequestRecord& r);

  const RunContext& run_;
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> keep_running_ =
      boost::asio::make_work_guard(io_);
  std::vector<std::unique_ptr<VirtualUser>> users_;
  int running_ = 0;
  std::function<void()> on_idle_;
  std::optional<boost::asio::steady_timer> sweep_timer_;
  std::unique_ptr<RequestSink> sink_;
  const pool::TimePoint warmup_end_;  // requests that finish before it are not measured

  RunResult stats_;
  // Per host pool, by HostPool::index.
  std::vector<HostResult> hosts_;
  std::vector<const pool::HostPool*> host_pools_;
  std::array<std::uint64_t, 1000> status_counts_{};
  std::array<std::uint64_t, kErrorKinds> error_counts_{};
  std::array<std::string, kErrorKinds> error_examples_;
  // Redirect targets met so far, by where they came from and where they lead.
  std::map<std::string, std::unique_ptr<HopTarget>> redirects_;
  std::atomic<std::uint64_t> live_requests_{0};
  std::atomic<std::uint64_t> live_failed_{0};
  TimelineAccumulator timeline_;
};

}  // namespace hload::engine
