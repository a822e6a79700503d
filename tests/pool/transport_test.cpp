// Deterministic tests of the pool rules of docs/architecture.md#pool-rules, one group per rule.
// Each test drives the Transport step by step with a fake dialer and a manual clock; the harness
// checks the invariants of rule 11 after every step.

#include "pool/transport.hpp"

#include <array>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>

#include "tests/pool/transport_harness.hpp"

namespace hload::test {
namespace {

using namespace std::chrono_literals;

pool::TransportOptions capped(int max_conns_per_host, int max_idle = 100) {
  pool::TransportOptions o;
  o.max_conns_per_host = max_conns_per_host;
  o.max_idle_conns_per_host = max_idle;
  return o;
}

// ---- The harness: EXPECT_STATE names every field that differs ------------------------------

TEST(ExpectState, NamesEveryFieldThatDiffers) {
  pool::HostSnapshot s;
  s.open = 2;
  s.idle = 1;
  s.permit_waiters = 3;
  EXPECT_TRUE(state_is("s", "want", s, {.open = 2, .idle = 1, .permit_waiters = 3}));
  const ::testing::AssertionResult r = state_is("s", "want", s, {.open = 1, .idle = 1});
  ASSERT_FALSE(r);
  const std::string m = r.message();
  EXPECT_NE(m.find("open is 2, want 1"), std::string::npos) << m;
  EXPECT_NE(m.find("permit_waiters is 3, want 0"), std::string::npos) << m;
  EXPECT_EQ(m.find("idle is"), std::string::npos) << "idle matches: " << m;
}

// ---- Rule 1: looking and queueing are one step --------------------------------------------

// A connection released in the window between a requester's registration as a waiter and its
// suspension reaches it by hand-over; it is not parked in the idle list behind its back (the
// third race of Go's seed commit).
TEST_F(TransportTest, ConnReleasedBeforeWaiterSuspendsIsHandedOver) {
  bool pause = false;
  std::unique_ptr<asio::steady_timer> gate;
  auto o = capped(1);
  o.race_hook = [&](pool::RaceWindow w) -> asio::awaitable<void> {
    if (w != pool::RaceWindow::before_wait || !pause) co_return;
    gate = std::make_unique<asio::steady_timer>(co_await asio::this_coro::executor,
                                                asio::steady_timer::time_point::max());
    co_await gate->async_wait(asio::as_tuple(asio::use_awaitable));
  };
  make(o);
  Getter a, b;
  get_dialed(a, 0);
  ASSERT_TRUE(a.ok());

  pause = true;
  get(b);
  settle();
  ASSERT_TRUE(gate) << "b should be paused between queueing and suspending";
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 1, .permit_waiters = 1});
  put(a);  // released while b is in the window
  settle();
  EXPECT_STATE(snap(), {.open = 1}) << "the connection must not sit idle while b waits";
  gate->cancel();
  settle();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.got->info.outcome, AcquireOutcome::handoff);
  EXPECT_EQ(dialer_.started(), 1);
}

// A connection released just before a requester looks is found in the idle list.
TEST_F(TransportTest, ConnReleasedBeforeLookingIsFoundIdle) {
  make(capped(1));
  Getter a, b;
  get_dialed(a, 0);
  put(a);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle = 1});
  get(b);
  settle();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.got->info.outcome, AcquireOutcome::idle);
  EXPECT_EQ(dialer_.started(), 1);
}

// ---- Rule 2: most recently used first; broken and expired entries skipped --------------------

TEST_F(TransportTest, IdleListHandsOutNewestFirst) {
  make(capped(0));
  std::array<Getter, 3> g;
  for (auto& x : g) get(x);
  settle();
  for (int i = 0; i < 3; ++i) dialer_.complete(i);
  settle();
  std::vector<int> order;
  for (auto& x : g) {
    order.push_back(x.conn_id());
    put(x);
    settle();
  }
  Getter next;
  get(next);
  settle();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next.conn_id(), order.back());
  EXPECT_EQ(next.got->info.outcome, AcquireOutcome::idle);
}

TEST_F(TransportTest, DeadIdleConnIsNeverHandedOut) {
  make(capped(0));
  Getter a, b, c;
  get(a);
  get(b);
  settle();
  dialer_.complete(0);
  dialer_.complete(1);
  settle();
  const int older = a.conn_id();
  const int newer = b.conn_id();
  put(a);
  put(b);
  settle();
  dialer_.conns()[newer]->peer_closed = true;  // the server closed it while idle
  get(c);
  settle();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.conn_id(), older);
  EXPECT_TRUE(dialer_.conns()[newer]->destroyed);
  EXPECT_EQ(closes(CloseReason::server_close), 1u);
}

