#include "pool/transport.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/container/small_vector.hpp>

#include "pool/bug.hpp"
#include "pool/dial_plan.hpp"
#include "pool/errors.hpp"

namespace hload::pool {

namespace {

template <class Handler>
std::unique_ptr<Resume> make_resume(Handler&& h) {
  return std::make_unique<ResumeHandler<std::decay_t<Handler>>>(std::forward<Handler>(h));
}

bool is_eof(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe;
}

}  // namespace

// Deferred collects what a locked step decided and must happen after the lock is released:
// resuming waiters, destroying connections, starting and cancelling dials, observer calls.
struct Transport::Deferred {
  struct Wake {
    std::unique_ptr<Resume> resume;
    asio::any_io_executor executor;
    error_code ec;
  };
  struct Closing {
    std::unique_ptr<PooledConn> pc;
    HostPool* host;  // the connection's, kept for handing its permit on once it is destroyed
    CloseReason why;
  };
  struct Lists {
    boost::container::small_vector<Wake, 2> wake;
    boost::container::small_vector<Closing, 2> closing;
    boost::container::small_vector<std::shared_ptr<Dial>, 2> spawn;
    boost::container::small_vector<std::shared_ptr<Dial>, 2> cancel;
  };
  // The steps of a request that finds an idle connection and gives it back defer nothing, so
  // the lists are made by the first thing deferred: making and destroying four empty lists
  // was about 150 instructions a request (docs/performance.md#hot-path).
  std::optional<Lists> lists;

  Lists& add() { return lists ? *lists : lists.emplace(); }
};

// ConnLink is what a connection calls with its news. It outlives the pool's hold on the
// connection (an HTTP/2 connection's reader may still run when the pool closes it): the pool
// clears `pc` under its lock when it lets go, and news after that is dropped.
struct ConnLink final : ConnEvents {
  ConnLink(Transport& t, PooledConn* p) : transport(t), pc(p) {}
  void on_conn_changed() override { transport.conn_changed(*this); }

