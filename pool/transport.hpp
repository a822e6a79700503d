#pragma once

// Transport is hload's connection pool: one object shared by every virtual user of a run, with
// the semantics of Go's net/http Transport after its 2019 rework (docs/architecture.md#pool-rules):
//
//  - Looking for an idle connection and queueing as a waiter are one step under one lock.
//  - Idle lists are most-recently-used first; broken and expired entries are skipped and closed.
//  - A host at its connection limit queues waiters FIFO for a permit; each permit is handed
//    straight to the oldest waiter still waiting when a connection or dial ends.
//  - Late binding: a waiter takes whichever comes first, a connection another request released
//    or the result of its own dial. A dial whose waiter left goes to the oldest waiter queued for
//    a permit, or is left for the next waiter to adopt; a connection nobody waits for goes to
//    the idle list.
//  - A connection returns only after its response body was read to the end.
//
// Threading. Virtual users run on one io_context per thread (docs/performance.md#hot-path:
// sharing one io_context between threads cost more per request and gained nothing). The pool's
// state is therefore guarded by one mutex, held only for list and counter updates: no I/O, no
// allocation on the hot path, no handler invoked under it. A waiter resumes on its own executor
// (a hand-over from another thread is posted there); a dial runs on the executor of the waiter
// it was started for. With the default of one thread the mutex is never contended. A
// connection does its I/O on the io_context that dialed it, whichever thread's request it
// carries: every io_context that dials must keep running until no request can use its
// connections any more (the engine holds a work guard on each until the run ends).

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include "pool/clock.hpp"
#include "pool/conn.hpp"
#include "pool/conn_key.hpp"
#include "pool/dialer.hpp"
#include "pool/error.hpp"
#include "pool/parked.hpp"
#include "pool/pool_state.hpp"
#include "pool/round_tripper.hpp"
#include "pool/trace.hpp"
#include "pool/transport_options.hpp"

namespace hload::pool {

// HostSnapshot is the state of one host key at an instant, read under the lock.
struct HostSnapshot {
  int open = 0;             // dialing + active + idle: what the connection limit counts
  int max_open = 0;         // the most open at once so far
  int connected = 0;        // active + idle: connections a dial made, not yet closed
  int max_connected = 0;    // the most connected at once so far (failed dials never count)
  int idle = 0;             // in the idle list: connections with no stream in use
  int busy = 0;             // connections with streams in use and room for more
  int streams = 0;          // round trips under way on its connections
  int idle_waiters = 0;     // entries of the queue for a hand-over (= live waiters)
  int permit_waiters = 0;   // entries of the queue for a dial permit
  int dials_in_flight = 0;  // dials that have owners
  int dials_unowned = 0;    // dials in flight whose waiter left, waiting to be adopted
  int dials_cancelling = 0;
  int closing = 0;  // connections closed by the pool whose sockets are not yet destroyed
  HostCounters counters;
};

class Transport final : public RoundTripper {
 public:
  Transport(TransportOptions options, Dialer& dialer, const Clock& clock,
            ConnObserver* observer = nullptr);
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  // The transport must outlive every request and dial it started (the engine drains its
  // io_contexts before destroying it).
  ~Transport();

  const TransportOptions& options() const noexcept { return options_; }

  // host_for returns the pool of key, creating it on first use. Its address is stable for the
  // transport's lifetime; requests carry it so the hot path does no lookup. Its index numbers
  // the keys 0, 1, 2... in the order they were first asked for.
  HostPool* host_for(const ConnKey& key);

  // round_trip gets a connection (a stream of one), sends req, reads the whole response into
  // resp and gives the stream back. A request that fails on a reused connection before any byte
  // of the response arrived is sent once more on another connection when that is safe
  // (docs/architecture.md#rule-9); one an HTTP/2 server refused before processing it is sent
  // again: as often as it takes when the refusing connection had served other requests (the
  // server was shutting it down gracefully, and the run makes progress), up to kRefusedRetries
  // times by connections that served none (a server refusing everything).
  static constexpr int kRefusedRetries = 3;
  asio::awaitable<error_code> round_trip(const Request& req, Response& resp) override;

