#pragma once

// make_conn turns a connected stream into the pool's connection for the protocol its dial
// settled on: the TCP dialer by the key (-h2c), the TLS dialer by ALPN.

#include <memory>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include "pool/conn_key.hpp"
#include "pool/dialer.hpp"
#include "pool/http1_conn.hpp"
#include "pool/http2_conn.hpp"

namespace hload::pool {

// ConnProtocol is what a connection speaks once connected.
enum class ConnProtocol : std::uint8_t { http1, http2 };

// cleartext_protocol is what a key's connections speak without TLS (no ALPN to ask): HTTP/2
// only with prior knowledge.
constexpr ConnProtocol cleartext_protocol(ConnKey::Http http) noexcept {
  return http == ConnKey::Http::v2_prior_knowledge ? ConnProtocol::http2 : ConnProtocol::http1;
}

// make_conn returns the connection for stream: BasicHttp1Conn for http1; for http2 a
// BasicHttp2Conn once start() has exchanged SETTINGS with the server, bounded by cancel (the
// dial's own cancellation and timeout). Its failure is returned with no connection;
// resolve_time is left to the dialer. Both connection types must be compiled for Stream
// (http1_conn.cpp, http2_conn.cpp, or the TLS dialer's own).
template <class Stream>
asio::awaitable<DialResult> make_conn(Stream stream, ConnProtocol protocol,
                                      asio::cancellation_slot cancel) {
  if (protocol == ConnProtocol::http1) {
    co_return DialResult{{}, std::make_unique<BasicHttp1Conn<Stream>>(std::move(stream))};
  }
  auto conn = std::make_unique<BasicHttp2Conn<Stream>>(std::move(stream));
  if (const error_code ec = co_await conn->start(cancel)) co_return DialResult{ec, nullptr};
  co_return DialResult{{}, std::move(conn)};
}

}  // namespace hload::pool
