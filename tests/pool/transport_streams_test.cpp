// Deterministic tests of the pool's streams: HTTP/2 connections carry many requests at once,
// count once towards the limit, and are dialed only when the waiting requests exceed the room
// of open and dialing connections (docs/architecture.md#rule-8). The harness checks the
// invariants of docs/architecture.md#rule-11 after every step.

#include <array>
#include <vector>

#include "pool/errors.hpp"
#include "pool/transport.hpp"
#include "tests/pool/transport_harness.hpp"

namespace hload::test {
namespace {

using namespace std::chrono_literals;
using Http = pool::ConnKey::Http;

pool::TransportOptions capped(int max_conns_per_host, int max_idle = 100) {
  pool::TransportOptions o;
  o.max_conns_per_host = max_conns_per_host;
  o.max_idle_conns_per_host = max_idle;
  return o;
}

class TransportStreamsTest : public TransportTest {
 protected:
  // make_h2 builds a pool for an HTTP/2 key whose connections carry `streams` at once.
  void make_h2(pool::TransportOptions o, int streams = 100) {
    dialer_.streams = streams;
    make(std::move(o), Http::v2_prior_knowledge);
  }
};

// One dial serves a hundred requests: they all wait for it, and it hands each a stream.
TEST_F(TransportStreamsTest, OneDialServesAsManyWaitersAsItHasStreams) {
  make_h2(capped(0));
  std::vector<Getter> g(100);
  for (auto& x : g) get(x);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 100, .dials = 1});
  EXPECT_EQ(dialer_.started(), 1);
  dialer_.complete(0);
  settle();
  for (auto& x : g) {
    ASSERT_TRUE(x.ok());
    EXPECT_EQ(x.got->info.outcome, AcquireOutcome::dial);
    EXPECT_EQ(x.conn_id(), 0);
  }
  EXPECT_STATE(snap(), {.open = 1});
  EXPECT_EQ(snap().streams, 100);
}

// New connections are dialed only for the waiters the open and dialing ones cannot carry:
// 250 waiters at 100 streams a connection make 3 dials, not 250.
TEST_F(TransportStreamsTest, DialsOnlyForWaitersBeyondTheRoomThereIs) {
  make_h2(capped(0));
  std::vector<Getter> g(250);
  for (auto& x : g) get(x);
  settle();
  EXPECT_EQ(dialer_.started(), 3);
  EXPECT_STATE(snap(), {.open = 3, .idle_waiters = 250, .dials = 3});
  for (int i = 0; i < 3; ++i) dialer_.complete(i);
  settle();
  for (auto& x : g) ASSERT_TRUE(x.ok());
  EXPECT_STATE(snap(), {.open = 3, .busy = 1});  // the last has 50 streams of room left
  EXPECT_EQ(snap().streams, 250);
}

// An open connection with room takes a new request at once: no dial, no wait.
TEST_F(TransportStreamsTest, ARequestTakesAFreeStreamAtOnce) {
  make_h2(capped(0));
  Getter a, b;
  get(a);
  settle();
  dialer_.complete(0);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .busy = 1});
  get(b);
  settle();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.got->info.outcome, AcquireOutcome::idle);
  EXPECT_TRUE(b.got->info.reused);
  EXPECT_EQ(b.conn_id(), a.conn_id());
  EXPECT_EQ(dialer_.started(), 1);
  put(a);
  put(b);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle = 1});
}

// The connection counts once towards the limit, however many streams it carries.
TEST_F(TransportStreamsTest, ManyStreamsCountOnceTowardsTheLimit) {
  make_h2(capped(1), 10);
  std::vector<Getter> g(25);
  for (auto& x : g) get(x);
  settle();
  dialer_.complete(0);
  settle();
  int served = 0;
  for (auto& x : g) served += x.ok() ? 1 : 0;
  EXPECT_EQ(served, 10);
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 15, .permit_waiters = 15});
  EXPECT_EQ(dialer_.started(), 1);
  // A stream ends: it goes to the oldest waiter.
  Getter* first = nullptr;
  for (auto& x : g) {
    if (x.ok() && !first) first = &x;
  }
  put(*first);
  settle();
  served = 0;
  for (auto& x : g) served += x.ok() ? 1 : 0;
  EXPECT_EQ(served, 10);
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 14, .permit_waiters = 14});
  EXPECT_EQ(snap().counters.handoffs, 1u);
}

