#pragma once

#include <memory>
#include <string>

#include "pool/http1_conn.hpp"
#include "pool/tls_socket.hpp"

namespace hload::pool {

// TlsStream is a TCP connection with TLS over it: what the TLS dialer hands to a connection.
using TlsStream = TlsSocket;

// TlsHttp1Conn is HTTP/1.1 over TLS. Over TLS the connection maps a close without close_notify
// to asio::error::eof, as a plain TCP close (tls_read_error), and peer_closed reads the TLS
// records that arrived while it sat idle (see BasicHttp1Conn::peer_closed).
using TlsHttp1Conn = BasicHttp1Conn<TlsStream>;

extern template class BasicHttp1Conn<TlsStream>;

// make_tls_http1_conn is the connection factory of the TLS dialer while hload speaks only
// HTTP/1.1: it builds a TlsHttp1Conn over stream, whatever ALPN chose (hload offers only
// "http/1.1", and a server that chose nothing speaks HTTP/1.1 too).
std::unique_ptr<Conn> make_tls_http1_conn(TlsStream&& stream, const std::string& alpn);

}  // namespace hload::pool