  Transport& transport;
  PooledConn* pc;  // guarded by the transport's lock; null once closed
};

Transport::Transport(TransportOptions options, Dialer& dialer, const Clock& clock,
                     ConnObserver* observer)
    : options_(std::move(options)), dialer_(dialer), clock_(clock), observer_(observer) {}

Transport::~Transport() {
  // Whatever is still open is closed: idle connections, and any a request still holds (the
  // contract is that none does, but a test or an aborted run must not leak them). A request
  // still suspended in get_conn is owned by its own stored handler; destroying the handler
  // destroys its coroutine frames, the waiter among them, so it is unlinked first.
  for (auto& [key, h] : hosts_) {
    h->permit_waiters.clear();
    for (Dial& d : h->dials) d.owners.clear();
    for (Dial& d : h->unowned_dials) d.owners.clear();
    h->roomy.clear();
    while (!h->idle_waiters.empty()) {
      WantConn& w = h->idle_waiters.front();
      h->idle_waiters.pop_front();
      w.dial = nullptr;
      std::unique_ptr<Resume> resume = std::move(w.resume);
    }
  }
  idle_lru_.clear();
  for (auto& [key, h] : hosts_) {
    h->idle.clear();
    h->busy.clear();
  }
  open_conns_.clear_and_dispose([](PooledConn* pc) {
    if (pc->link) pc->link->pc = nullptr;
    delete pc;
  });
}

HostPool* Transport::host_for(const ConnKey& key) {
  auto l = lock();
  auto& slot = hosts_[key];
  if (!slot) slot = std::make_unique<HostPool>(key, static_cast<int>(hosts_.size()) - 1);
  return slot.get();
}

asio::awaitable<error_code> Transport::round_trip(const Request& req, Response& resp) {
  int stale_retries = 0;
  int refused_retries = 0;
  for (;;) {
    // What park left is the first try's connection; a retry asks anew. A request that did not
    // park asks in get_conn, whose frame holds the waiter: this frame, which every request
    // under way has, does not (docs/performance.md#memory).
    std::optional<Acquired> got =
        req.parked ? take_parked(*req.parked, req.trace, req.cancel) : std::nullopt;
    if (!got) got = co_await get_conn(req.host, req.trace, req.cancel);
    if (got->ec) co_return got->ec;
    PooledConn* pc = got->conn;
    // A connection that carried a request or sat idle may have been closed by the server in
    // the meantime; a fresh dial failing is a real failure and is never retried.
    const bool may_be_stale = got->info.reused || got->info.was_idle;
    resp = Response{};
    const ConnResult r = co_await pc->conn->round_trip(req, resp);
    // Asio leaves a finished operation's cancellation handler in the slot, and it points into
    // the socket: once the connection is released (and perhaps closed), a cancel emitted on the
    // request must reach nothing.
    if (asio::cancellation_slot slot = req.cancel; slot.is_connected()) slot.clear();
    if (!r.ec) {
      if (options_.race_hook) [[unlikely]]
        co_await options_.race_hook(RaceWindow::before_put);
      release(pc, true, pc->conn->reusable(),
              options_.disable_keepalive ? CloseReason::client_close : pc->conn->close_reason());
      co_return error_code{};
    }
    // An HTTP/2 server that refused the stream did not process it: it is sent again on
    // another connection, whatever the method. The connection itself may still be good.
    if (r.ec == Errc::refused_stream) {
      const bool served_others = release(pc, false, pc->conn->reusable(), pc->conn->close_reason());
      if (!served_others) {
        if (refused_retries == kRefusedRetries) co_return r.ec;
        ++refused_retries;
      }
      {
        auto l = lock();
        ++retries_;
        ++req.host->counters.refused_retries;
      }
      if (req.trace) req.trace->on_retry();
      continue;
    }
    const bool retry = stale_retries == 0 && may_be_stale && !r.got_any &&
                       (req.replayable || !r.wrote_any) && is_eof(r.ec);
    // A failed stream on a multiplexed connection that still takes streams (a reset, a
    // cancel) leaves it be; anything else ends the connection.
    const bool conn_ok = pc->conn->protocol() == "h2" && pc->conn->reusable() && !is_eof(r.ec);
    release(pc, false, conn_ok, conn_ok ? pc->conn->close_reason() : failure_close_reason(r));
    if (!retry) co_return r.ec;
    ++stale_retries;
    {
      auto l = lock();
      ++retries_;
    }
    if (req.trace) req.trace->on_retry();
  }
}

CloseReason Transport::failure_close_reason(const ConnResult& r) const {
  if (r.ec == asio::error::operation_aborted && shut_down_.load(std::memory_order_relaxed)) {
    return CloseReason::run_end;  // the run ended while the request was under way
  }
  if (is_eof(r.ec) && !r.got_any) return CloseReason::server_close;
  // The parser's own errors mean the server broke HTTP; a response cut short by a close is an
  // I/O failure like a reset.
  namespace http = boost::beast::http;
  if ((r.ec.category() == make_error_code(http::error::bad_version).category() &&
       r.ec != http::error::partial_message && r.ec != http::error::end_of_stream) ||
      r.ec == Errc::h2_protocol) {
    return CloseReason::protocol;
  }
  return CloseReason::error;
}

void Transport::ask(WantConn& w, HostPool* host, RequestTrace* trace) {
  w.host = host;
  w.asked_at = clock_.now();
  if (trace) trace->on_get_conn();
}

bool Transport::park(const Request& req, const asio::any_io_executor& executor, WakeFn wake,
                     void* context) {
  if (!req.parked) return true;
  Parked& p = *req.parked;
  WantConn& w = p.state_.emplace<WantConn>();
  ask(w, req.host, req.trace);
  w.executor = executor;
  if (std::optional<Acquired> got = take_at_once(w, req.trace)) {
    p.state_ = *got;
    return true;
  }
  suspend(w, req.cancel, make_resume([wake, context](error_code) { wake(context); }));
  return false;
}

std::optional<Acquired> Transport::take_parked(Parked& p, RequestTrace* trace,
                                               asio::cancellation_slot cancel) {
  std::optional<Acquired> got;
  if (auto* at_once = std::get_if<Acquired>(&p.state_)) {
    got = *at_once;
  } else if (auto* w = std::get_if<WantConn>(&p.state_)) {
    HLOAD_CHECK(w->done, "a parked request went on before it was delivered");
    got = delivered(*w, trace, cancel);
  }
  p.state_.emplace<std::monostate>();
  return got;
}

asio::awaitable<Acquired> Transport::get_conn(HostPool* host, RequestTrace* trace,
                                              asio::cancellation_slot cancel) {
  WantConn w;
  ask(w, host, trace);
  if (options_.race_hook) [[unlikely]]
    co_await options_.race_hook(RaceWindow::before_get_conn);
  w.executor = co_await asio::this_coro::executor;
  if (std::optional<Acquired> got = take_at_once(w, trace)) co_return *got;
  co_return co_await await_delivery(w, trace, cancel);
}

std::optional<Acquired> Transport::take_at_once(WantConn& w, RequestTrace* trace) {
  bool from_idle = false;
  TimePoint now;
  while (PooledConn* pc = take_stream_or_queue(w, from_idle, now)) {
    const Duration idle_for = from_idle ? now - pc->idle_since : Duration{};
    if (from_idle && idle_for >= options_.liveness_check_after && pc->conn->peer_closed()) {
      // Rule 2: a connection the server closed while it sat idle is never handed out.
      close_dead(pc);
      continue;
    }
    GotConnInfo info;
    info.outcome = AcquireOutcome::idle;
    info.reused = w.reused;
    info.was_idle = from_idle;
    info.idle_time = idle_for;
    info.at = now;
    info.wait = now - w.asked_at;
    if (trace) trace->on_got_conn(info);
    return Acquired{{}, pc, info};
  }
  return std::nullopt;
}

asio::awaitable<Acquired> Transport::await_delivery(WantConn& w, RequestTrace* trace,
                                                    asio::cancellation_slot cancel) {
  if (options_.race_hook) [[unlikely]]
    co_await options_.race_hook(RaceWindow::before_wait);
  co_await wait_for_delivery(w, cancel);
  co_return delivered(w, trace, cancel);
}

Acquired Transport::delivered(const WantConn& w, RequestTrace* trace,
                              asio::cancellation_slot cancel) {
  // Back on the requester's executor, where the slot was assigned: no cancellation may reach
  // this waiter once it is gone.
  if (cancel.is_connected()) cancel.clear();
  if (trace && w.queued_for_permit) trace->on_permit_wait(w.permit_wait);
  if (w.ec) return Acquired{w.ec, nullptr, {}};

  GotConnInfo info;
  info.outcome = w.outcome;
  info.reused = w.reused;
  info.at = clock_.now();
  info.wait = info.at - w.asked_at;
  info.dial_time = w.dial_time;
  info.dns_time = w.dns_time;
  info.tls = w.tls;
  info.tls_time = w.tls_time;
  info.queued_at_limit = w.queued_for_permit;
  info.permit_wait = w.permit_wait;
  if (trace) trace->on_got_conn(info);
  return Acquired{{}, w.conn, info};
}

PooledConn* Transport::take_stream_or_queue(WantConn& w, bool& from_idle, TimePoint& now) {
  HostPool& h = *w.host;
  Deferred later;
  PooledConn* pc;
  {
    // Rule 1: looking for a stream and queueing as a waiter are one locked step, so no
    // connection can make room unseen in between.
    auto l = lock();
    now = clock_.now();
    close_idle_ = false;
    expire_idle_locked(now, later);
    pc = take_stream_locked(h, from_idle);
    if (pc) {
      w.reused = pc->requests > 0;
      start_stream_locked(*pc);
    } else {
      h.idle_waiters.push_back(w);
      cover_locked(h, w, now, later);
    }
  }
  run(later);
  return pc;
}

void Transport::close_dead(PooledConn* pc) {
  Deferred later;
  {
    auto l = lock();
    --pc->streams;
    --pc->host->streams;
    drain_locked(*pc, CloseReason::server_close, later);
  }
  run(later);
}

asio::awaitable<std::tuple<error_code>> Transport::wait_for_delivery(
    WantConn& w, asio::cancellation_slot cancel) {
  auto initiate = [this, &w, cancel](auto handler) {
    suspend(w, cancel, make_resume(std::move(handler)));
  };
  constexpr auto kToken = asio::as_tuple(asio::use_awaitable);
  return asio::async_initiate<decltype(kToken), void(error_code)>(std::move(initiate), kToken);
}

void Transport::suspend(WantConn& w, asio::cancellation_slot cancel,
                        std::unique_ptr<Resume> resume) {
  Deferred later;
  {
    auto l = lock();
    if (w.done) {
      // Delivered between queueing and suspending (Go's third race): the result is already
      // recorded, so the requester resumes at once instead of being mistaken for gone.
      later.add().wake.push_back({std::move(resume), w.executor, w.ec});
    } else {
      if (cancel.is_connected()) {
        cancel.assign([this, &w](asio::cancellation_type) { cancel_waiter(w); });
      }
      w.resume = std::move(resume);
    }
  }
  run(later);
}

void Transport::cancel_waiter(WantConn& w) {
  Deferred later;
  {
    auto l = lock();
    if (w.done) return;  // delivered already; its resumption is on the way
    deliver_locked(w, nullptr, asio::error::operation_aborted, AcquireOutcome::dial, clock_.now(),
                   later);
  }
  run(later);
}

bool Transport::release(PooledConn* pc, bool served, bool reusable, CloseReason if_closed) {
  Deferred later;
  bool has_served = false;
  {
    auto l = lock();
    const TimePoint now = clock_.now();
    expire_idle_locked(now, later);
    if (served) ++pc->served;
    has_served = pc->served > 0;
    --pc->streams;
    --pc->host->streams;
    // An HTTP/2 server's GOAWAY may reach the pool first through the stream that ended with
    // it, before conn_changed: counted here then, once, as conn_changed would have.
    if (!reusable && !pc->draining && pc->conn->protocol() == "h2" &&
        pc->conn->close_reason() == CloseReason::server_close) {
      ++pc->host->counters.goaways;
    }
    if (!reusable || options_.disable_keepalive || pc->draining) {
      drain_locked(*pc, if_closed, later);
    } else {
      refresh_capacity_locked(*pc);
      offer_streams_locked(*pc, now, later);
      place_conn_locked(*pc, now, later);
    }
  }
  run(later);
  return has_served;
}

void Transport::conn_changed(ConnLink& link) {
  Deferred later;
  {
    auto l = lock();
    PooledConn* pc = link.pc;
    if (!pc || pc->draining) return;  // closed, or closing already
    const TimePoint now = clock_.now();
    if (!pc->conn->reusable()) {
      const CloseReason why = pc->conn->close_reason();
      if (why == CloseReason::server_close) ++pc->host->counters.goaways;
      drain_locked(*pc, why, later);
    } else {
      refresh_capacity_locked(*pc);
      offer_streams_locked(*pc, now, later);
      place_conn_locked(*pc, now, later);
    }
  }
  run(later);
}

void Transport::close_idle_connections() {
  Deferred later;
  {
    auto l = lock();
    close_idle_ = true;
    while (!idle_lru_.empty()) {
      PooledConn* pc = &idle_lru_.front();
      unplace_locked(*pc);
      close_conn_locked(pc, CloseReason::run_end, later);
    }
    // Dials nobody waits for would only open connections to close (Go >= 1.23 does the same).
    for (auto& [key, h] : hosts_) cancel_unowned_dials_locked(*h, later);
  }
  run(later);
}

void Transport::shut_down() {
  shut_down_.store(true, std::memory_order_relaxed);
  close_idle_connections();
}

PooledConn* Transport::take_stream_locked(HostPool& h, bool& from_idle) {
  // A connection already in use is filled before an idle one is woken, so that idle ones can
  // expire; each list hands out its newest (rule 2). Expired idle entries were closed by
  // expire_idle_locked.
  if (!h.busy.empty()) {
    from_idle = false;
    return &h.busy.back();
  }
  if (!h.idle.empty()) {
    from_idle = true;
    return &h.idle.back();
  }
  return nullptr;
}

void Transport::start_stream_locked(PooledConn& pc) {
  HostPool& h = *pc.host;
  ++pc.requests;
  ++pc.streams;
  ++h.streams;
  pc.max_streams = std::max(pc.max_streams, pc.streams);
  ++h.counters.streams_started;
  h.counters.streams_in_flight_sum += static_cast<std::uint64_t>(pc.streams);
  h.counters.max_streams_per_conn = std::max(h.counters.max_streams_per_conn, pc.streams);
  // Out of its list when full; an idle connection given its first stream is busy if it has
  // room for more.
  if (pc.place == PooledConn::Place::idle || pc.streams >= pc.capacity) unplace_locked(pc);
  if (pc.streams < pc.capacity && pc.place == PooledConn::Place::none && !pc.draining) {
    pc.place = PooledConn::Place::busy;
    h.busy.push_back(pc);
  }
}

bool Transport::permit_available_locked(const HostPool& h) const {
  return (options_.max_conns_per_host <= 0 || h.open < options_.max_conns_per_host) &&
         (options_.max_conns <= 0 || open_total_ < options_.max_conns);
}

void Transport::cover_locked(HostPool& h, WantConn& w, TimePoint now, Deferred& later) {
  // Rule 10: a dial others left behind is adopted, and a dial whose connection will have room
  // takes another owner, before any new dial starts.
  if (!h.unowned_dials.empty()) {
    Dial& d = h.unowned_dials.front();
    h.unowned_dials.pop_front();
    h.dials.push_back(d);
    d.state = Dial::State::owned;
    ++h.counters.dials_adopted;
    add_owner_locked(d, w);
    fill_room_locked(d, now);
    return;
  }
  if (!h.roomy.empty()) {
    add_owner_locked(h.roomy.front(), w);
    return;
  }
  // Rule 3: below the limit a permit is taken at once and a dial starts; at the limit the
  // waiter queues FIFO for a permit, staying registered for hand-overs meanwhile (rule 4).
  // This waiter is the only one not covered, and nothing has room for it.
  const DialDemand demand{.waiting = 1,
                          .free_streams = 0,
                          .dialing_room = 0,
                          .streams_per_dial = h.expected_streams,
                          .permits = permit_available_locked(h) ? 1 : 0};
  if (connections_to_create(demand) > 0) {
    ++h.open;
    ++open_total_;
    h.max_open = std::max(h.max_open, h.open);
    start_dial_locked(h, w, now, later);
    return;
  }
  h.permit_waiters.push_back(w);
  w.queued_for_permit = true;
  w.permit_queued_at = now;
  ++h.counters.permit_queued;
}

void Transport::start_dial_locked(HostPool& h, WantConn& w, TimePoint now, Deferred& later) {
  auto d = std::make_shared<Dial>();
  d->host = &h;
  d->capacity = h.expected_streams;
  d->started = now;
  d->executor = w.executor;
  h.dials.push_back(*d);
  add_owner_locked(*d, w);
  // A dial whose connection will carry many streams serves the waiters held back by the limit
  // as well.
  fill_room_locked(*d, now);
  ++h.counters.dials_started;
  later.add().spawn.push_back(std::move(d));
}

void Transport::add_owner_locked(Dial& d, WantConn& w) {
  d.owners.push_back(w);
  w.dial = &d;
  update_roomy_locked(d);
}

void Transport::fill_room_locked(Dial& d, TimePoint now) {
  HostPool& h = *d.host;
  while (static_cast<int>(d.owners.size()) < d.capacity && !h.permit_waiters.empty()) {
    WantConn& next = h.permit_waiters.front();
    h.permit_waiters.pop_front();
    next.permit_wait = now - next.permit_queued_at;
    add_owner_locked(d, next);
  }
}

void Transport::update_roomy_locked(Dial& d) {
  HostPool& h = *d.host;
  const bool room = d.state == Dial::State::owned &&
                    static_cast<int>(d.owners.size()) < d.capacity && !d.owners.empty();
  if (room && !d.roomy_hook.is_linked()) h.roomy.push_back(d);
  if (!room && d.roomy_hook.is_linked()) h.roomy.erase(h.roomy.iterator_to(d));
}

void Transport::deliver_locked(WantConn& w, PooledConn* pc, error_code ec, AcquireOutcome outcome,
                               TimePoint now, Deferred& later) {
  HLOAD_CHECK(!w.done, "connection delivered twice to one waiter");
  leave_queues_locked(w, now, later);
  w.done = true;
  w.ec = ec;
  w.conn = pc;
  w.outcome = outcome;
  if (w.resume) {
    later.add().wake.push_back({std::move(w.resume), w.executor, ec});
  }
}

void Transport::leave_queues_locked(WantConn& w, TimePoint now, Deferred& later) {
  // Rule 10: a waiter that leaves is removed from its queues at once (Go #33849).
  HostPool& h = *w.host;
  if (w.idle_hook.is_linked()) h.idle_waiters.erase(h.idle_waiters.iterator_to(w));
  if (w.permit_hook.is_linked()) {
    h.permit_waiters.erase(h.permit_waiters.iterator_to(w));
    w.permit_wait = now - w.permit_queued_at;
  }
  if (w.dial == nullptr) return;
  Dial& d = *w.dial;
  w.dial = nullptr;
  d.owners.erase(d.owners.iterator_to(w));
  // The dial holds a permit: the waiters held back by the limit take the room it has now.
  fill_room_locked(d, now);
  if (!d.owners.empty()) {
    update_roomy_locked(d);
    return;
  }
  // Nobody else is waiting for a permit, so every waiter has a dial: cancelling this one would
  // throw away a handshake half made, and the next request would dial again at once (a dial
  // storm whenever servers close connections); it is kept for the next waiter to adopt.
  update_roomy_locked(d);  // state is still owned, but with no owner it has no room to give
  h.dials.erase(h.dials.iterator_to(d));
  d.state = Dial::State::unowned;
  update_roomy_locked(d);
  h.unowned_dials.push_back(d);
  if (shut_down_.load(std::memory_order_relaxed)) cancel_unowned_dials_locked(h, later);
}

void Transport::cancel_unowned_dials_locked(HostPool& h, Deferred& later) {
  while (!h.unowned_dials.empty()) {
    Dial& d = h.unowned_dials.front();
    h.unowned_dials.pop_front();
    d.state = Dial::State::cancelled;
    ++h.cancelling;
    ++h.counters.dials_cancelled;
    later.add().cancel.push_back(d.shared_from_this());
  }
}

void Transport::offer_streams_locked(PooledConn& pc, TimePoint now, Deferred& later) {
  // Rule 7: room goes to the oldest waiters of the key before the connection keeps it.
  HostPool& h = *pc.host;
  while (!pc.draining && pc.streams < pc.capacity && !h.idle_waiters.empty()) {
    WantConn& w = h.idle_waiters.front();
    w.reused = pc.requests > 0;
    start_stream_locked(pc);
    ++h.counters.handoffs;
    deliver_locked(w, &pc, {}, AcquireOutcome::handoff, now, later);
  }
}

void Transport::place_conn_locked(PooledConn& pc, TimePoint now, Deferred& later) {
  HostPool& h = *pc.host;
  if (pc.draining) return;
  if (pc.streams > 0) {
    // In use: it keeps its room (busy) or has none (out of every list).
    if (pc.place == PooledConn::Place::idle) unplace_locked(pc);
    const bool room = pc.streams < pc.capacity;
    if (room && pc.place == PooledConn::Place::none) {
      pc.place = PooledConn::Place::busy;
      h.busy.push_back(pc);
    } else if (!room && pc.place == PooledConn::Place::busy) {
      unplace_locked(pc);
    }
    return;
  }
  if (pc.place == PooledConn::Place::idle) return;
  unplace_locked(pc);
  if (close_idle_) {
    close_conn_locked(&pc, CloseReason::run_end, later);
    return;
  }
  if (static_cast<int>(h.idle.size()) >= options_.max_idle_conns_per_host) {
    close_conn_locked(&pc, CloseReason::idle_overflow, later);
    return;
  }
  pc.idle_since = now;
  pc.was_idle = true;
  pc.place = PooledConn::Place::idle;
  h.idle.push_back(pc);
  idle_lru_.push_back(pc);
  if (options_.max_idle_conns > 0 && static_cast<int>(idle_lru_.size()) > options_.max_idle_conns) {
    PooledConn* oldest = &idle_lru_.front();
    unplace_locked(*oldest);
    close_conn_locked(oldest, CloseReason::idle_overflow, later);
  }
}

void Transport::unplace_locked(PooledConn& pc) {
  HostPool& h = *pc.host;
  switch (pc.place) {
    case PooledConn::Place::none:
      return;
    case PooledConn::Place::idle:
      h.idle.erase(h.idle.iterator_to(pc));
      idle_lru_.erase(idle_lru_.iterator_to(pc));
      break;
    case PooledConn::Place::busy:
      h.busy.erase(h.busy.iterator_to(pc));
      break;
  }
  pc.place = PooledConn::Place::none;
}

void Transport::drain_locked(PooledConn& pc, CloseReason why, Deferred& later) {
  // A connection that takes no new stream lets the ones under way finish, then closes; the
  // waiters it can no longer serve need dials of their own, which cover_locked gave them.
  if (!pc.draining) {
    pc.draining = true;
    pc.drain_reason = why;
    unplace_locked(pc);
  }
  if (pc.streams == 0) close_conn_locked(&pc, pc.drain_reason, later);
}

void Transport::close_conn_locked(PooledConn* pc, CloseReason why, Deferred& later) {
  HostPool& h = *pc->host;
  ++h.counters.closes[static_cast<int>(why)];
  --h.connected;
  unplace_locked(*pc);
  open_conns_.erase(open_conns_.iterator_to(*pc));
  if (pc->link) pc->link->pc = nullptr;
  // The permit stays with the connection until run() has destroyed it, socket and all: handed
  // on here, under the lock, another thread could dial with it while this socket is still
  // open, and the server would see one connection over the limit (rule 5).
  ++h.closing;
  later.add().closing.push_back({std::unique_ptr<PooledConn>(pc), &h, why});
}

void Transport::dec_conns_per_host_locked(HostPool& h, TimePoint now, Deferred& later) {
  // Rule 5: the count drops once per open connection; if a waiter is held back by the limit the
  // permit passes straight to the oldest one instead.
  if (!h.permit_waiters.empty()) {
    WantConn& next = h.permit_waiters.front();
    h.permit_waiters.pop_front();
    next.permit_wait = now - next.permit_queued_at;
    start_dial_locked(h, next, now, later);
    return;
  }
  --h.open;
  --open_total_;
  HLOAD_CHECK(h.open >= 0 && open_total_ >= 0, "connection count underflow for %s",
              h.key.to_string().c_str());
  if (options_.max_conns <= 0) return;
  // A slot under the global cap frees up: it goes to the host whose oldest permit waiter has
  // waited longest and whose own limit allows another connection.
  HostPool* best = nullptr;
  for (auto& [key, other] : hosts_) {
    if (other->permit_waiters.empty() || !permit_available_locked(*other)) continue;
    if (!best || other->permit_waiters.front().permit_queued_at <
                     best->permit_waiters.front().permit_queued_at) {
      best = other.get();
    }
  }
  if (!best) return;
  WantConn& next = best->permit_waiters.front();
  best->permit_waiters.pop_front();
  next.permit_wait = now - next.permit_queued_at;
  ++best->open;
  ++open_total_;
  best->max_open = std::max(best->max_open, best->open);
  start_dial_locked(*best, next, now, later);
}

void Transport::expire_idle_locked(TimePoint now, Deferred& later) {
  if (options_.idle_conn_timeout <= Duration::zero()) return;
  // The LRU is ordered by idle_since, so expired entries are all at its front. Only idle
  // connections are in it: one with a stream in use never expires.
  while (!idle_lru_.empty() && now - idle_lru_.front().idle_since >= options_.idle_conn_timeout) {
    PooledConn* pc = &idle_lru_.front();
    unplace_locked(*pc);
    close_conn_locked(pc, CloseReason::idle_timeout, later);
  }
}

void Transport::refresh_capacity_locked(PooledConn& pc) {
  // The server may have changed how many streams it allows (SETTINGS); a lower limit takes no
  // stream away that is under way, it only makes the connection full sooner.
  pc.capacity = std::max(1, pc.conn->max_concurrent_streams());
  pc.host->expected_streams = pc.capacity;
}

PooledConn* Transport::new_conn_locked(HostPool& h, std::unique_ptr<Conn> conn) {
  auto* pc = new PooledConn;
  pc->conn = std::move(conn);
  pc->host = &h;
  pc->capacity = std::max(1, pc->conn->max_concurrent_streams());
  h.expected_streams = pc->capacity;
  open_conns_.push_back(*pc);
  ++h.connected;
  h.max_connected = std::max(h.max_connected, h.connected);
  ++(pc->capacity > 1 || pc->conn->protocol() == "h2" ? h.counters.http2_conns
                                                      : h.counters.http1_conns);
  return pc;
}

asio::awaitable<void> Transport::dial_conn_for(std::shared_ptr<Dial> d) {
  HostPool& h = *d->host;
  if (observer_) observer_->on_dial_start(h.key);
  if (options_.race_hook) [[unlikely]]
    co_await options_.race_hook(RaceWindow::before_dial);
  DialResult res = co_await dialer_.dial(h.key, d->signal.slot());
  if (options_.race_hook) [[unlikely]]
    co_await options_.race_hook(RaceWindow::before_deliver);
  dial_done(*d, std::move(res));
}

void Transport::dial_done(Dial& d, DialResult res) {
  HostPool& h = *d.host;
  const TimePoint now = clock_.now();
  const Duration took = now - d.started;
  const Duration tls_time = res.tls ? res.tls->handshake_time : Duration{};
  std::shared_ptr<ConnLink> link;
  Deferred later;
  bool cancelled;
  {
    auto l = lock();
    cancelled = d.state == Dial::State::cancelled;
    if (cancelled) {
      --h.cancelling;
    } else if (d.state == Dial::State::unowned) {
      h.unowned_dials.erase(h.unowned_dials.iterator_to(d));
    } else {
      if (d.roomy_hook.is_linked()) h.roomy.erase(h.roomy.iterator_to(d));
      h.dials.erase(h.dials.iterator_to(d));
    }
    // The owners, oldest first, leave the dial: each is served by it, or covered anew.
    boost::container::small_vector<WantConn*, 4> owners;
    while (!d.owners.empty()) {
      WantConn& w = d.owners.front();
      d.owners.pop_front();
      w.dial = nullptr;
      w.dns_time = res.resolve_time;
      w.tls = res.tls.has_value();
      w.tls_time = tls_time;
      w.dial_time = took - tls_time;
      owners.push_back(&w);
    }
    if (res.ec) {
      if (!cancelled) ++h.counters.dials_failed;
      dec_conns_per_host_locked(h, now, later);
      // Go's rule: a dial error reaches the waiters it was started for.
      for (WantConn* w : owners)
        deliver_locked(*w, nullptr, res.ec, AcquireOutcome::dial, now, later);
    } else {
      PooledConn* pc = new_conn_locked(h, std::move(res.conn));
      link = std::make_shared<ConnLink>(*this, pc);
      pc->link = link;
      for (WantConn* w : owners) {
        if (pc->streams < pc->capacity) {
          w->reused = false;
          start_stream_locked(*pc);
          deliver_locked(*w, pc, {}, AcquireOutcome::dial, now, later);
        } else {
          // The connection carries fewer streams than expected (HTTP/1.1 after all, or a low
          // SETTINGS): the rest need another dial.
          cover_locked(h, *w, now, later);
        }
      }
      // Rule 5: what no owner claims goes to the oldest waiters, then stays with the
      // connection.
      offer_streams_locked(*pc, now, later);
      place_conn_locked(*pc, now, later);
    }
  }
  // Registered outside the lock: a connection may call on_conn_changed at once.
  if (link) link->pc->conn->set_events(link);
  if (observer_) {
    if (res.tls && !res.ec) observer_->on_tls_handshake(h.key, *res.tls);
    if (!(cancelled && res.ec)) observer_->on_dial_done(h.key, res.ec, took);
  }
  run(later);
}

void Transport::run(Deferred& later) {
  if (!later.lists) return;
  Deferred::Lists& l = *later.lists;
  if (!l.closing.empty()) release_closed(later);
  for (auto& d : l.cancel) {
    if (observer_) observer_->on_dial_cancelled(d->host->key);
    asio::post(d->executor, [d] { d->signal.emit(asio::cancellation_type::terminal); });
  }
  for (auto& d : l.spawn) {
    asio::co_spawn(d->executor, dial_conn_for(d), [](const std::exception_ptr& e) {
      if (e) HLOAD_BUG("a dial ended with an exception");
    });
  }
  for (auto& wk : l.wake) {
    asio::post(wk.executor, [r = std::move(wk.resume), ec = wk.ec] { (*r)(ec); });
  }
}

void Transport::release_closed(Deferred& closed) {
  auto& closing = closed.lists->closing;
  for (auto& c : closing) {
    c.pc.reset();
    if (observer_) observer_->on_conn_closed(c.host->key, c.why);
  }
  // Each connection is gone now, so its permit is free to pass on (rule 5).
  Deferred later;
  {
    auto l = lock();
    const TimePoint now = clock_.now();
    for (auto& c : closing) {
      --c.host->closing;
      dec_conns_per_host_locked(*c.host, now, later);
    }
  }
  run(later);
}

HostSnapshot Transport::snapshot(const HostPool* host) const {
  auto l = lock();
  HostSnapshot s;
  s.open = host->open;
  s.max_open = host->max_open;
  s.connected = host->connected;
  s.max_connected = host->max_connected;
  s.idle = static_cast<int>(host->idle.size());
  s.busy = static_cast<int>(host->busy.size());
  s.streams = host->streams;
  s.idle_waiters = static_cast<int>(host->idle_waiters.size());
  s.permit_waiters = static_cast<int>(host->permit_waiters.size());
  s.dials_in_flight = static_cast<int>(host->dials.size());
  s.dials_unowned = static_cast<int>(host->unowned_dials.size());
  s.dials_cancelling = host->cancelling;
  s.closing = host->closing;
  s.counters = host->counters;
  return s;
}

std::vector<const HostPool*> Transport::hosts() const {
  auto l = lock();
  std::vector<const HostPool*> out(hosts_.size());
  for (const auto& [key, h] : hosts_) out[static_cast<std::size_t>(h->index)] = h.get();
  return out;
}

std::uint64_t Transport::retries() const {
  auto l = lock();
  return retries_;
}

void Transport::check_invariants() const {
  auto l = lock();
  int total = 0;
  for (const auto& [key, hp] : hosts_) {
    const HostPool& h = *hp;
    const std::string key_name = key.to_string();
    const char* name = key_name.c_str();
    total += h.open;
    HLOAD_CHECK(options_.max_conns_per_host <= 0 || h.open <= options_.max_conns_per_host,
                "%s: %d open over the limit", name, h.open);
    HLOAD_CHECK((h.idle.empty() && h.busy.empty()) || h.idle_waiters.empty(),
                "%s: a waiter waits while a connection has room", name);
    HLOAD_CHECK(h.permit_waiters.empty() || !permit_available_locked(h),
                "%s: a waiter waits for a permit below the limit", name);
    HLOAD_CHECK(h.permit_waiters.empty() || (h.roomy.empty() && h.unowned_dials.empty()),
                "%s: a waiter waits for a permit while a dial in flight has room", name);
    HLOAD_CHECK(h.dials.size() <= h.idle_waiters.size(), "%s: more dials in flight than waiters",
                name);
    // Every permit is held by exactly one dial in flight or one connection.
    HLOAD_CHECK(h.open == static_cast<int>(h.dials.size() + h.unowned_dials.size()) + h.cancelling +
                              h.connected + h.closing,
                "%s: %d open, but %zu + %zu dials, %d cancelling, %d connected, %d closing", name,
                h.open, h.dials.size(), h.unowned_dials.size(), h.cancelling, h.connected,
                h.closing);
    HLOAD_CHECK(h.connected >= static_cast<int>(h.idle.size() + h.busy.size()) && h.connected >= 0,
                "%s: %d connected, %zu idle, %zu busy", name, h.connected, h.idle.size(),
                h.busy.size());
    // Every waiter is covered once: an owner of a dial, or queued for a permit.
    std::size_t owners = 0;
    for (const Dial& d : h.dials) {
      HLOAD_CHECK(!d.owners.empty() && static_cast<int>(d.owners.size()) <= d.capacity,
                  "%s: a dial in flight with %zu owners for %d streams", name, d.owners.size(),
                  d.capacity);
      HLOAD_CHECK(d.roomy_hook.is_linked() == (static_cast<int>(d.owners.size()) < d.capacity),
                  "%s: a dial's room is not where it should be", name);
      for (const WantConn& w : d.owners) {
        HLOAD_CHECK(
            w.dial == &d && w.idle_hook.is_linked() && !w.done && !w.permit_hook.is_linked(),
            "%s: an owner of a dial that is not a live waiter of it", name);
      }
      owners += d.owners.size();
    }
    for (const Dial& d : h.unowned_dials) {
      HLOAD_CHECK(d.owners.empty(), "%s: an unowned dial with owners", name);
    }
    for (const WantConn& w : h.permit_waiters) {
      HLOAD_CHECK(w.idle_hook.is_linked() && !w.dial && !w.done,
                  "%s: a permit waiter that is not a live waiter without a dial", name);
    }
    // No dial more than the waiters need: after the dials with room, one more dial at most
    // could have been spared for each dial's worth of owners (all but the last are full).
    int dialing_room = 0;
    for (const Dial& d : h.roomy) dialing_room += d.capacity - static_cast<int>(d.owners.size());
    HLOAD_CHECK(h.roomy.size() <= 1 || h.permit_waiters.empty(),
                "%s: several dials with room while waiters are held back", name);
    HLOAD_CHECK(connections_to_create({.waiting = static_cast<int>(h.permit_waiters.size()),
                                       .dialing_room = dialing_room,
                                       .streams_per_dial = h.expected_streams,
                                       .permits = permit_available_locked(h) ? 1 : 0}) == 0,
                "%s: waiters held back could have had a dial", name);
    HLOAD_CHECK(owners + h.permit_waiters.size() == h.idle_waiters.size(),
                "%s: %zu waiters, but %zu owners and %zu held back", name, h.idle_waiters.size(),
                owners, h.permit_waiters.size());
    int streams = 0;
    for (const PooledConn& pc : h.idle) {
      HLOAD_CHECK(pc.streams == 0 && !pc.draining && pc.place == PooledConn::Place::idle,
                  "%s: an idle connection in use or draining", name);
    }
    for (const PooledConn& pc : h.busy) {
      HLOAD_CHECK(pc.streams > 0 && pc.streams < pc.capacity && !pc.draining &&
                      pc.place == PooledConn::Place::busy,
                  "%s: a busy connection without room or without a stream", name);
    }
    for (const PooledConn& pc : open_conns_) {
      if (pc.host != &h) continue;
      HLOAD_CHECK(pc.streams >= 0, "%s: a connection with %d streams", name, pc.streams);
      streams += pc.streams;
    }
    HLOAD_CHECK(streams == h.streams, "%s: %d streams counted, %d under way", name, h.streams,
                streams);
  }
  HLOAD_CHECK(total == open_total_, "global connection count %d != sum of hosts %d", open_total_,
              total);
  HLOAD_CHECK(options_.max_conns <= 0 || open_total_ <= options_.max_conns,
              "%d open over the global limit", open_total_);
}

}  // namespace hload::pool