// A connection that carries fewer streams than expected (HTTP/1.1 after ALPN, or a low
// SETTINGS) serves what it can, and the rest get dials of their own, now expecting its number.
TEST_F(TransportStreamsTest, FewerStreamsThanExpectedDialForTheRest) {
  make_h2(capped(0), 10);
  std::vector<Getter> g(30);
  for (auto& x : g) get(x);
  settle();
  EXPECT_EQ(dialer_.started(), 1) << "expecting 100 streams, one dial covers 30";
  dialer_.complete(0);
  settle();
  EXPECT_EQ(dialer_.started(), 3) << "it carries 10: two more dials for the other 20";
  EXPECT_STATE(snap(), {.open = 3, .idle_waiters = 20, .dials = 2});
  dialer_.complete(1);
  dialer_.complete(2);
  settle();
  for (auto& x : g) ASSERT_TRUE(x.ok());
  EXPECT_STATE(snap(), {.open = 3});
}

// SETTINGS that raise the limit give the new room to the waiters at once.
TEST_F(TransportStreamsTest, RaisedStreamLimitServesWaitersAtOnce) {
  make_h2(capped(1), 1);
  std::array<Getter, 4> g;
  for (auto& x : g) get(x);
  settle();
  dialer_.complete(0);
  settle();
  EXPECT_TRUE(g[0].ok());
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 3, .permit_waiters = 3});
  dialer_.conns()[0]->change_streams(3);
  settle();
  EXPECT_TRUE(g[1].ok());
  EXPECT_TRUE(g[2].ok());
  EXPECT_EQ(g[1].got->info.outcome, AcquireOutcome::handoff);
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 1, .permit_waiters = 1});
  // Lowered again: nothing under way is taken away, the connection is full sooner.
  dialer_.conns()[0]->change_streams(1);
  settle();
  put(g[0]);
  settle();
  EXPECT_TRUE(g[3].waiting()) << "two streams still under way, the limit is 1";
  put(g[1]);
  put(g[2]);
  settle();
  EXPECT_TRUE(g[3].ok());
}

// GOAWAY: the connection takes no new stream, the ones under way finish, then it closes and
// its permit is returned once, straight to a waiter held back by the limit.
TEST_F(TransportStreamsTest, GoawayDrainsTheConnectionThenReturnsItsPermitOnce) {
  make_h2(capped(1), 100);
  std::array<Getter, 3> g;
  for (auto& x : g) get(x);
  settle();
  dialer_.complete(0);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .busy = 1});
  dialer_.conns()[0]->send_goaway();
  settle();
  EXPECT_STATE(snap(), {.open = 1});
  EXPECT_EQ(snap().counters.goaways, 1u);
  Getter late;
  get(late);
  settle();
  EXPECT_TRUE(late.waiting());
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 1, .permit_waiters = 1})
      << "at the limit, the new request waits for the draining connection's permit";
  put(g[0]);
  put(g[1]);
  settle();
  EXPECT_FALSE(dialer_.conns()[0]->destroyed) << "a stream is still under way";
  put(g[2]);
  settle();
  EXPECT_TRUE(dialer_.conns()[0]->destroyed);
  EXPECT_EQ(closes(CloseReason::server_close), 1u);
  EXPECT_EQ(dialer_.started(), 2) << "the permit went to the waiter";
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 1, .dials = 1});
  dialer_.complete(1);
  settle();
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late.got->info.outcome, AcquireOutcome::dial);
  EXPECT_TRUE(late.got->info.queued_at_limit);
}

// A GOAWAY on an idle connection closes it at once.
TEST_F(TransportStreamsTest, GoawayOnAnIdleConnectionClosesIt) {
  make_h2(capped(0));
  Getter a;
  get(a);
  settle();
  dialer_.complete(0);
  settle();
  put(a);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle = 1});
  dialer_.conns()[0]->send_goaway();
  settle();
  EXPECT_TRUE(dialer_.conns()[0]->destroyed);
  EXPECT_STATE(snap(), {});
}

// A stream the server refused before processing it is sent again on another connection,
// whatever its method, and counted.
TEST_F(TransportStreamsTest, RefusedStreamIsSentAgain) {
  make_h2(capped(0));
  dialer_.auto_complete = true;
  Caller warm;
  call(warm);
  settle();
  dialer_.conns()[0]->script.push_back(FakeConnState::refused());
  Caller post;
  call(post, nullptr, /*replayable=*/false);
  settle();
  ASSERT_TRUE(post.done());
  EXPECT_FALSE(*post.ec);
  EXPECT_EQ(post.retries, 1);
  EXPECT_EQ(snap().counters.refused_retries, 1u);
  EXPECT_EQ(t_->retries(), 1u);
  EXPECT_FALSE(dialer_.conns()[0]->destroyed) << "one refused stream does not end a connection";
}

