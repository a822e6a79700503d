#pragma once

// How TLS failures travel as error codes. A handshake that fails is reported in one of three
// ways, each a kind of its own for the engine: the server's certificate was refused
// (tls_verify_category, whose message carries OpenSSL's reason), the handshake timed out or was
// cut off by the server (Errc in pool/errors.hpp), or OpenSSL refused it for another reason
// (tls_handshake_category, whose message carries OpenSSL's). This header has no OpenSSL in it,
// so the engine can classify without including the library.

#include <boost/system/error_category.hpp>

#include "pool/error.hpp"

namespace hload::pool {

// tls_verify_category, "hload.tls_verify": the values are OpenSSL's X509_V_ERR_* codes, the
// messages "certificate verify failed: " and X509_verify_cert_error_string's reason
// ("self-signed certificate", "certificate has expired", "hostname mismatch").
const boost::system::error_category& tls_verify_category() noexcept;

// make_verify_error is the error of a handshake whose certificate check ended in
// x509_result (SSL_get_verify_result).
error_code make_verify_error(long x509_result) noexcept;

// tls_handshake_category, "hload.tls_handshake": the values are OpenSSL's packed error codes
// (those of Asio's ssl category), the messages "TLS handshake failed: " and OpenSSL's reason
// ("wrong version number", "tlsv13 alert certificate required").
const boost::system::error_category& tls_handshake_category() noexcept;

// make_handshake_error is the error of a handshake that OpenSSL failed with ssl_error, an error
// code of Asio's ssl category.
error_code make_handshake_error(const error_code& ssl_error) noexcept;

// is_openssl_error says whether ec is one of OpenSSL's own errors (Asio's ssl category), as a
// TLS connection reports them once the handshake is done: an alert, a record that fails.
bool is_openssl_error(const error_code& ec) noexcept;

// tls_read_error maps an error read from a TLS stream to what an HTTP/1.1 connection reports:
// the server closing the TCP connection without a close_notify (Asio's stream_truncated, or
// OpenSSL's "unexpected eof while reading") is asio::error::eof, as it is over plain TCP, so
// that a stale keep-alive connection is retried and a body delimited by the close completes.
// A close_notify is asio::error::eof already; any other error is kept.
error_code tls_read_error(const error_code& ec) noexcept;

}  // namespace hload::pool