TEST_F(TransportTest, IdleConnPastTimeoutIsClosedNotHandedOut) {
  auto o = capped(0);
  o.idle_conn_timeout = 90s;
  make(o);
  Getter a, b;
  get_dialed(a, 0);
  put(a);
  settle();
  clock_.advance(89s);
  get(b);
  settle();
  ASSERT_TRUE(b.ok()) << "within the timeout the idle connection is reused";
  put(b);
  settle();
  clock_.advance(90s);
  Getter c;
  get(c);
  settle();
  EXPECT_TRUE(c.waiting());
  EXPECT_EQ(dialer_.started(), 2) << "past the timeout a new connection is dialed";
  EXPECT_EQ(closes(CloseReason::idle_timeout), 1u);
  EXPECT_TRUE(dialer_.conns()[0]->destroyed);
  dialer_.complete(1);
  settle();
  EXPECT_TRUE(c.ok());
}

// ---- Rule 3: permit to dial ----------------------------------------------------------------

TEST_F(TransportTest, QueueForDialBlocksAtMaxConnsPerHost) {
  make(capped(2));
  std::array<Getter, 5> g;
  for (auto& x : g) get(x);
  settle();
  EXPECT_EQ(dialer_.started(), 2);
  EXPECT_STATE(snap(), {.open = 2, .idle_waiters = 5, .permit_waiters = 3, .dials = 2});
}

// Go's TestTransportMaxConnsPerHost, black-box: many concurrent requests with cap 2 make
// exactly 2 dials; after one connection closes, one more request makes exactly one more.
TEST_F(TransportTest, MaxConnsPerHostManyRequestsTwoDials) {
  make(capped(2));
  dialer_.auto_complete = true;
  std::vector<Caller> calls(50);
  for (auto& c : calls) call(c);
  settle();
  for (auto& c : calls) {
    ASSERT_TRUE(c.done());
    EXPECT_FALSE(*c.ec);
  }
  EXPECT_EQ(dialer_.started(), 2);
  EXPECT_EQ(snap().max_open, 2);
  EXPECT_STATE(snap(), {.open = 2, .idle = 2});

  // The server closes the next connection used: one of the two closes.
  for (auto& st : dialer_.conns()) st->script.push_back(FakeConnState::server_closes());
  Caller closer;
  call(closer);
  settle();
  ASSERT_TRUE(closer.done());
  EXPECT_STATE(snap(), {.open = 1, .idle = 1});
  for (auto& st : dialer_.conns()) st->script.clear();
  Caller after;
  call(after);
  settle();
  EXPECT_EQ(after.info->outcome, AcquireOutcome::idle) << "the other one is reused";
  // Two at once then need exactly one more dial.
  std::shared_ptr<FakeConnState> survivor;
  for (auto& st : dialer_.conns()) {
    if (!st->destroyed) survivor = st;
  }
  ASSERT_TRUE(survivor);
  survivor->hold_responses = true;
  Caller x, y;
  call(x);
  call(y);
  settle();
  survivor->hold_responses = false;
  survivor->release_response();
  settle();
  EXPECT_FALSE(*x.ec);
  EXPECT_FALSE(*y.ec);
  EXPECT_EQ(dialer_.started(), 3);
  EXPECT_EQ(closes(CloseReason::server_close), 1u);
}

// ---- Rule 4: late binding ------------------------------------------------------------------

// Go's TestTransportSocketLateBinding: a waiter whose own dial is stalled takes the connection
// another request releases; the stalled dial then serves the next waiter.
TEST_F(TransportTest, LateBindingWaiterTakesReleasedConnAndDialServesNext) {
  make(capped(2));
  Getter a, b, c;
  get_dialed(a, 0);
  get(b);  // its dial (#1) stalls
  settle();
  get(c);  // at the limit: queued for a permit
  settle();
  EXPECT_STATE(snap(), {.open = 2, .idle_waiters = 2, .permit_waiters = 1, .dials = 1});
  put(a);
  settle();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.got->info.outcome, AcquireOutcome::handoff);
  EXPECT_STATE(snap(), {.open = 2, .idle_waiters = 1, .dials = 1}) << "b's dial passed to c";
  ASSERT_TRUE(c.waiting());
  dialer_.complete(1);
  settle();
  ASSERT_TRUE(c.ok());
  EXPECT_STATE(snap(), {.open = 2});
  EXPECT_EQ(c.got->info.outcome, AcquireOutcome::dial);
  EXPECT_EQ(dialer_.started(), 2);
  EXPECT_EQ(snap().counters.dials_cancelled, 0u);
}