// A connection that served requests and then refuses more is being shut down gracefully (a
// GOAWAY after so many requests): a request it refuses goes again however often that happens.
TEST_F(TransportStreamsTest, RefusalsByAConnectionThatServedOthersHaveNoLimit) {
  make_h2(capped(0));
  dialer_.auto_complete = true;
  Caller warm;
  call(warm);
  settle();
  constexpr int kRefusals = pool::Transport::kRefusedRetries + 3;
  for (int i = 0; i < kRefusals; ++i) {
    dialer_.conns()[0]->script.push_back(FakeConnState::refused());
  }
  Caller post;
  call(post);
  settle();
  ASSERT_TRUE(post.done());
  EXPECT_FALSE(*post.ec);
  EXPECT_EQ(post.retries, kRefusals);
  EXPECT_EQ(snap().counters.refused_retries, static_cast<std::uint64_t>(kRefusals));
}

// A connection that served nothing and refuses everything is charged: the request gives up
// after kRefusedRetries, so such a server cannot keep a request going round forever.
TEST_F(TransportStreamsTest, RefusalsByAConnectionThatServedNothingGiveUp) {
  make_h2(capped(0));
  Caller first;
  call(first);
  settle();
  ASSERT_EQ(dialer_.started(), 1);
  const auto conn = dialer_.complete(0);
  for (int i = 0; i <= pool::Transport::kRefusedRetries + 1; ++i) {
    conn->script.push_back(FakeConnState::refused());
  }
  settle();
  ASSERT_TRUE(first.done());
  EXPECT_EQ(*first.ec, pool::Errc::refused_stream);
  EXPECT_EQ(first.retries, pool::Transport::kRefusedRetries);
  EXPECT_EQ(snap().counters.refused_retries,
            static_cast<std::uint64_t>(pool::Transport::kRefusedRetries));
}

// Idle caps, eviction and expiry never close a connection with streams under way.
TEST_F(TransportStreamsTest, IdleTimeoutNeverClosesAConnectionInUse) {
  auto o = capped(0);
  o.idle_conn_timeout = 10s;
  make_h2(o);
  Getter a, b;
  get(a);
  settle();
  dialer_.complete(0);
  settle();
  clock_.advance(1h);
  get(b);  // a pool operation: expiry is swept
  settle();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.conn_id(), a.conn_id());
  EXPECT_FALSE(dialer_.conns()[0]->destroyed);
  put(a);
  put(b);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle = 1});
  clock_.advance(11s);
  Getter c;
  get(c);
  settle();
  EXPECT_TRUE(dialer_.conns()[0]->destroyed) << "idle past the timeout now";
  EXPECT_EQ(closes(CloseReason::idle_timeout), 1u);
}

TEST_F(TransportStreamsTest, GlobalIdleCapEvictsOnlyIdleConnections) {
  auto o = capped(0);
  o.max_idle_conns = 1;
  make_h2(o, 2);
  std::array<Getter, 4> g;
  for (auto& x : g) get(x);
  settle();
  dialer_.complete(0);  // carries 2 of the 4: a second dial for the others
  settle();
  dialer_.complete(1);
  settle();
  for (auto& x : g) ASSERT_TRUE(x.ok());
  put(g[0]);
  put(g[1]);  // connection 0 idle
  put(g[2]);  // connection 1 still carries g[3]
  settle();
  EXPECT_STATE(snap(), {.open = 2, .idle = 1, .busy = 1});
  put(g[3]);  // now both idle: the cap of 1 closes the least recently used
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle = 1});
  EXPECT_EQ(closes(CloseReason::idle_overflow), 1u);
}

// A waiter that leaves a dial shared with others only frees its place: the dial goes on for
// the rest, and takes a waiter held back by the limit in its place.
TEST_F(TransportStreamsTest, AWaiterLeavingASharedDialFreesItsPlace) {
  make_h2(capped(1), 2);
  std::array<Getter, 3> g;
  for (auto& x : g) get(x);
  settle();
  // The key's first dial expects 100 streams: all three ride on it.
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 3, .dials = 1});
  g[0].cancel.emit(asio::cancellation_type::terminal);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 2, .dials = 1});
  dialer_.complete(0);
  settle();
  EXPECT_TRUE(g[1].ok());
  EXPECT_TRUE(g[2].ok());
  EXPECT_EQ(dialer_.started(), 1);
}

// The whole pool winds down: after the streams end and idle connections close, nothing is
// left, and every permit came back once.
TEST_F(TransportStreamsTest, EverythingBackToZeroAfterTheStreamsEnd) {
  make_h2(capped(2), 50);
  dialer_.auto_complete = true;
  std::vector<Caller> calls(500);
  for (auto& c : calls) call(c);
  settle();
  for (auto& c : calls) ASSERT_TRUE(c.done() && !*c.ec);
  t_->close_idle_connections();
  settle();
  EXPECT_STATE(snap(), {});
  EXPECT_EQ(snap().streams, 0);
  EXPECT_LE(dialer_.started(), 2);
}

// ---- The rules for connections of 1 stream (HTTP/1.1) and of 100 (HTTP/2) ------------------

