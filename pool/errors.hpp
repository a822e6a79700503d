#pragma once

#include <type_traits>

#include <boost/system/error_category.hpp>

#include "pool/error.hpp"

namespace hload::pool {

// Errc names the failures the pool itself decides, as opposed to those the operating system or
// the HTTP parser reports (which keep their own categories). The engine counts errors by kind,
// so each value is a kind of its own.
enum class Errc {
  dial_timeout = 1,       // the dial (resolve and connect) took longer than its timeout
  tls_handshake_timeout,  // the TLS handshake took longer than its timeout
  tls_handshake_closed,   // the server closed or reset the connection during the TLS handshake
  // HTTP/2: the server refused the stream before processing it (REFUSED_STREAM, or a stream
  // above a GOAWAY's last stream id): safe to send again on another connection.
  refused_stream,
  // HTTP/2: the server reset the stream (RST_STREAM with another code than REFUSED_STREAM).
  stream_reset,
  // HTTP/2: the connection broke the protocol or was torn down with the stream open (a
  // GOAWAY with an error code, a frame nghttp2 refused).
  h2_protocol,
};

// pool_category is the category of Errc values, named "hload.pool". Its conditions map
// dial_timeout and tls_handshake_timeout to std::errc::timed_out, so generic timeout checks see
// them.
const boost::system::error_category& pool_category() noexcept;

// make_error_code lets an Errc be used, compared and returned wherever an error_code is.
error_code make_error_code(Errc e) noexcept;

}  // namespace hload::pool

template <>
struct boost::system::is_error_code_enum<hload::pool::Errc> : std::true_type {};