  // park takes get_conn's steps for req in req.parked: a stream of an open connection with
  // room at once, or a place in the queues with `wake` to call on delivery (RoundTripper::park).
  // It awaits no race hook: it has no window between looking and queueing to widen.
  bool park(const Request& req, const asio::any_io_executor& executor, WakeFn wake,
            void* context) override;

  // get_conn gets a stream of a connection for host: on an open connection with room at once,
  // else by waiting for a hand-over or for a dial (late binding). On success the caller holds
  // the stream until release.
  asio::awaitable<Acquired> get_conn(HostPool* host, RequestTrace* trace,
                                     asio::cancellation_slot cancel);

  // release gives back a stream taken with get_conn. On a reusable connection it goes to the
  // oldest waiter of its key, else the connection keeps the room (an idle one joins the idle
  // list, subject to the idle caps); a connection that is not reusable takes no new stream and
  // is closed once its last stream has ended. served says the round trip succeeded; release
  // returns whether pc has served any round trip, this one included.
  bool release(PooledConn* pc, bool served, bool reusable, CloseReason if_closed);

  // close_idle_connections closes every idle connection, and connections that become idle until
  // the next get_conn (Go's closeIdle). The engine calls it at the end of a run.
  void close_idle_connections();

  // shut_down ends the transport's use: idle connections are closed, dials nobody waits for are
  // cancelled, and from now on so is every dial whose waiter leaves; a request aborted from
  // now on closes its connection as run_end. The engine calls it when a run ends or is
  // stopped (Ctrl-C, the end of -z), so that no half-made connection holds it up.
  void shut_down();

  HostSnapshot snapshot(const HostPool* host) const;
  // hosts lists the pools of every key asked for so far, by index.
  std::vector<const HostPool*> hosts() const;
  std::uint64_t retries() const;

  // check_invariants aborts (HLOAD_BUG) if the pool breaks docs/architecture.md#rule-11.
  void check_invariants() const;

 private:
  friend struct ConnLink;
  // Work decided under the lock and done after it is released.
  struct Deferred;

  std::unique_lock<std::mutex> lock() const { return std::unique_lock(mu_); }

  // The locked steps. A stream is taken from a connection with room, or handed over; a waiter
  // without one is covered by a dial (its own, adopted, or one with room for more owners) or
  // queued for a permit; capacity that appears (a stream ends, a dial finishes, SETTINGS raise
  // the limit) goes to the oldest waiters before it is kept.
  PooledConn* take_stream_locked(HostPool& h, bool& from_idle);
  void start_stream_locked(PooledConn& pc);
  void cover_locked(HostPool& h, WantConn& w, TimePoint now, Deferred& later);
  bool permit_available_locked(const HostPool& h) const;
  void start_dial_locked(HostPool& h, WantConn& w, TimePoint now, Deferred& later);
  void add_owner_locked(Dial& d, WantConn& w);
  void fill_room_locked(Dial& d, TimePoint now);
  void update_roomy_locked(Dial& d);
  void deliver_locked(WantConn& w, PooledConn* pc, error_code ec, AcquireOutcome outcome,
                      TimePoint now, Deferred& later);
  void leave_queues_locked(WantConn& w, TimePoint now, Deferred& later);
  void cancel_unowned_dials_locked(HostPool& h, Deferred& later);
  void offer_streams_locked(PooledConn& pc, TimePoint now, Deferred& later);
  void place_conn_locked(PooledConn& pc, TimePoint now, Deferred& later);
  void unplace_locked(PooledConn& pc);
  void drain_locked(PooledConn& pc, CloseReason why, Deferred& later);
  void close_conn_locked(PooledConn* pc, CloseReason why, Deferred& later);
  void dec_conns_per_host_locked(HostPool& h, TimePoint now, Deferred& later);
  void expire_idle_locked(TimePoint now, Deferred& later);
  void refresh_capacity_locked(PooledConn& pc);
  PooledConn* new_conn_locked(HostPool& h, std::unique_ptr<Conn> conn);
  void cancel_waiter(WantConn& w);
  void run(Deferred& later);
  // release_closed destroys the connections a locked step closed, then passes their permits
  // on under the lock.
  void release_closed(Deferred& closed);