// When the stalled dial finishes after its waiter was served and nobody else waits, it is not
// wasted: nobody adopted it, so it goes to the idle list.
TEST_F(TransportTest, LateDialNobodyWaitsForGoesIdle) {
  make(capped(0));
  Getter a, b;
  get_dialed(a, 0);
  get(b);
  settle();
  EXPECT_EQ(dialer_.started(), 2);
  put(a);               // b is served by hand-over; its dial is left unowned ...
  dialer_.complete(1);  // ... and connects with nobody waiting
  settle();
  ASSERT_TRUE(b.ok());
  EXPECT_STATE(snap(), {.open = 2, .idle = 1});
  EXPECT_FALSE(dialer_.conns()[1]->destroyed);
  EXPECT_EQ(snap().counters.dials_cancelled, 0u);
}

// ---- Rule 5: nothing wasted or leaked --------------------------------------------------------

TEST_F(TransportTest, DialOfCancelledWaiterServesNextWaiter) {
  make(capped(1));
  Getter a, b;
  get(a);
  settle();
  get(b);  // queued for the permit a's dial holds
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 2, .permit_waiters = 1, .dials = 1});
  a.cancel.emit(asio::cancellation_type::terminal);
  settle();
  ASSERT_TRUE(a.got.has_value());
  EXPECT_EQ(a.got->ec, asio::error::operation_aborted);
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 1, .dials = 1}) << "the dial now serves b";
  dialer_.complete(0);
  settle();
  ASSERT_TRUE(b.ok());
  EXPECT_STATE(snap(), {.open = 1});
  EXPECT_EQ(dialer_.started(), 1);
  EXPECT_EQ(snap().counters.dials_cancelled, 0u);
}

TEST_F(TransportTest, FailedDialDropsCountOncePassingPermitOn) {
  make(capped(1));
  Getter a, b;
  get(a);
  get(b);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 2, .permit_waiters = 1, .dials = 1});
  dialer_.fail(0, asio::error::connection_refused);
  settle();
  ASSERT_TRUE(a.got.has_value());
  EXPECT_EQ(a.got->ec, asio::error::connection_refused) << "the error reaches its own waiter";
  EXPECT_TRUE(b.waiting());
  EXPECT_EQ(dialer_.started(), 2) << "the permit passed to b, which dials";
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 1, .dials = 1});
  dialer_.fail(1, asio::error::connection_refused);
  settle();
  EXPECT_STATE(snap(), {});
  EXPECT_EQ(snap().counters.dials_failed, 2u);
}

// A closed connection's permit passes on only once the connection is destroyed: until then its
// socket is open, and a dial started with the permit would make the server see one connection
// over the limit (the stress test caught 9 open at a cap of 8 between two threads).
TEST_F(TransportTest, ClosedConnKeepsItsPermitUntilDestroyed) {
  make(capped(1));
  Getter a, b;
  get_dialed(a, 0);
  get(b);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 1, .permit_waiters = 1});
  std::optional<pool::HostSnapshot> while_destroyed;
  dialer_.conns()[0]->on_destroy = [&] { while_destroyed = snap(); };
  close(a);
  ASSERT_TRUE(while_destroyed.has_value());
  EXPECT_STATE(*while_destroyed, {.open = 1, .idle_waiters = 1, .permit_waiters = 1, .closing = 1})
      << "b is still held back while the connection is being destroyed";
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 1, .dials = 1}) << "then b's dial starts";
  settle();
  EXPECT_EQ(dialer_.started(), 2);
  dialer_.complete(1);
  settle();
  ASSERT_TRUE(b.ok());
  // With nobody held back, the count itself drops only after the destruction.
  dialer_.conns()[1]->on_destroy = [&] { while_destroyed = snap(); };
  close(b);
  EXPECT_STATE(*while_destroyed, {.open = 1, .closing = 1});
  EXPECT_STATE(snap(), {});
}

// Waiters cancelled while queued for a permit neither leak a permit nor strand another.
TEST_F(TransportTest, CancelledPermitWaitersLeakNothing) {
  make(capped(1));
  Getter a;
  std::array<Getter, 4> q;
  get_dialed(a, 0);
  for (auto& x : q) get(x);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 4, .permit_waiters = 4});
  q[0].cancel.emit(asio::cancellation_type::terminal);
  q[2].cancel.emit(asio::cancellation_type::terminal);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 2, .permit_waiters = 2})
      << "leavers leave the queue at once";
  ASSERT_TRUE(q[0].permit_wait.has_value()) << "a cancelled permit waiter still reports its wait";
  put(a);
  settle();
  ASSERT_TRUE(q[1].ok());
  put(q[1]);
  settle();
  ASSERT_TRUE(q[3].ok());
  put(q[3]);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle = 1});
  EXPECT_EQ(dialer_.started(), 1);
}

