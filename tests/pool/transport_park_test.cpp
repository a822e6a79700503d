// Parking (RoundTripper::park): a request that has to wait for a connection waits as an entry
// of the pool's queues, with no coroutine of its own, and the round_trip started when it is
// woken goes on with what it was delivered. The same pool rules hold as for a waiting
// coroutine: FIFO hand-over, the exact cap, cancellation leaving the queues at once.

#include <array>
#include <vector>

#include "tests/pool/transport_harness.hpp"

namespace hload::test {
namespace {

pool::TransportOptions capped_at(int n) {
  pool::TransportOptions o;
  o.max_conns_per_host = n;
  return o;
}

// Parker parks a request and, once woken, makes its round trip, as the engine's users do.
struct Parker final : pool::RequestTrace {
  pool::Request req;
  pool::Response resp;
  pool::Parked parked;
  asio::cancellation_signal cancel;
  std::optional<pool::GotConnInfo> info;
  std::optional<error_code> ec;
  bool parked_now = false;  // park returned false: no round trip under way until woken
  int wakes = 0;
  int got_conns = 0;
  std::function<void()> on_wake;

  void on_got_conn(const pool::GotConnInfo& i) override {
    info = i;
    ++got_conns;
  }
  bool done() const { return ec.has_value(); }
};

class TransportParkTest : public TransportTest {
 protected:
  // park parks p; when it is woken, or at once when it need not wait, its round trip runs.
  void park(Parker& p) {
    p.req.host = host_;
    p.req.wire = "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n";
    p.req.trace = &p;
    p.req.cancel = p.cancel.slot();
    p.req.parked = &p.parked;
    p.on_wake = [this, &p] { trip(p); };
    const auto wake = [](void* context) {
      auto* self = static_cast<Parker*>(context);
      ++self->wakes;
      self->on_wake();
    };
    p.parked_now = !t_->park(p.req, io_.get_executor(), wake, &p);
    if (!p.parked_now) trip(p);
  }

  // hold_the_only_conn makes a pool of one connection per host and has g hold its connection.
  void hold_the_only_conn(Getter& g) {
    make(capped_at(1));
    get(g);
    settle();
    dialer_.complete(0);
    settle();
    ASSERT_TRUE(g.ok());
  }

  void trip(Parker& p) {
    asio::co_spawn(
        io_,
        [this, &p]() -> asio::awaitable<void> { p.ec = co_await t_->round_trip(p.req, p.resp); },
        asio::detached);
  }
};

TEST_F(TransportParkTest, AnIdleConnectionIsTakenAtOnceAndNotAskedForTwice) {
  warm_conn();
  Parker p;
  park(p);
  EXPECT_FALSE(p.parked_now);
  EXPECT_TRUE(p.parked.holds()) << "the stream park took waits for the round trip";
  settle();
  ASSERT_TRUE(p.done());
  EXPECT_FALSE(*p.ec);
  EXPECT_EQ(p.got_conns, 1) << "round_trip went on with park's stream";
  EXPECT_EQ(p.info->outcome, AcquireOutcome::idle);
  EXPECT_FALSE(p.parked.holds());
  EXPECT_EQ(dialer_.started(), 1);
  EXPECT_STATE(snap(), {.open = 1, .idle = 1});
}

TEST_F(TransportParkTest, ParkedRequestsAreHandedOverInOrderOnTwoConnections) {
  make(capped_at(2));
  dialer_.auto_complete = true;
  std::vector<Parker> p(50);
  for (auto& x : p) park(x);
  EXPECT_TRUE(p[0].parked_now) << "the first request waits for its dial";
  EXPECT_STATE(snap(), {.open = 2, .idle_waiters = 50, .permit_waiters = 48, .dials = 2});
  settle();
  for (auto& x : p) {
    ASSERT_TRUE(x.done());
    EXPECT_FALSE(*x.ec);
    EXPECT_EQ(x.wakes, 1);
    EXPECT_EQ(x.got_conns, 1);
  }
  EXPECT_EQ(dialer_.started(), 2);
  EXPECT_EQ(snap().max_open, 2);
  EXPECT_EQ(p[0].info->outcome, AcquireOutcome::dial);
  EXPECT_EQ(p[49].info->outcome, AcquireOutcome::handoff);
  EXPECT_TRUE(p[49].info->queued_at_limit);
  EXPECT_STATE(snap(), {.open = 2, .idle = 2});
}

TEST_F(TransportParkTest, HandOverFollowsTheOrderOfParking) {
  Getter holder;
  hold_the_only_conn(holder);
  std::array<Parker, 3> p;
  std::vector<int> order;
  for (int i = 0; i < 3; ++i) {
    park(p[i]);
    p[i].on_wake = [this, &p, &order, i] {
      order.push_back(i);
      trip(p[i]);
    };
  }
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 3, .permit_waiters = 3});
  put(holder);
  settle();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  for (auto& x : p) EXPECT_FALSE(*x.ec);
  EXPECT_STATE(snap(), {.open = 1, .idle = 1});
}

TEST_F(TransportParkTest, CancellingAParkedRequestLeavesTheQueuesAndWakesIt) {
  make(capped_at(1));
  Getter holder;
  get(holder);
  settle();
  Parker a, b;
  park(a);
  park(b);
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 3, .permit_waiters = 2, .dials = 1});
  a.cancel.emit(asio::cancellation_type::terminal);
  EXPECT_STATE(snap(), {.open = 1, .idle_waiters = 2, .permit_waiters = 1, .dials = 1})
      << "it leaves at once, before it is woken";
  settle();
  ASSERT_TRUE(a.done());
  EXPECT_EQ(*a.ec, asio::error::operation_aborted);
  EXPECT_EQ(a.wakes, 1);
  EXPECT_EQ(a.got_conns, 0);
  dialer_.complete(0);
  settle();
  put(holder);
  settle();
  ASSERT_TRUE(b.done());
  EXPECT_FALSE(*b.ec);
  EXPECT_STATE(snap(), {.open = 1, .idle = 1});
}

TEST_F(TransportParkTest, DeliveryBeforeTheWakeIsPostedIsNotLost) {
  Getter holder;
  hold_the_only_conn(holder);
  Parker p;
  park(p);
  put(holder);  // delivered at once; the wake is posted, not run
  EXPECT_EQ(p.wakes, 0);
  EXPECT_STATE(snap(), {.open = 1});
  settle();
  EXPECT_EQ(p.wakes, 1);
  ASSERT_TRUE(p.done());
  EXPECT_FALSE(*p.ec);
  EXPECT_EQ(p.info->outcome, AcquireOutcome::handoff);
}

TEST_F(TransportParkTest, ARetryAfterAParkedRequestAsksTheQueuesAnew) {
  // The server closed the idle connection; the FIN arrived too late to be seen.
  warm_conn()->script.push_back(FakeConnState::fails(asio::error::eof, true, false));
  Parker p;
  park(p);
  EXPECT_FALSE(p.parked_now);
  settle();
  ASSERT_TRUE(p.done());
  EXPECT_FALSE(*p.ec) << "retried on a new dial";
  EXPECT_EQ(p.got_conns, 2);
  EXPECT_EQ(p.info->outcome, AcquireOutcome::dial);
  EXPECT_EQ(dialer_.started(), 2);
}

}  // namespace
}  // namespace hload::test