  // ask starts w, a request for a connection of host: when it asked, and the trace told.
  void ask(WantConn& w, HostPool* host, RequestTrace* trace);
  // take_at_once is the part of get_conn that does not wait: a stream of an open connection
  // with room, or nothing, w then queued (a waiter for a hand-over, perhaps a dial's owner).
  std::optional<Acquired> take_at_once(WantConn& w, RequestTrace* trace);
  // await_delivery is the rest of get_conn: it waits until the queued w is delivered or
  // cancelled through `cancel`.
  asio::awaitable<Acquired> await_delivery(WantConn& w, RequestTrace* trace,
                                           asio::cancellation_slot cancel);
  // delivered is what a delivered (or cancelled) w brought, told to the trace; the slot it
  // waited on is cleared.
  Acquired delivered(const WantConn& w, RequestTrace* trace, asio::cancellation_slot cancel);
  // take_parked takes what park left in p, if anything.
  std::optional<Acquired> take_parked(Parked& p, RequestTrace* trace,
                                      asio::cancellation_slot cancel);
  // suspend gives a queued w the resumption to run on delivery, at once when it was delivered
  // meanwhile, and makes `cancel` take it out of the queues.
  void suspend(WantConn& w, asio::cancellation_slot cancel, std::unique_ptr<Resume> resume);
  // take_stream_or_queue returns a stream of a connection for w's host, or queues w as a
  // waiter; from_idle says the connection was idle (so it is checked before use), and now is
  // the time it read under the lock, which the caller reuses rather than read the clock again.
  PooledConn* take_stream_or_queue(WantConn& w, bool& from_idle, TimePoint& now);
  // close_dead closes a connection found dead on its way out of the idle list.
  void close_dead(PooledConn* pc);
  // conn_changed takes a connection's news (SETTINGS, GOAWAY, a close) outside a round trip.
  void conn_changed(ConnLink& link);
  // failure_close_reason names why a connection whose round trip failed is closed.
  CloseReason failure_close_reason(const ConnResult& r) const;
  // wait_for_delivery suspends until w is delivered to or cancelled through `cancel`.
  asio::awaitable<std::tuple<error_code>> wait_for_delivery(WantConn& w,
                                                            asio::cancellation_slot cancel);
  asio::awaitable<void> dial_conn_for(std::shared_ptr<Dial> d);
  // dial_done takes a finished dial's result to its owners and the pool. (Not in
  // dial_conn_for's frame: every local there is kept for the whole dial, 20,000 times over in a
  // dial storm.)
  void dial_done(Dial& d, DialResult res);

  const TransportOptions options_;
  Dialer& dialer_;
  const Clock& clock_;
  ConnObserver* observer_;

  mutable std::mutex mu_;
  std::map<ConnKey, std::unique_ptr<HostPool>> hosts_;
  GlobalIdleList idle_lru_;  // front is the least recently used, over all keys
  OpenConns open_conns_;     // every connection not yet closed, whoever holds it
  int open_total_ = 0;
  bool close_idle_ = false;  // close connections as they become idle, until the next get_conn
  // Set once by shut_down: dials whose waiter left are cancelled rather than kept, and a
  // request aborted from then on closes its connection as run_end. Read without the lock.
  std::atomic<bool> shut_down_{false};
  std::uint64_t retries_ = 0;
};

}  // namespace hload::pool
