#include "pool/tls_errors.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <string>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

namespace hload::pool {

namespace {

class VerifyCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "hload.tls_verify"; }
  std::string message(int ev) const override {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(ev);
  }
};

class HandshakeCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "hload.tls_handshake"; }
  std::string message(int ev) const override {
    return "TLS handshake failed: " + boost::asio::error::get_ssl_category().message(ev);
  }
};

}  // namespace

const boost::system::error_category& tls_verify_category() noexcept {
  static const VerifyCategory kCategory;
  return kCategory;
}

error_code make_verify_error(long x509_result) noexcept {
  return {static_cast<int>(x509_result), tls_verify_category()};
}

const boost::system::error_category& tls_handshake_category() noexcept {
  static const HandshakeCategory kCategory;
  return kCategory;
}

error_code make_handshake_error(const error_code& ssl_error) noexcept {
  return {ssl_error.value(), tls_handshake_category()};
}

bool is_openssl_error(const error_code& ec) noexcept {
  return ec.category() == boost::asio::error::get_ssl_category();
}

error_code tls_read_error(const error_code& ec) noexcept {
  if (ec == boost::asio::ssl::error::stream_truncated) return boost::asio::error::eof;
  if (ec.category() == boost::asio::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) ==
          SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    return boost::asio::error::eof;
  }
  return ec;
}

}  // namespace hload::pool