// Go's TestIdleConnChannelLeak: after the requests finish no waiter is left in any queue, with
// keep-alive on and off, over several keys.
TEST_F(TransportTest, NoWaiterLeftAfterRequestsKeepAliveOnAndOff) {
  for (bool keepalive : {true, false}) {
    auto o = capped(0);
    o.disable_keepalive = !keepalive;
    make(o);
    dialer_.auto_complete = true;
    std::vector<pool::HostPool*> hosts;
    for (int k = 0; k < 5; ++k) hosts.push_back(t_->host_for(key_of("h" + std::to_string(k))));
    std::vector<Caller> calls(25);
    for (size_t i = 0; i < calls.size(); ++i) call(calls[i], hosts[i % hosts.size()]);
    settle();
    for (auto* h : hosts) {
      auto s = snap(h);
      EXPECT_EQ(s.idle_waiters, 0) << "keepalive=" << keepalive;
      EXPECT_EQ(s.permit_waiters, 0);
      EXPECT_EQ(s.dials_in_flight, 0);
      EXPECT_EQ(s.open, keepalive ? s.idle : 0);
    }
    for (auto& c : calls) EXPECT_FALSE(*c.ec);
  }
}

// ---- Rule 6: return after the body ---------------------------------------------------------

TEST_F(TransportTest, ConnReturnsOnlyAfterBodyIsRead) {
  make(capped(1));
  dialer_.auto_complete = true;
  Caller first, second;
  call(first);
  settle();
  ASSERT_EQ(dialer_.conns().size(), 1u);
  dialer_.conns()[0]->hold_responses = true;
  Caller held;
  call(held);  // takes the idle connection; its response is held mid-body
  settle();
  call(second);
  settle();
  EXPECT_FALSE(second.done()) << "the connection is busy until the body is read";
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 1, .permit_waiters = 1});
  dialer_.conns()[0]->hold_responses = false;
  dialer_.conns()[0]->release_response();
  settle();
  ASSERT_TRUE(held.done());
  ASSERT_TRUE(second.done());
  EXPECT_FALSE(*second.ec);
  EXPECT_EQ(second.info->outcome, AcquireOutcome::handoff);
  EXPECT_TRUE(second.info->reused);
  EXPECT_EQ(dialer_.started(), 1);
}

TEST_F(TransportTest, ConnectionCloseAndErrorsCloseTheConn) {
  warm_conn()->script.push_back(FakeConnState::server_closes());
  Caller closing;
  call(closing);
  settle();
  EXPECT_FALSE(*closing.ec);
  EXPECT_TRUE(dialer_.conns()[0]->destroyed);
  EXPECT_EQ(closes(CloseReason::server_close), 1u);

  Caller warm2;
  call(warm2);
  settle();
  // A protocol error after some of the response arrived.
  dialer_.conns()[1]->script.push_back(
      FakeConnState::fails(boost::asio::error::invalid_argument, true, true));
  Caller failing;
  call(failing);
  settle();
  EXPECT_TRUE(*failing.ec);
  EXPECT_TRUE(dialer_.conns()[1]->destroyed);
  EXPECT_EQ(closes(CloseReason::error), 1u);
  EXPECT_STATE(snap(), {});
}

// A response the server broke (bytes after it, or a malformed one) closes its connection as
// protocol, not as a server close or an I/O error.
TEST_F(TransportTest, BrokenHttpClosesAsProtocol) {
  warm_conn()->script.push_back(FakeConnState::junk_after_response());
  Caller junk;
  call(junk);
  settle();
  EXPECT_FALSE(*junk.ec) << "the response itself was whole";
  EXPECT_TRUE(dialer_.conns()[0]->destroyed);
  EXPECT_EQ(closes(CloseReason::protocol), 1u);

  Caller warm2;
  call(warm2);
  settle();
  dialer_.conns()[1]->script.push_back(
      FakeConnState::fails(boost::beast::http::error::bad_version, true, true));
  Caller malformed;
  call(malformed);
  settle();
  EXPECT_EQ(*malformed.ec, boost::beast::http::error::bad_version);
  EXPECT_EQ(closes(CloseReason::protocol), 2u);
  EXPECT_EQ(closes(CloseReason::error), 0u);
  EXPECT_EQ(closes(CloseReason::server_close), 0u);
}

