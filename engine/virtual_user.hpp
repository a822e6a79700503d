#pragma once

// VirtualUser is one simulated client: a coroutine that takes requests from the schedule and
// sends them through the shared Transport one at a time, following redirects. It is also the
// request's trace, so the pool's events for its request land here, on its own thread, without
// locking.

#include <cstdint>
#include <memory>
#include <optional>
#include <random>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/target.hpp"
#include "pool/conn.hpp"
#include "pool/parked.hpp"
#include "pool/trace.hpp"

namespace hload::engine {

class Worker;
class TargetRing;

// HopTarget is a request as the pool carries it, with the host pool it draws from: the run's
// own target, or one a redirect led to.
struct HopTarget {
  Target target;
  pool::HostPool* host = nullptr;
};

// HopRecord is what one hop (one request through the pool) measured: the first request, or a
// redirect it followed.
struct HopRecord {
  const HopTarget* to = nullptr;
  pool::error_code ec;
  const pool::Response* response = nullptr;
  pool::TimePoint start{};
  pool::TimePoint end{};
  // From the trace; only when the hop got a connection.
  std::optional<pool::GotConnInfo> conn;
  pool::TimePoint got_conn_at{};
  pool::TimePoint written_at{};
  pool::TimePoint first_byte_at{};
};

// RequestRecord is what one finished request measured, its redirects included, handed to
// Worker::record_request. last_hop is the hop that ended it.
struct RequestRecord {
  pool::error_code ec;
  bool timed_out = false;
  unsigned status = 0;
  pool::TimePoint due{};    // when it was due (rate mode) or issued
  pool::TimePoint start{};  // when it was actually issued
  pool::TimePoint end{};
  std::uint64_t bytes_in = 0;  // over all hops
  std::uint64_t bytes_out = 0;
  std::uint64_t body_bytes = 0;  // of the last response
  std::uint64_t redirects = 0;
  const HopRecord* last_hop = nullptr;
};

class VirtualUser final : public pool::RequestTrace {
 public:
  // seed starts the user's own random sequence (-targets-order random).
  VirtualUser(Worker& worker, TargetRing& targets, std::uint32_t seed);

  // start sets the user going, on its worker's thread: it sends requests until the schedule has
  // none left or the user is interrupted. A request that has to wait for a connection parks
  // (RoundTripper::park): the user's frames end, and the worker spawns it again once the request
  // was delivered one.
  void start();

  // deadline is when the request in flight times out (max when none is in flight).
  pool::TimePoint deadline() const noexcept { return deadline_; }
  // expire abandons the request in flight as timed out. Call on the user's own thread.
  void expire();
  // interrupt abandons whatever the user is doing and ends it: a request in flight is counted
  // as unfinished. Own thread only.
  void interrupt();

  void on_permit_wait(pool::Duration queued) override;
  void on_got_conn(const pool::GotConnInfo& info) override;
  void on_wrote_request() override;
  void on_first_response_byte() override;
  void on_retry() override;

 private:
  // drive is the user's loop; `begun` says it first finishes the request begun (parked, or
  // given a stream by park at once).
  boost::asio::awaitable<void> drive(bool begun);
  // park parks the request begun; false when it waits, parked.
  bool park(const boost::asio::any_io_executor& executor);
  // begin starts a request due at `due`: its record and its first hop, then park.
  void begin(pool::TimePoint due);
  // HopEnd is what follows a hop: the next hop of a redirect (begun), nothing (the request
  // was recorded), or the end of the user (interrupted: the request is unfinished, not
  // recorded).
  enum class HopEnd : std::uint8_t { redirect, done, interrupted };
  // end_hop records the hop just awaited and says what follows it.
  HopEnd end_hop();
  // follow_redirect begins the hop to the target of a redirect the request follows, and says
  // whether it did; a redirect it may not follow is the request's error.
  bool follow_redirect();
  // end_request records the request after its last hop.
  void end_request();
  // begin_hop starts hop_ and request_ for one round trip to `to` (which drive awaits in its
  // own frame: a hop of its own was one more frame for each of 10,000 waiting users).
  void begin_hop(const HopTarget& to, pool::TimePoint start);
  static void wake(void* user);
  boost::asio::awaitable<bool> sleep_until(pool::TimePoint t);

  Worker& worker_;
  TargetRing& targets_;
  std::minstd_rand rng_;   // -targets-order random
  pool::Request request_;  // what the pool carries for the hop under way
  pool::Response response_;
  pool::Parked parked_;             // where request_ waits for a connection
  pool::TimePoint next_allowed_{};  // -q: when the next request may start
  boost::asio::cancellation_signal cancel_;
  // Both rarely needed, so allocated when they are: a user's size counts 10,000 times over.
  std::unique_ptr<boost::asio::steady_timer> pacer_;  // only for -q, -rate and back-off
  pool::TimePoint deadline_ = pool::TimePoint::max();
  bool timed_out_ = false;
  bool interrupted_ = false;
  pool::Duration backoff_{};            // after running out of local resources
  std::unique_ptr<HopTarget> scratch_;  // a redirect target the worker's cache had no room for
  HopRecord hop_;
  RequestRecord record_;
};

}  // namespace hload::engine
