#pragma once

// Test doubles for the pool: a dialer whose dials finish only when the test says, and a
// connection whose responses can be scripted and held. Drive them and the transport from one
// io_context with poll(); only auto_complete dials may also come from several threads.

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "pool/conn.hpp"
#include "pool/dialer.hpp"

namespace hload::test {

namespace asio = boost::asio;
using pool::error_code;

// FakeConnState is the test's view of one fake connection; it outlives the connection.
struct FakeConnState {
  int id = 0;
  bool destroyed = false;  // the pool closed (destroyed) the connection
  // on_destroy, when set, runs in the connection's destructor: the test's look at the pool
  // while the socket would still be open.
  std::function<void()> on_destroy;
  bool peer_closed = false;  // what Conn::peer_closed reports
  int round_trips = 0;
  // streams is what max_concurrent_streams reports: 1 as HTTP/1.1, more as HTTP/2.
  int streams = 1;
  bool goaway = false;  // the server said it takes no more streams: reusable() is false
  int active = 0;       // round trips under way now
  int max_active = 0;   // the most at once
  std::shared_ptr<pool::ConnEvents> events;  // what the pool registered, if anything
  // Outcomes of the next round trips, consumed in order; when empty, 200 with keep-alive.
  struct Outcome {
    error_code ec;
    bool keep_alive = true;
    bool wrote_any = true;
    bool got_any = false;
    bool junk_after = false;  // a whole response followed by bytes nobody asked for
  };
  // server_closes: a whole response that says Connection: close.
  static Outcome server_closes() {
    Outcome o;
    o.keep_alive = false;
    return o;
  }
  // junk_after_response: a whole keep-alive response with bytes after it.
  static Outcome junk_after_response() {
    Outcome o;
    o.junk_after = true;
    return o;
  }
  // refused: an HTTP/2 server refused the stream before processing it.
  static Outcome refused();
  // fails: the exchange ends in ec, after writing (or not) and receiving (or not) some bytes.
  static Outcome fails(error_code ec, bool wrote_any, bool got_any) {
    Outcome o;
    o.ec = ec;
    o.wrote_any = wrote_any;
    o.got_any = got_any;
    return o;
  }
  std::deque<Outcome> script;
  // When set, each round trip waits until release_response() before it answers.
  bool hold_responses = false;
  // The held round trips, oldest first, each waiting on its gate.
  struct Held {
    std::unique_ptr<asio::steady_timer> gate;
    bool released = false;
  };
  std::deque<std::shared_ptr<Held>> held;
  bool in_round_trip = false;

  // release_response lets every held round trip finish; release_one only the oldest.
  void release_response();
  void release_one();
  // change_streams sets what the server allows and tells the pool, as SETTINGS would.
  void change_streams(int n);
  // send_goaway makes the connection take no new stream and tells the pool, as GOAWAY would.
  void send_goaway();
};

// FakeConn is an HTTP/1.1-like connection whose behaviour FakeConnState decides.
class FakeConn final : public pool::Conn {
 public:
  explicit FakeConn(std::shared_ptr<FakeConnState> state) : state_(std::move(state)) {}
  ~FakeConn() override {
    if (state_->on_destroy) state_->on_destroy();
    state_->destroyed = true;
  }

  asio::awaitable<pool::ConnResult> round_trip(const pool::Request& req,
                                               pool::Response& resp) override;
  int max_concurrent_streams() const noexcept override { return state_->streams; }
  bool reusable() const noexcept override { return reusable_ && !state_->goaway; }
  pool::CloseReason close_reason() const noexcept override { return close_reason_; }
  std::string_view protocol() const noexcept override {
    return state_->streams > 1 ? "h2" : "http/1.1";
  }
  void set_events(std::shared_ptr<pool::ConnEvents> events) override {
    state_->events = std::move(events);
  }
  bool peer_closed() noexcept override { return state_->peer_closed; }
  int id() const noexcept { return state_->id; }

 private:
  std::shared_ptr<FakeConnState> state_;
  bool reusable_ = true;
  pool::CloseReason close_reason_ = pool::CloseReason::server_close;
};

// FakeDialer records every dial and holds it until the test completes or fails it.
class FakeDialer final : public pool::Dialer {
 public:
  struct PendingDial {
    pool::ConnKey key;
    std::unique_ptr<asio::steady_timer> gate;
    std::optional<error_code> result;  // set by complete / fail
    bool finished = false;             // the dial returned to the pool
    bool cancelled = false;            // it returned because the pool cancelled it
    std::shared_ptr<FakeConnState> conn;
  };

  // auto_complete: dials succeed at once (for tests that are not about dialing).
  bool auto_complete = false;
  // streams: what the connections dialed from now on carry at once (FakeConnState::streams).
  int streams = 1;

  asio::awaitable<pool::DialResult> dial(const pool::ConnKey& key,
                                         asio::cancellation_slot cancel) override;

  int started() const {
    std::lock_guard l(mu_);
    return static_cast<int>(dials_.size());
  }
  // pending counts dials started and not yet returned to the pool.
  int pending() const;
  PendingDial& at(int i) {
    std::lock_guard l(mu_);
    return *dials_.at(i);
  }
  // complete finishes dial i with a new connection and returns that connection's state.
  std::shared_ptr<FakeConnState> complete(int i);
  void fail(int i, error_code ec);
  // conns lists the state of every connection dialed so far, in order.
  const std::vector<std::shared_ptr<FakeConnState>>& conns() const { return conns_; }

 private:
  std::shared_ptr<FakeConnState> new_conn_state();

  mutable std::mutex mu_;  // guards the two lists against dials from several threads
  std::vector<std::unique_ptr<PendingDial>> dials_;
  std::vector<std::shared_ptr<FakeConnState>> conns_;
};

}  // namespace hload::test