// With keep-alive off the client closes each connection itself: client_close, even when the
// server also said Connection: close.
TEST_F(TransportTest, DisabledKeepAliveClosesAsClientClose) {
  auto o = capped(0);
  o.disable_keepalive = true;
  make(o);
  dialer_.auto_complete = true;
  Caller a;
  call(a);
  settle();
  dialer_.conns()[0]->script.push_back(FakeConnState::server_closes());
  Caller b;
  call(b);
  settle();
  EXPECT_FALSE(*a.ec);
  EXPECT_FALSE(*b.ec);
  EXPECT_EQ(closes(CloseReason::client_close), 2u);
  EXPECT_EQ(closes(CloseReason::server_close), 0u);
  EXPECT_STATE(snap(), {});
}

// A request aborted because the run ended closes its connection as run_end; the same abort
// before the end (a timeout) is an error.
TEST_F(TransportTest, RequestAbortedByTheRunsEndClosesAsRunEnd) {
  warm_conn()->hold_responses = true;
  Caller timed_out;
  call(timed_out);
  settle();
  timed_out.cancel.emit(asio::cancellation_type::terminal);
  settle();
  EXPECT_EQ(closes(CloseReason::error), 1u);

  Caller warm2;
  call(warm2);
  settle();
  dialer_.conns()[1]->hold_responses = true;
  Caller at_end;
  call(at_end);
  settle();
  t_->shut_down();
  at_end.cancel.emit(asio::cancellation_type::terminal);
  settle();
  ASSERT_TRUE(at_end.done());
  EXPECT_EQ(*at_end.ec, asio::error::operation_aborted);
  EXPECT_EQ(closes(CloseReason::run_end), 1u);
  EXPECT_EQ(closes(CloseReason::error), 1u);
  EXPECT_STATE(snap(), {});
}

TEST_F(TransportTest, RequestAbandonedMidResponseClosesConn) {
  make(capped(1));
  dialer_.auto_complete = true;
  Caller warm;
  call(warm);
  settle();
  dialer_.conns()[0]->hold_responses = true;
  Caller held;
  call(held);
  settle();
  held.cancel.emit(asio::cancellation_type::terminal);
  settle();
  ASSERT_TRUE(held.done());
  EXPECT_EQ(*held.ec, asio::error::operation_aborted);
  EXPECT_EQ(held.retries, 0);
  EXPECT_TRUE(dialer_.conns()[0]->destroyed);
  EXPECT_STATE(snap(), {});
}

// ---- Rule 7: hand-over before idling; idle caps --------------------------------------------

// Go's TestTransportMaxPerHostIdleConns: three held connections, idle cap 2: idle counts go
// 1, 2, 2 and the third is closed.
TEST_F(TransportTest, MaxPerHostIdleConns) {
  make(capped(0, 2));
  std::array<Getter, 3> g;
  for (auto& x : g) get(x);
  settle();
  for (int i = 0; i < 3; ++i) dialer_.complete(i);
  settle();
  std::vector<int> idle;
  for (auto& x : g) {
    put(x);
    settle();
    idle.push_back(snap().idle);
  }
  EXPECT_EQ(idle, (std::vector<int>{1, 2, 2}));
  EXPECT_EQ(closes(CloseReason::idle_overflow), 1u);
  EXPECT_STATE(snap(), {.open = 2, .idle = 2});
}

TEST_F(TransportTest, HandOverIgnoresIdleCap) {
  make(capped(1, 0));
  Getter a, b;
  get_dialed(a, 0);
  get(b);
  settle();
  put(a);
  settle();
  ASSERT_TRUE(b.ok()) << "a waiter gets the connection even with no idle room";
  put(b);
  settle();
  EXPECT_STATE(snap(), {});
  EXPECT_EQ(closes(CloseReason::idle_overflow), 1u);
}

TEST_F(TransportTest, GlobalIdleCapEvictsLeastRecentlyUsed) {
  auto o = capped(0);
  o.max_idle_conns = 2;
  make(o);
  std::vector<pool::HostPool*> hosts;
  std::vector<Getter> g(3);
  for (int k = 0; k < 3; ++k) {
    hosts.push_back(t_->host_for(key_of("h" + std::to_string(k))));
    get(g[k], hosts[k]);
  }
  settle();
  for (int i = 0; i < 3; ++i) dialer_.complete(i);
  settle();
  for (int k = 0; k < 3; ++k) {
    put(g[k]);
    settle();
  }
  EXPECT_STATE(snap(hosts[0]), {}) << "the oldest idle connection, of any key, is closed";
  EXPECT_STATE(snap(hosts[1]), {.open = 1, .idle = 1});
  EXPECT_STATE(snap(hosts[2]), {.open = 1, .idle = 1});
  EXPECT_EQ(closes(CloseReason::idle_overflow, hosts[0]), 1u);
}

