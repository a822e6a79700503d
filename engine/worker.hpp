#pragma once

// Worker is one thread of a run: its io_context, the virtual users it runs, a sweep that times
// out their requests (one timer per thread, not one per request: performance.md), and the
// statistics of its requests, merged into the run's result at the end.

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/error_kind.hpp"
#include "engine/run_result.hpp"
#include "engine/schedule.hpp"
#include "engine/virtual_user.hpp"
#include "pool/round_tripper.hpp"

namespace hload::engine {

class Worker {
 public:
  // on_idle is called (on this worker's thread) when its last virtual user has finished.
  Worker(const RunConfig& cfg, pool::RoundTripper& transport, const pool::Clock& clock,
         Schedule& schedule, const pool::Request& request, int users,
         std::function<void()> on_idle);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  boost::asio::io_context& io() noexcept { return io_; }
  // start spawns the users and the timeout sweep; run the io_context afterwards.
  void start();
  // interrupt ends every user at once; safe from any thread.
  void interrupt();
  // release lets the io_context stop once it runs out of work. Until then it keeps running
  // even when its own users are done: connections it dialed may still carry other workers'
  // requests, and their I/O completes here. Safe from any thread.
  void release();

  // record adds one finished request to this worker's statistics. Own thread only.
  void record(const RequestRecord& r);
  void record_permit_wait(pool::Duration d) { host_.wait_permit.record(d); }
  void record_retry() { ++host_.retries; }
  void user_done();

  // Live counters for the progress line, readable from any thread.
  std::uint64_t live_requests() const noexcept { return live_requests_.load(kRelaxed); }
  std::uint64_t live_errors() const noexcept { return live_errors_.load(kRelaxed); }

  // take_result moves this worker's statistics out once it has stopped.
  RunResult take_result(const std::string& host_name);

  pool::RoundTripper& transport() noexcept { return transport_; }
  const pool::Clock& clock() const noexcept { return clock_; }
  Schedule& schedule() noexcept { return schedule_; }
  const RunConfig& config() const noexcept { return cfg_; }

 private:
  static constexpr auto kRelaxed = std::memory_order_relaxed;
  boost::asio::awaitable<void> sweep_timeouts();

  const RunConfig& cfg_;
  pool::RoundTripper& transport_;
  const pool::Clock& clock_;
  Schedule& schedule_;
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> keep_running_ =
      boost::asio::make_work_guard(io_);
  std::vector<std::unique_ptr<VirtualUser>> users_;
  int running_ = 0;
  std::function<void()> on_idle_;
  std::optional<boost::asio::steady_timer> sweep_timer_;

  RunResult stats_;
  HostResult host_;
  std::array<std::uint64_t, 1000> status_counts_{};
  std::array<std::uint64_t, kErrorKinds> error_counts_{};
  std::atomic<std::uint64_t> live_requests_{0};
  std::atomic<std::uint64_t> live_errors_{0};
};

}  // namespace hload::engine
