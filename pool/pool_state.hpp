#pragma once

// The pool's bookkeeping types. Every field here is guarded by Transport::mu_; the `_locked`
// functions of Transport are the only code that touches them.

#include <array>
#include <cstdint>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/intrusive/list.hpp>

#include "pool/clock.hpp"
#include "pool/conn.hpp"
#include "pool/conn_key.hpp"
#include "pool/error.hpp"
#include "pool/trace.hpp"

namespace hload::pool {

namespace bi = boost::intrusive;
using ListHook = bi::list_member_hook<bi::link_mode<bi::safe_link>>;

struct Dial;

// Resume wakes a suspended requester: its completion handler with the type erased. (Boost
// 1.81's any_completion_handler recurses without end when moved through a container.)
class Resume {
 public:
  virtual ~Resume() = default;
  virtual void operator()(error_code ec) = 0;
};

template <class Handler>
class ResumeHandler final : public Resume {
 public:
  explicit ResumeHandler(Handler h) : handler_(std::move(h)) {}
  void operator()(error_code ec) override { std::move(handler_)(ec); }

 private:
  Handler handler_;
};

struct ConnLink;

// PooledConn is a connection with the pool's record of it. An HTTP/1.1 connection carries one
// stream (round trip) at a time, an HTTP/2 one up to its capacity: the pool reasons about
// streams, never about protocols.
struct PooledConn {
  // Where the connection is kept, by what it can take.
  enum class Place : std::uint8_t {
    none,  // every stream in use, or draining
    idle,  // no stream in use: HostPool::idle and the transport's LRU
    busy,  // some streams in use, room for more: HostPool::busy
  };

  std::unique_ptr<Conn> conn;
  HostPool* host = nullptr;
  std::uint64_t requests = 0;  // round trips it has been given
  std::uint64_t served = 0;    // round trips it completed
  bool was_idle = false;       // it has sat in the idle list at least once
  TimePoint idle_since{};
  int streams = 0;        // round trips under way on it
  int capacity = 1;       // streams it takes at once: Conn::max_concurrent_streams, as last read
  int max_streams = 0;    // the most under way at once
  bool draining = false;  // takes no new stream; closed once its streams have ended
  CloseReason drain_reason = CloseReason::server_close;
  Place place = Place::none;
  std::shared_ptr<ConnLink> link;  // what the connection calls on_conn_changed on
  ListHook host_hook;              // HostPool::idle or HostPool::busy, by place
  ListHook global_idle_hook;       // Transport's LRU over all keys, when idle
  ListHook open_hook;              // every connection the transport owns
};

// WantConn is a waiter: a request that asked for a connection and has neither got one nor
// given up. It is delivered to at most once (`done`), and leaves every queue the moment it is.
// While it waits it is covered: an owner of a dial in flight, or in the permit queue.
struct WantConn {
  HostPool* host = nullptr;
  asio::any_io_executor executor;  // where the requester resumes
  TimePoint asked_at{};
  TimePoint permit_queued_at{};
  Duration permit_wait{};
  bool queued_for_permit = false;  // it has been in the permit queue (so it reports a wait)
  Dial* dial = nullptr;            // the dial it is an owner of, if any
  ListHook idle_hook;              // HostPool::idle_waiters
  ListHook permit_hook;            // HostPool::permit_waiters
  ListHook owner_hook;             // Dial::owners

  bool done = false;
  error_code ec;
  PooledConn* conn = nullptr;
  AcquireOutcome outcome = AcquireOutcome::dial;
  bool reused = false;   // the connection delivered had carried a round trip before
  Duration dial_time{};  // as GotConnInfo's: the TCP connect, the handshake not included
  Duration dns_time{};
  bool tls = false;
  Duration tls_time{};
  // Set once the requester has suspended; until then a delivery is only recorded above.
  std::unique_ptr<Resume> resume;
};

using Owners = bi::list<WantConn, bi::member_hook<WantConn, ListHook, &WantConn::owner_hook>>;

// Dial is a connection attempt in flight. It holds a permit of its host from start to end, and
// is expected to bring `capacity` streams (what the host's last connection could carry; 1 for
// HTTP/1.1): its owners are the waiters it is to serve, at most that many, oldest first. A dial
// that loses an owner takes a waiter queued for a permit in its place; one left with no owner
// is kept unowned, and the next waiter adopts it instead of dialing again, so dials in flight
// never outnumber the waiters there were, and no connection half made is thrown away
// (docs/architecture.md#rule-10). An unowned dial that finishes serves the oldest waiters or
// goes idle; shut_down cancels those still in flight.
struct Dial : std::enable_shared_from_this<Dial> {
  enum class State : std::uint8_t { owned, unowned, cancelled };
  HostPool* host = nullptr;
  int capacity = 1;
  Owners owners;
  State state = State::owned;
  TimePoint started{};
  asio::any_io_executor executor;    // the dial runs and is cancelled here
  asio::cancellation_signal signal;  // emitted only on `executor`
  ListHook hook;                     // HostPool::dials or HostPool::unowned_dials
  ListHook roomy_hook;               // HostPool::roomy while owned with room for an owner

