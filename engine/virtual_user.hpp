#pragma once

// VirtualUser is one simulated client: a coroutine that takes requests from the schedule and
// sends them through the shared Transport one at a time. It is also the request's trace, so
// the pool's events for its request land here, on its own thread, without locking.

#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include "pool/conn.hpp"
#include "pool/trace.hpp"

namespace hload::engine {

class Worker;

// RequestRecord is what one finished request measured, handed to Worker::record.
struct RequestRecord {
  pool::error_code ec;
  bool timed_out = false;
  const pool::Response* response = nullptr;
  pool::TimePoint due{};    // when it was due (rate mode) or issued
  pool::TimePoint start{};  // when it was actually issued
  pool::TimePoint end{};
  // From the trace; only when the request got a connection.
  std::optional<pool::GotConnInfo> conn;
  pool::TimePoint got_conn_at{};
  pool::TimePoint written_at{};
  pool::TimePoint first_byte_at{};
};

class VirtualUser final : public pool::RequestTrace {
 public:
  VirtualUser(Worker& worker, const pool::Request& request);

  // run sends requests until the schedule has none left or the user is interrupted.
  boost::asio::awaitable<void> run();

  // deadline is when the request in flight times out (max when none is in flight).
  pool::TimePoint deadline() const noexcept { return deadline_; }
  // expire abandons the request in flight as timed out. Call on the user's own thread.
  void expire();
  // interrupt abandons whatever the user is doing and ends it (Ctrl-C). Own thread only.
  void interrupt();

  void on_permit_wait(pool::Duration queued) override;
  void on_got_conn(const pool::GotConnInfo& info) override;
  void on_wrote_request() override;
  void on_first_response_byte() override;
  void on_retry() override;

 private:
  boost::asio::awaitable<bool> sleep_until(pool::TimePoint t);

  Worker& worker_;
  pool::Request request_;
  boost::asio::cancellation_signal cancel_;
  std::optional<boost::asio::steady_timer> pacer_;  // only for -q and -rate
  pool::TimePoint deadline_ = pool::TimePoint::max();
  bool timed_out_ = false;
  bool interrupted_ = false;
  RequestRecord record_;
};

}  // namespace hload::engine
