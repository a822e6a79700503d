#pragma once

#include <array>
#include <string_view>

namespace hload::engine {

// ErrorKind is the kind of a request that ended without an HTTP response (errors_by_kind).
enum class ErrorKind {
  connect_refused,  // nothing listens on the port
  connect_timeout,  // the dial took longer than -dial-timeout
  dns,              // the host name did not resolve
  timeout,          // the request took longer than -t
  conn_reset,       // the server reset the connection
  conn_closed,      // the server closed the connection before the response ended
  protocol,         // a malformed response
  tls_verify,       // the server's certificate was refused: untrusted, expired, another name
  tls_handshake,    // the TLS handshake failed otherwise, or TLS broke after it
  tls_timeout,      // the TLS handshake took longer than -tls-handshake-timeout
  unreachable,      // no route to the host
  fd_limit,         // hload ran out of file descriptors (EMFILE, ENFILE)
  no_local_port,    // no local port was free to connect from (EADDRNOTAVAIL)
  redirect,         // a redirect that could not be followed, or more than 10 in a row
  stream_reset,     // HTTP/2: the server reset the request's stream (RST_STREAM)
  refused_stream,   // HTTP/2: the server refused the stream, again after the pool's retries
  other,
};
inline constexpr int kErrorKinds = static_cast<int>(ErrorKind::other) + 1;

const char* to_string(ErrorKind k) noexcept;

}  // namespace hload::engine
