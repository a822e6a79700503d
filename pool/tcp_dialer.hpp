#pragma once

#include <optional>

#include <boost/asio/ip/tcp.hpp>

#include "pool/clock.hpp"
#include "pool/dialer.hpp"

namespace hload::pool {

// TcpDialerOptions are the knobs of a plain TCP dial.
struct TcpDialerOptions {
  // Bounds the whole dial, name resolution included; expiry ends it with Errc::dial_timeout.
  // Zero or less means no bound (Go's zero Dialer).
  Duration dial_timeout = std::chrono::seconds(30);
};

// TcpConnection is the outcome of TcpDialer::connect: a connected socket, or why there is none.
struct TcpConnection {
  error_code ec;
  std::optional<asio::ip::tcp::socket> socket;  // set exactly when ec is not
  Duration resolve_time{};                      // as DialResult::resolve_time
  // aborted is set when the connect succeeded just as the dial was cancelled or timed out: the
  // socket is kept, but a dial that has further steps should not start them.
  error_code aborted;
};

// TcpDialer opens plain-TCP connections to the key's host and port, or to its HTTP proxy
// ("host:port") when it has one; it does no TLS. They speak HTTP/1.1 (Http1Conn), or HTTP/2 with
// prior knowledge (Http2Conn) for a key with ConnKey::Http::v2_prior_knowledge, returned once
// the server's SETTINGS arrived, within a second bound as long as the
// dial's timeout. It resolves the host unless it is
// an IP literal, tries each address in turn and sets TCP_NODELAY once per connection, so requests
// never pay for a socket option. Failures are returned, never thrown: an unknown host as
// asio::error::host_not_found (or its try-again variant), a closed port as
// asio::error::connection_refused, a timeout as Errc::dial_timeout, a cancel emitted on the
// dial's slot as asio::error::operation_aborted, and a server that does not answer in HTTP/2
// as Errc::h2_protocol.
class TcpDialer final : public Dialer {
 public:
  // clock times the name lookup (DialResult::resolve_time).
  explicit TcpDialer(const Clock& clock, TcpDialerOptions options = {})
      : clock_(clock), options_(options) {}

  asio::awaitable<DialResult> dial(const ConnKey& key, asio::cancellation_slot cancel) override;

  // connect is the TCP part of dial, for dialers that build on it (TLS): it returns the
  // connected socket, TCP_NODELAY set, with the same failures and bounds as dial.
  asio::awaitable<TcpConnection> connect(const ConnKey& key, asio::cancellation_slot cancel);

 private:
  const Clock& clock_;
  const TcpDialerOptions options_;
};

}  // namespace hload::pool