// Go's TestTransportCloseIdleConnsThenReturn: after close_idle_connections, a connection that
// comes back is closed too, until the next get_conn.
TEST_F(TransportTest, CloseIdleConnsThenReturn) {
  make(capped(0));
  Getter a, b;
  get(a);
  get(b);
  settle();
  dialer_.complete(0);
  dialer_.complete(1);
  settle();
  put(a);
  settle();
  t_->close_idle_connections();
  settle();
  EXPECT_STATE(snap(), {.open = 1});
  put(b);
  settle();
  EXPECT_STATE(snap(), {}) << "returned after close_idle_connections: closed";
  EXPECT_EQ(closes(CloseReason::run_end), 2u);
  Getter c;
  get_dialed(c, 2);
  put(c);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle = 1}) << "a checkout clears the flag";
}

// ---- Rule 9: retry on a stale connection ---------------------------------------------------

TEST_F(TransportTest, StaleConnGetIsRetriedOnceOnNewDial) {
  make(capped(0));
  dialer_.auto_complete = true;
  Caller warm;
  call(warm);
  settle();
  // The server closed the idle connection; the FIN arrived too late to be seen.
  dialer_.conns()[0]->script.push_back(FakeConnState::fails(asio::error::eof, true, false));
  Caller c;
  call(c);
  settle();
  ASSERT_TRUE(c.done());
  EXPECT_FALSE(*c.ec);
  EXPECT_EQ(c.retries, 1);
  EXPECT_EQ(t_->retries(), 1u);
  EXPECT_EQ(dialer_.started(), 2);
}

TEST_F(TransportTest, StalePostWithBodyWrittenIsNotRetried) {
  warm_conn()->script.push_back(FakeConnState::fails(asio::error::eof, true, false));
  Caller post;
  call(post, nullptr, /*replayable=*/false);
  settle();
  ASSERT_TRUE(post.done());
  EXPECT_EQ(*post.ec, asio::error::eof);
  EXPECT_EQ(post.retries, 0);
  EXPECT_EQ(dialer_.started(), 1);
}

TEST_F(TransportTest, StalePostWithNothingWrittenIsRetried) {
  warm_conn()->script.push_back(FakeConnState::fails(asio::error::broken_pipe, false, false));
  Caller post;
  call(post, nullptr, /*replayable=*/false);
  settle();
  EXPECT_FALSE(*post.ec);
  EXPECT_EQ(post.retries, 1);
}

TEST_F(TransportTest, FreshConnFailureIsNotRetried) {
  make(capped(0));
  Caller c;
  // The first connection's first exchange fails: retrying would dial endlessly.
  call(c);
  settle();
  auto st = dialer_.complete(0);
  st->script.push_back(FakeConnState::fails(asio::error::eof, true, false));
  settle();
  ASSERT_TRUE(c.done());
  EXPECT_EQ(*c.ec, asio::error::eof);
  EXPECT_EQ(c.retries, 0);
  EXPECT_EQ(dialer_.started(), 1);
}

TEST_F(TransportTest, FailureAfterResponseBytesIsNotRetried) {
  warm_conn()->script.push_back(FakeConnState::fails(asio::error::eof, true, true));
  Caller c;
  call(c);
  settle();
  EXPECT_EQ(*c.ec, asio::error::eof);
  EXPECT_EQ(c.retries, 0);
}

// ---- Rule 10: better than Go ---------------------------------------------------------------

