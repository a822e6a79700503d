#include "engine/classify_error.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/errc.hpp>

#include "engine/engine_errors.hpp"
#include "pool/errors.hpp"
#include "pool/h2_errors.hpp"
#include "pool/tls_errors.hpp"

namespace hload::engine {

ErrorKind classify_error(const pool::error_code& ec, bool timed_out) noexcept {
  namespace ae = boost::asio::error;
  if (timed_out) return ErrorKind::timeout;
  if (ec == pool::Errc::dial_timeout) return ErrorKind::connect_timeout;
  if (ec == pool::Errc::tls_handshake_timeout) return ErrorKind::tls_timeout;
  if (ec.category() == pool::tls_verify_category()) return ErrorKind::tls_verify;
  // OpenSSL's own errors after the handshake count here too: in TLS 1.3 a server's refusal of
  // the client's certificate arrives on the first read.
  if (ec == pool::Errc::tls_handshake_closed || ec.category() == pool::tls_handshake_category() ||
      pool::is_openssl_error(ec)) {
    return ErrorKind::tls_handshake;
  }
  if (ec == ae::connection_refused) return ErrorKind::connect_refused;
  if (ec == ae::host_not_found || ec == ae::host_not_found_try_again || ec == ae::no_data ||
      ec == ae::no_recovery || ec == ae::service_not_found) {
    return ErrorKind::dns;
  }
  if (ec == ae::connection_reset || ec == ae::broken_pipe) return ErrorKind::conn_reset;
  if (ec == ae::eof || ec == boost::beast::http::error::partial_message ||
      ec == boost::beast::http::error::end_of_stream) {
    return ErrorKind::conn_closed;
  }
  if (ec.category() == make_error_code(boost::beast::http::error::bad_version).category() ||
      ec == pool::Errc::h2_protocol) {
    return ErrorKind::protocol;
  }
  if (ec == pool::Errc::refused_stream) return ErrorKind::refused_stream;
  if (pool::is_stream_reset(ec)) return ErrorKind::stream_reset;
  if (ec == ae::timed_out) return ErrorKind::timeout;
  if (ec == ae::network_unreachable || ec == ae::host_unreachable) return ErrorKind::unreachable;
  // Compared as conditions, so that the system's and the generic category's codes both match.
  if (ec == boost::system::errc::too_many_files_open ||
      ec == boost::system::errc::too_many_files_open_in_system) {
    return ErrorKind::fd_limit;
  }
  if (ec == boost::system::errc::address_not_available) return ErrorKind::no_local_port;
  if (ec == EngineErrc::too_many_redirects || ec == EngineErrc::bad_redirect) {
    return ErrorKind::redirect;
  }
  return ErrorKind::other;
}

}  // namespace hload::engine
