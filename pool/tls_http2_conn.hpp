#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include "pool/clock.hpp"
#include "pool/dialer.hpp"
#include "pool/http2_conn.hpp"
#include "pool/tls_http1_conn.hpp"

namespace hload::pool {

// TlsHttp2Conn is HTTP/2 over TLS, for a server that chose "h2" by ALPN. As over TLS for
// HTTP/1.1, a close without close_notify reads as asio::error::eof (tls_read_error).
using TlsHttp2Conn = BasicHttp2Conn<TlsStream>;
extern template class BasicHttp2Conn<TlsStream>;

// start_tls_http2_conn returns the TlsHttp2Conn over stream once the server's SETTINGS arrived
// (BasicHttp2Conn::start), or why not: Errc::tls_handshake_timeout after timeout (none when it
// is not positive), operation_aborted on a cancel emitted on `cancel`.
asio::awaitable<DialResult> start_tls_http2_conn(TlsStream stream, asio::cancellation_slot cancel,
                                                 Duration timeout);

}  // namespace hload::pool