// A dial whose waiter was served by a hand-over is not thrown away half made: it is left
// unowned and the next waiter adopts it instead of dialing again, so a server that closes
// connections does not set off a dial storm (the literal Go fix, cancelling it, made nginx
// accept 7x the connections needed at keepalive_requests 100).
TEST_F(TransportTest, OrphanedDialIsAdoptedByTheNextWaiter) {
  make(capped(0));
  std::array<Getter, 2> held;
  for (auto& x : held) get(x);
  settle();
  dialer_.complete(0);
  dialer_.complete(1);
  settle();
  std::array<Getter, 3> w;
  for (auto& x : w) get(x);
  settle();
  EXPECT_STATE(snap(), {.open = 5, .idle_waiters = 3, .dials = 3});
  put(held[0]);
  put(held[1]);
  settle();
  EXPECT_TRUE(w[0].ok());
  EXPECT_TRUE(w[1].ok());
  // w[2] still owns its dial; the dials of w[0] and w[1] wait for adoption.
  EXPECT_STATE(snap(), {.open = 5, .idle_waiters = 1, .dials = 1, .unowned = 2});
  EXPECT_EQ(snap().counters.dials_cancelled, 0u);

  Getter next;
  get(next);
  settle();
  EXPECT_EQ(dialer_.started(), 5) << "the next waiter adopts a dial instead of dialing";
  EXPECT_STATE(snap(), {.open = 5, .idle_waiters = 2, .dials = 2, .unowned = 1});
  EXPECT_EQ(snap().counters.dials_adopted, 1u);
  dialer_.complete(2);
  settle();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next.got->info.outcome, AcquireOutcome::dial);

  // The last unowned dial finishes with nobody left to adopt it: the oldest waiter (w[2], whose
  // own dial then becomes unowned) or the idle list takes the connection; nothing is closed.
  dialer_.complete(3);
  settle();
  ASSERT_TRUE(w[2].ok());
  EXPECT_STATE(snap(), {.open = 5, .unowned = 1});
  dialer_.complete(4);
  settle();
  EXPECT_STATE(snap(), {.open = 5, .idle = 1}) << "every dial became a connection";
  EXPECT_EQ(closes(CloseReason::error) + closes(CloseReason::idle_overflow), 0u);
}

// A hung endpoint with short request timeouts: each new request adopts the dial the last one
// left, so dials stay bounded by the live waiters instead of piling up with every request
// (Go #76784, #71308).
TEST_F(TransportTest, HungDialsDoNotPileUp) {
  make(capped(0));
  for (int i = 0; i < 100; ++i) {
    Getter g;
    get(g);
    settle();
    g.cancel.emit(asio::cancellation_type::terminal);  // the request times out
    settle();
    ASSERT_EQ(g.got->ec, asio::error::operation_aborted);
  }
  EXPECT_EQ(dialer_.started(), 1);
  EXPECT_EQ(snap().counters.dials_adopted, 99u);
  EXPECT_STATE(snap(), {.open = 1, .unowned = 1});
  // At the end of the run the dial nobody waits for is cancelled.
  t_->close_idle_connections();
  settle();
  EXPECT_EQ(snap().counters.dials_cancelled, 1u);
  EXPECT_TRUE(dialer_.at(0).cancelled);
  EXPECT_STATE(snap(), {});
}

// When a run is stopped, a dial nobody waits for any more is cancelled at once: a hung connect
// must not hold up the end of the run.
TEST_F(TransportTest, ShutDownCancelsDialsNobodyWaitsFor) {
  make(capped(0));
  Getter a, b;
  get(a);
  get(b);
  settle();
  a.cancel.emit(asio::cancellation_type::terminal);
  settle();
  EXPECT_STATE(snap(), {.open = 2, .idle_waiters = 1, .dials = 1, .unowned = 1});
  t_->shut_down();
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 1, .dials = 1});
  EXPECT_TRUE(dialer_.at(0).cancelled);
  b.cancel.emit(asio::cancellation_type::terminal);  // after shut_down: cancelled at once
  settle();
  EXPECT_TRUE(dialer_.at(1).cancelled);
  EXPECT_EQ(snap().counters.dials_cancelled, 2u);
  EXPECT_STATE(snap(), {});
}

// A waiter that leaves is removed from its queues at once, not when it reaches the front
// (Go #33849).
TEST_F(TransportTest, LeavingWaiterLeavesQueuesAtOnce) {
  make(capped(1));
  Getter a;
  get(a);
  settle();
  std::vector<Getter> q(100);
  for (auto& x : q) get(x);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 101, .permit_waiters = 100, .dials = 1});
  for (size_t i = 0; i + 1 < q.size(); ++i) q[i].cancel.emit(asio::cancellation_type::terminal);
  settle();
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 2, .permit_waiters = 1, .dials = 1});
  dialer_.complete(0);
  settle();
  put(a);
  settle();
  EXPECT_TRUE(q.back().ok());
}

TEST_F(TransportTest, GlobalConnCapSpansHosts) {
  auto o = capped(0);
  o.max_conns = 1;
  make(o);
  auto* h1 = t_->host_for(key_of("one"));
  auto* h2 = t_->host_for(key_of("two"));
  Getter a, b;
  get(a, h1);
  settle();
  get(b, h2);
  settle();
  EXPECT_EQ(dialer_.started(), 1);
  EXPECT_STATE(snap(h2), {.idle_waiters = 1, .permit_waiters = 1});
  dialer_.complete(0);
  settle();
  close(a);
  settle();
  EXPECT_EQ(dialer_.started(), 2) << "the freed global slot goes to the other host's waiter";
  dialer_.complete(1);
  settle();
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b.permit_wait.has_value());
}

