#pragma once

#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include "pool/clock.hpp"
#include "pool/conn.hpp"
#include "pool/conn_key.hpp"
#include "pool/error.hpp"

namespace hload::pool {

// DialResult is how a dial ended: a connection, or why there is none.
struct DialResult {
  error_code ec;
  std::unique_ptr<Conn> conn;
  Duration resolve_time{};  // spent resolving the host's name; zero for an IP address
  // The TLS handshake of an https connection, once it completed (its time is part of the dial's,
  // which the pool measures).
  std::optional<TlsInfo> tls{};
};

// Dialer opens connections for the pool. dial runs on the executor the pool spawned it on, and
// ends early with asio::error::operation_aborted when `cancel` is emitted on that executor.
class Dialer {
 public:
  virtual ~Dialer() = default;
  virtual asio::awaitable<DialResult> dial(const ConnKey& key, asio::cancellation_slot cancel) = 0;
};

}  // namespace hload::pool
