#pragma once

// A deterministic harness for Transport: one io_context driven with poll(), a FakeDialer whose
// dials finish only when the test says, a ManualClock, and requesters whose results the test
// reads after each step. Every step ends with the pool's invariants checked
// (docs/architecture.md#rule-11).

#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "pool/transport.hpp"
#include "tests/support/fake_dialer.hpp"
#include "tests/support/manual_clock.hpp"

namespace hload::test {

using pool::AcquireOutcome;
using pool::CloseReason;

inline pool::ConnKey key_of(const std::string& host, std::uint16_t port = 80,
                            pool::ConnKey::Http http = pool::ConnKey::Http::v1) {
  return pool::ConnKey{"http", host, port, "", http};
}

// PoolState is what a host pool holds at an instant, in HostSnapshot's terms. A test step states
// it whole, in one line, with EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 2, ...}): a field
// left out is expected to be zero. (connected is not a field: rule 11 makes it open less the
// dials and the closing.)
struct PoolState {
  int open = 0;            // dialing + active + idle: what the limit counts
  int idle = 0;            // in the idle list
  int busy = 0;            // with streams in use and room for more (HTTP/2 only)
  int idle_waiters = 0;    // live waiters, all queued for a hand-over
  int permit_waiters = 0;  // waiters held back by the limit
  int dials = 0;           // dials in flight that a waiter owns
  int unowned = 0;         // dials in flight whose waiter left, for the next to adopt
  int cancelling = 0;      // dials cancelled and not yet finished
  int closing = 0;         // connections closed and not yet destroyed, still holding a permit
};

// state_of reads the PoolState out of a snapshot.
inline PoolState state_of(const pool::HostSnapshot& s) {
  return {.open = s.open,
          .idle = s.idle,
          .busy = s.busy,
          .idle_waiters = s.idle_waiters,
          .permit_waiters = s.permit_waiters,
          .dials = s.dials_in_flight,
          .unowned = s.dials_unowned,
          .cancelling = s.dials_cancelling,
          .closing = s.closing};
}

// to_string writes s as EXPECT_STATE takes it, every field shown.
inline std::string to_string(const PoolState& s) {
  std::ostringstream out;
  out << "{.open = " << s.open << ", .idle = " << s.idle << ", .busy = " << s.busy
      << ", .idle_waiters = " << s.idle_waiters << ", .permit_waiters = " << s.permit_waiters
      << ", .dials = " << s.dials << ", .unowned = " << s.unowned
      << ", .cancelling = " << s.cancelling << ", .closing = " << s.closing << "}";
  return out.str();
}

// state_is is EXPECT_STATE's predicate: it names every field that differs, not only the first.
inline ::testing::AssertionResult state_is(const char* snapshot_expr, const char* /*want_expr*/,
                                           const pool::HostSnapshot& snapshot,
                                           const PoolState& want) {
  const PoolState got = state_of(snapshot);
  std::ostringstream diff;
  const auto field = [&diff](const char* name, int is, int wanted) {
    if (is != wanted) diff << "\n  " << name << " is " << is << ", want " << wanted;
  };
  field("open", got.open, want.open);
  field("idle", got.idle, want.idle);
  field("busy", got.busy, want.busy);
  field("idle_waiters", got.idle_waiters, want.idle_waiters);
  field("permit_waiters", got.permit_waiters, want.permit_waiters);
  field("dials", got.dials, want.dials);
  field("unowned", got.unowned, want.unowned);
  field("cancelling", got.cancelling, want.cancelling);
  field("closing", got.closing, want.closing);
  if (diff.str().empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "pool state of " << snapshot_expr << ":" << diff.str()
                                       << "\n  whole: " << to_string(got);
}

// EXPECT_STATE(snapshot, {.field = n, ...}) expects the whole PoolState of a HostSnapshot.
#define EXPECT_STATE(snapshot, ...) \
  EXPECT_PRED_FORMAT2(::hload::test::state_is, snapshot, (::hload::test::PoolState __VA_ARGS__))

// Getter asks the pool for a connection with get_conn and keeps what it got.
struct Getter final : pool::RequestTrace {
  std::optional<pool::Acquired> got;
  asio::cancellation_signal cancel;
  std::optional<pool::Duration> permit_wait;

  void on_permit_wait(pool::Duration queued) override { permit_wait = queued; }
  bool waiting() const { return !got.has_value(); }
  bool ok() const { return got && !got->ec && got->conn; }
  // conn_id is the FakeConnState id of the connection it holds.
  int conn_id() const { return static_cast<const FakeConn&>(*got->conn->conn).id(); }
};

// Caller makes a whole round trip and keeps the outcome.
struct Caller final : pool::RequestTrace {
  pool::Request req;
  pool::Response resp;
  std::optional<error_code> ec;
  std::optional<pool::GotConnInfo> info;
  int retries = 0;
  asio::cancellation_signal cancel;

  void on_got_conn(const pool::GotConnInfo& i) override { info = i; }
  void on_retry() override { ++retries; }
  bool done() const { return ec.has_value(); }
};

class TransportTest : public ::testing::Test {
 protected:
  // make builds the transport; its host key speaks HTTP as `http` says (an HTTP/2 key expects
  // its dials to bring 100 streams until it knows better).
  void make(pool::TransportOptions o, pool::ConnKey::Http http = pool::ConnKey::Http::v1) {
    o.liveness_check_after = pool::Duration::zero();
    t_ = std::make_unique<pool::Transport>(std::move(o), dialer_, clock_);
    host_ = t_->host_for(key_of("a.test", 80, http));
  }

  // settle runs every handler that is ready, then checks the invariants.
  void settle() {
    io_.restart();
    io_.poll();
    t_->check_invariants();
  }

  void get(Getter& g, pool::HostPool* h = nullptr) {
    if (!h) h = host_;
    asio::co_spawn(
        io_,
        [this, &g, h]() -> asio::awaitable<void> {
          g.got = co_await t_->get_conn(h, &g, g.cancel.slot());
        },
        asio::detached);
  }

  // get_dialed has g ask, then completes the dial it started, number `dial`, so g holds it.
  void get_dialed(Getter& g, int dial) {
    get(g);
    settle();
    dialer_.complete(dial);
    settle();
  }

  void call(Caller& c, pool::HostPool* h = nullptr, bool replayable = true) {
    c.req.host = h ? h : host_;
    c.req.wire = "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n";
    c.req.replayable = replayable;
    c.req.trace = &c;
    c.req.cancel = c.cancel.slot();
    asio::co_spawn(
        io_,
        [this, &c]() -> asio::awaitable<void> { c.ec = co_await t_->round_trip(c.req, c.resp); },
        asio::detached);
  }

  // warm_conn makes an uncapped pool whose dials complete at once, and one round trip; it
  // returns the state of the (now idle, reused next time) connection.
  std::shared_ptr<FakeConnState> warm_conn() {
    make(pool::TransportOptions{});
    dialer_.auto_complete = true;
    Caller warm;
    call(warm);
    settle();
    return dialer_.conns().at(0);
  }

  // put returns what g holds to the pool as reusable.
  void put(Getter& g) {
    t_->release(g.got->conn, true, true, CloseReason::server_close);
    g.got.reset();
  }
  void close(Getter& g, CloseReason why = CloseReason::server_close) {
    t_->release(g.got->conn, false, false, why);
    g.got.reset();
  }

  pool::HostSnapshot snap(pool::HostPool* h = nullptr) const { return t_->snapshot(h ? h : host_); }
  std::uint64_t closes(CloseReason why, pool::HostPool* h = nullptr) const {
    return snap(h).counters.closes[static_cast<int>(why)];
  }

  asio::io_context io_;
  FakeDialer dialer_;
  ManualClock clock_;
  std::unique_ptr<pool::Transport> t_;
  pool::HostPool* host_ = nullptr;
};

}  // namespace hload::test