// ---- Rule 11: the end state ----------------------------------------------------------------

TEST_F(TransportTest, EverythingBackToZeroAfterCloseIdleConnections) {
  make(capped(2));
  dialer_.auto_complete = true;
  std::vector<Caller> calls(40);
  for (auto& c : calls) call(c);
  settle();
  t_->close_idle_connections();
  settle();
  EXPECT_STATE(snap(), {});
  EXPECT_EQ(closes(CloseReason::run_end), 2u);
}

// Failed dials hold a permit while they last but are never connections: connected counts only
// what a dial made, so "max open" cannot read 1000 when the system let 246 through.
TEST_F(TransportTest, FailedDialsNeverCountAsConnected) {
  make(capped(0));
  std::array<Getter, 4> g;
  for (auto& x : g) get(x);
  settle();
  EXPECT_EQ(snap().open, 4);
  EXPECT_EQ(snap().connected, 0);
  dialer_.complete(0);
  for (int i = 1; i < 4; ++i) dialer_.fail(i, asio::error::no_descriptors);
  settle();
  const auto s = snap();
  EXPECT_EQ(s.max_open, 4) << "four permits were taken at once";
  EXPECT_EQ(s.connected, 1);
  EXPECT_EQ(s.max_connected, 1);
  put(g[0]);
  settle();
  EXPECT_EQ(snap().connected, 1) << "an idle connection is still connected";
  t_->close_idle_connections();
  settle();
  EXPECT_EQ(snap().connected, 0);
  EXPECT_EQ(snap().max_connected, 1);
}

// A request tells whether the limit held it back and for how long, whichever way it was
// served: the engine splits waits for a released connection from waits for a dial permit.
TEST_F(TransportTest, GotConnSaysWhetherTheLimitHeldTheRequestBack) {
  make(capped(1));
  Getter a, b, c;
  get_dialed(a, 0);
  EXPECT_FALSE(a.got->info.queued_at_limit) << "a got a permit at once";
  get(b);
  settle();
  clock_.advance(10ms);
  put(a);  // b is served by a hand-over
  settle();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.got->info.outcome, AcquireOutcome::handoff);
  EXPECT_TRUE(b.got->info.queued_at_limit);
  EXPECT_EQ(b.got->info.permit_wait, pool::Duration(10ms));

  get(c);
  settle();
  clock_.advance(5ms);
  close(b);  // the connection closes: its permit passes to c, which dials
  settle();
  clock_.advance(2ms);
  dialer_.complete(1);
  settle();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.got->info.outcome, AcquireOutcome::dial);
  EXPECT_TRUE(c.got->info.queued_at_limit);
  EXPECT_EQ(c.got->info.permit_wait, pool::Duration(5ms));
  EXPECT_EQ(c.got->info.dial_time, pool::Duration(2ms));
  EXPECT_EQ(c.got->info.wait, pool::Duration(7ms));
}

// Host keys are numbered in the order they were first asked for, so the engine can keep its
// per-host statistics in arrays.
TEST_F(TransportTest, HostIndexesFollowFirstUse) {
  make(capped(0));
  EXPECT_EQ(host_->index, 0);
  pool::HostPool* b = t_->host_for(key_of("b.test"));
  pool::HostPool* c = t_->host_for(key_of("c.test"));
  EXPECT_EQ(b->index, 1);
  EXPECT_EQ(c->index, 2);
  EXPECT_EQ(t_->host_for(key_of("b.test")), b);
  EXPECT_EQ(t_->host_for(key_of("a.test")), host_);
}

// Wait times come from the pool's clock: a request queued for a permit reports exactly how long,
// and a connection taken reports when.
TEST_F(TransportTest, PermitWaitIsMeasuredOnThePoolClock) {
  make(capped(1));
  Getter a, b;
  get_dialed(a, 0);
  get(b);
  settle();
  clock_.advance(25ms);
  put(a);
  settle();
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(b.permit_wait.has_value());
  EXPECT_EQ(*b.permit_wait, pool::Duration(25ms));
  EXPECT_EQ(b.got->info.wait, pool::Duration(25ms));
  // `at` is when the connection was held: the engine's got-connection time.
  EXPECT_EQ(b.got->info.at, clock_.now());

  // Taken from the idle list at once, on the same reading of the clock.
  put(b);
  settle();
  clock_.advance(3ms);
  Getter c;
  get(c);
  settle();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.got->info.outcome, AcquireOutcome::idle);
  EXPECT_EQ(c.got->info.idle_time, pool::Duration(3ms));
  EXPECT_EQ(c.got->info.at, clock_.now());
}

}  // namespace
}  // namespace hload::test
