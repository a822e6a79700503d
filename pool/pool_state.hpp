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

// PooledConn is a connection with the pool's record of it.
struct PooledConn {
  std::unique_ptr<Conn> conn;
  HostPool* host = nullptr;
  std::uint64_t requests = 0;  // round trips it has carried
  bool was_idle = false;       // it has sat in the idle list at least once
  TimePoint idle_since{};
  ListHook host_idle_hook;    // HostPool::idle
  ListHook global_idle_hook;  // Transport's LRU over all keys
  ListHook open_hook;         // every connection the transport owns, idle or not
};

// WantConn is a waiter: a request that asked for a connection and has neither got one nor
// given up. It is delivered to at most once (`done`), and leaves every queue the moment it is.
struct WantConn {
  HostPool* host = nullptr;
  asio::any_io_executor executor;  // where the requester resumes
  TimePoint asked_at{};
  TimePoint permit_queued_at{};
  Duration permit_wait{};
  bool queued_for_permit = false;  // it has been in the permit queue (so it reports a wait)
  Dial* dial = nullptr;            // the dial it owns, if any
  ListHook idle_hook;              // HostPool::idle_waiters
  ListHook permit_hook;            // HostPool::permit_waiters

  bool done = false;
  error_code ec;
  PooledConn* conn = nullptr;
  AcquireOutcome outcome = AcquireOutcome::dial;
  Duration dial_time{};  // as GotConnInfo's: the TCP connect, the handshake not included
  Duration dns_time{};
  bool tls = false;
  Duration tls_time{};
  // Set once the requester has suspended; until then a delivery is only recorded above.
  std::unique_ptr<Resume> resume;
};

// Dial is a connection attempt in flight. It holds a permit of its host from start to end.
// Its owner is the waiter it serves. A dial whose owner leaves is given to a waiter queued for
// a permit; with none, it is left unowned and the next waiter adopts it instead of dialing
// again, so dials in flight never outnumber the most waiters there were at once, and no
// connection half made is thrown away (docs/architecture.md#rule-10). An unowned dial that
// finishes goes to the oldest waiter or the idle list; close_idle_connections cancels those still
// in flight.
struct Dial : std::enable_shared_from_this<Dial> {
  enum class State : std::uint8_t { owned, unowned, cancelled };
  HostPool* host = nullptr;
  WantConn* owner = nullptr;
  State state = State::owned;
  TimePoint started{};
  asio::any_io_executor executor;    // the dial runs and is cancelled here
  asio::cancellation_signal signal;  // emitted only on `executor`
  ListHook hook;                     // HostPool::dials or HostPool::unowned_dials
};

using IdleList =
    bi::list<PooledConn, bi::member_hook<PooledConn, ListHook, &PooledConn::host_idle_hook>>;
using GlobalIdleList =
    bi::list<PooledConn, bi::member_hook<PooledConn, ListHook, &PooledConn::global_idle_hook>>;
using OpenConns =
    bi::list<PooledConn, bi::member_hook<PooledConn, ListHook, &PooledConn::open_hook>>;
using IdleWaiters = bi::list<WantConn, bi::member_hook<WantConn, ListHook, &WantConn::idle_hook>>;
using PermitWaiters =
    bi::list<WantConn, bi::member_hook<WantConn, ListHook, &WantConn::permit_hook>>;
using DialList = bi::list<Dial, bi::member_hook<Dial, ListHook, &Dial::hook>>;

// HostCounters are cumulative counts of one host key, for tests and reports.
struct HostCounters {
  std::uint64_t dials_started = 0;
  std::uint64_t dials_failed = 0;
  std::uint64_t dials_cancelled = 0;
  std::uint64_t dials_adopted = 0;  // dials a waiter took over from one that left
  std::uint64_t handoffs = 0;
  std::uint64_t permit_queued = 0;  // waiters that had to queue for a permit
  std::array<std::uint64_t, kCloseReasons> closes{};
};

// HostPool is the state of one host key.
struct HostPool {
  HostPool(ConnKey k, int i) : key(std::move(k)), index(i) {}
  ~HostPool() {
    idle.clear();
    idle_waiters.clear();
    permit_waiters.clear();
    dials.clear();
    unowned_dials.clear();
  }

  const ConnKey key;
  const int index;               // 0, 1, 2... in the order the transport first saw the keys
  IdleList idle;                 // back is the most recently used
  IdleWaiters idle_waiters;      // every live waiter, oldest first
  PermitWaiters permit_waiters;  // live waiters held back by the limit, oldest first
  DialList dials;                // dials in flight that a waiter owns
  DialList unowned_dials;        // dials in flight whose waiter left, for the next to adopt
  int open = 0;                  // dialing (cancelled ones too), active and idle connections
  int max_open = 0;
  int connected = 0;  // open and connected: active and idle, not dialing
  int max_connected = 0;
  int cancelling = 0;  // dials cancelled and not yet finished
  HostCounters counters;
};

}  // namespace hload::pool
