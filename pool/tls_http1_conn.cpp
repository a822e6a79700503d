#include "pool/tls_http1_conn.hpp"

#include "pool/http1_conn_impl.hpp"

namespace hload::pool {

template class BasicHttp1Conn<TlsStream>;

std::unique_ptr<Conn> make_tls_http1_conn(TlsStream&& stream, const std::string& /*alpn*/) {
  return std::make_unique<TlsHttp1Conn>(std::move(stream));
}

}  // namespace hload::pool