class TransportRulesTest : public TransportTest, public ::testing::WithParamInterface<int> {
 protected:
  int streams() const { return GetParam(); }
  void make_for(pool::TransportOptions o) {
    dialer_.streams = streams();
    make(std::move(o), streams() > 1 ? Http::v2_prior_knowledge : Http::v1);
  }
  int served(const std::vector<Getter>& g) const {
    int n = 0;
    for (const auto& x : g) n += x.ok() ? 1 : 0;
    return n;
  }
};

// Rule 3: at the limit, requests queue; the limit caps connections, not streams.
TEST_P(TransportRulesTest, TheLimitCapsConnections) {
  make_for(capped(2));
  std::vector<Getter> g(250);
  for (auto& x : g) get(x);
  settle();
  for (int i = 0; i < dialer_.started(); ++i) dialer_.complete(i);
  settle();
  for (int i = 0; i < dialer_.started(); ++i) {
    if (!dialer_.at(i).finished) dialer_.complete(i);
  }
  settle();
  EXPECT_LE(dialer_.started(), 2);
  EXPECT_EQ(served(g), std::min(250, 2 * streams()));
  EXPECT_LE(snap().open, 2);
}

// Rule 7: a stream that ends goes to the oldest waiter before the connection keeps it.
TEST_P(TransportRulesTest, AnEndingStreamGoesToTheOldestWaiter) {
  make_for(capped(1));
  std::vector<Getter> g(static_cast<std::size_t>(streams()) + 2);
  for (auto& x : g) get(x);
  settle();
  dialer_.complete(0);
  settle();
  ASSERT_EQ(served(g), streams());
  put(g[0]);
  settle();
  const Getter& oldest = g[static_cast<std::size_t>(streams())];
  ASSERT_TRUE(oldest.ok());
  EXPECT_EQ(oldest.got->info.outcome, AcquireOutcome::handoff);
  EXPECT_TRUE(g.back().waiting());
}

// Rule 5: a failed dial drops the count once and passes the permit on; its error reaches the
// waiters it was dialed for.
TEST_P(TransportRulesTest, AFailedDialPassesItsPermitOn) {
  make_for(capped(1));
  std::vector<Getter> g(static_cast<std::size_t>(streams()) + 1);
  for (auto& x : g) get(x);
  settle();
  dialer_.fail(0, asio::error::connection_refused);
  settle();
  int failed = 0;
  for (const auto& x : g) failed += x.got && x.got->ec == asio::error::connection_refused ? 1 : 0;
  EXPECT_EQ(failed, streams()) << "the dial's owners get its error";
  EXPECT_EQ(dialer_.started(), 2) << "the permit went to the waiter held back";
  EXPECT_EQ(snap().open, 1);
  dialer_.complete(1);
  settle();
  EXPECT_TRUE(g.back().ok());
}

// Rule 2: a connection the server closed while it sat idle is never handed out.
TEST_P(TransportRulesTest, ADeadIdleConnectionIsNeverHandedOut) {
  make_for(capped(0));
  Getter a;
  get(a);
  settle();
  dialer_.complete(0);
  settle();
  put(a);
  settle();
  dialer_.conns()[0]->peer_closed = true;
  Getter b;
  get(b);
  settle();
  EXPECT_TRUE(dialer_.conns()[0]->destroyed);
  EXPECT_EQ(dialer_.started(), 2);
  dialer_.complete(1);
  settle();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.conn_id(), 1);
}

// Rule 10: requests that all time out leave one dial behind, adopted by the next, not a pile.
TEST_P(TransportRulesTest, HungDialsDoNotPileUp) {
  make_for(capped(0));
  for (int i = 0; i < 100; ++i) {
    Getter g;
    get(g);
    settle();
    g.cancel.emit(asio::cancellation_type::terminal);
    settle();
    ASSERT_TRUE(g.got.has_value());
  }
  EXPECT_EQ(dialer_.started(), 1);
  EXPECT_STATE(snap(), {.open = 1, .unowned = 1});
}

// Rule 11: everything comes back to zero.
TEST_P(TransportRulesTest, EverythingBackToZero) {
  make_for(capped(3));
  dialer_.auto_complete = true;
  std::vector<Caller> calls(400);
  for (auto& c : calls) call(c);
  settle();
  for (auto& c : calls) ASSERT_TRUE(c.done() && !*c.ec);
  t_->close_idle_connections();
  settle();
  EXPECT_STATE(snap(), {});
  EXPECT_EQ(snap().streams, 0);
}

INSTANTIATE_TEST_SUITE_P(Streams, TransportRulesTest, ::testing::Values(1, 100),
                         [](const ::testing::TestParamInfo<int>& p) {
                           return p.param == 1 ? std::string("OneStream")
                                               : std::string("HundredStreams");
                         });

}  // namespace
}  // namespace hload::test