  ~Dial() { owners.clear(); }
};

using ConnList =
    bi::list<PooledConn, bi::member_hook<PooledConn, ListHook, &PooledConn::host_hook>>;
using GlobalIdleList =
    bi::list<PooledConn, bi::member_hook<PooledConn, ListHook, &PooledConn::global_idle_hook>>;
using OpenConns =
    bi::list<PooledConn, bi::member_hook<PooledConn, ListHook, &PooledConn::open_hook>>;
using IdleWaiters = bi::list<WantConn, bi::member_hook<WantConn, ListHook, &WantConn::idle_hook>>;
using PermitWaiters =
    bi::list<WantConn, bi::member_hook<WantConn, ListHook, &WantConn::permit_hook>>;
using DialList = bi::list<Dial, bi::member_hook<Dial, ListHook, &Dial::hook>>;
using RoomyDials = bi::list<Dial, bi::member_hook<Dial, ListHook, &Dial::roomy_hook>>;

// HostCounters are cumulative counts of one host key, for tests and reports.
struct HostCounters {
  std::uint64_t dials_started = 0;
  std::uint64_t dials_failed = 0;
  std::uint64_t dials_cancelled = 0;
  std::uint64_t dials_adopted = 0;  // dials a waiter took over from one that left
  std::uint64_t handoffs = 0;
  std::uint64_t permit_queued = 0;  // waiters that had to queue for a permit
  std::uint64_t http1_conns = 0;    // connections made, by protocol
  std::uint64_t http2_conns = 0;
  std::uint64_t goaways = 0;          // connections the server told to take no more streams
  std::uint64_t refused_retries = 0;  // streams refused before processing, sent again
  std::uint64_t streams_started = 0;
  std::uint64_t streams_in_flight_sum = 0;  // at each start, the streams then under way on it
  int max_streams_per_conn = 0;             // the most streams under way on one connection
  std::array<std::uint64_t, kCloseReasons> closes{};
};

// HostPool is the state of one host key.
struct HostPool {
  HostPool(ConnKey k, int i)
      : key(std::move(k)), index(i), expected_streams(key.http == ConnKey::Http::v1 ? 1 : 100) {}
  ~HostPool() {
    idle.clear();
    busy.clear();
    idle_waiters.clear();
    permit_waiters.clear();
    roomy.clear();
    dials.clear();
    unowned_dials.clear();
  }

  const ConnKey key;
  const int index;               // 0, 1, 2... in the order the transport first saw the keys
  ConnList idle;                 // connections with no stream in use; back is the newest
  ConnList busy;                 // connections with streams in use and room for more
  IdleWaiters idle_waiters;      // every live waiter, oldest first
  PermitWaiters permit_waiters;  // live waiters held back by the limit, oldest first
  DialList dials;                // dials in flight that have owners
  RoomyDials roomy;              // of those, the ones with room for another owner
  DialList unowned_dials;        // dials in flight whose owners left, for the next to adopt
  // The streams a new connection is expected to carry: those of the last one made (an HTTP/2
  // key expects the 100 RFC 9113 recommends until it knows better).
  int expected_streams;
  int open = 0;  // dialing (cancelled ones too), active and idle connections
  int max_open = 0;
  int connected = 0;  // open and connected: active and idle, not dialing
  int max_connected = 0;
  int streams = 0;     // round trips under way over all its connections
  int cancelling = 0;  // dials cancelled and not yet finished
  int closing = 0;     // connections let go of and not yet destroyed: they keep their permit
  HostCounters counters;
};

}  // namespace hload::pool
