#include "pool/errors.hpp"

#include <string>

#include <boost/system/errc.hpp>

namespace hload::pool {

namespace {

// PoolCategory gives Errc values their name, messages and generic conditions.
class PoolCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "hload.pool"; }

  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::dial_timeout:
        return "dial timed out";
      case Errc::refused_stream:
        return "stream refused by the server before it was processed";
      case Errc::stream_reset:
        return "stream reset by the server";
      case Errc::h2_protocol:
        return "HTTP/2 protocol error";
      case Errc::tls_handshake_timeout:
        return "TLS handshake timed out";
      case Errc::tls_handshake_closed:
        return "the server closed the connection during the TLS handshake";
    }
    return "unknown hload.pool error";
  }

  boost::system::error_condition default_error_condition(int ev) const noexcept override {
    switch (static_cast<Errc>(ev)) {
      case Errc::dial_timeout:
      case Errc::tls_handshake_timeout:
        return boost::system::errc::make_error_condition(boost::system::errc::timed_out);
      case Errc::refused_stream:
      case Errc::stream_reset:
      case Errc::h2_protocol:
      case Errc::tls_handshake_closed:
        break;
    }
    return {ev, *this};
  }
};

}  // namespace

const boost::system::error_category& pool_category() noexcept {
  static const PoolCategory kCategory;
  return kCategory;
}

error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), pool_category()}; }

}  // namespace hload::pool
