#pragma once

// Parked is where a request waits for a connection without a coroutine: the caller keeps it
// (in the engine, inside its virtual user) across RoundTripper::park and the round_trip that
// follows. A waiting request is then a queue entry of a few hundred bytes instead of a chain
// of suspended frames, which is what lets 10,000 users wait on two connections in a few
// megabytes (docs/performance.md#memory).

#include <variant>

#include "pool/pool_state.hpp"
#include "pool/trace.hpp"

namespace hload::pool {

// Acquired is a stream of a connection, or why there is none: the result of get_conn.
struct Acquired {
  error_code ec;
  PooledConn* conn = nullptr;
  GotConnInfo info;
};

// WakeFn is called, on the executor given to park, once a parked request was delivered a
// connection or gave up (its cancellation slot fired): the caller then calls round_trip.
using WakeFn = void (*)(void* context);

class Parked {
 public:
  // holds says a park left something for the next round_trip to take.
  bool holds() const noexcept { return !std::holds_alternative<std::monostate>(state_); }

 private:
  friend class Transport;
  // Nothing; the waiter queued (or delivered and not yet taken); or the stream park found
  // without waiting. One at a time, so a user pays for the larger only.
  std::variant<std::monostate, WantConn, Acquired> state_;
};

}  // namespace hload::pool
