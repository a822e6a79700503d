#include "pool/tls_http2_conn.hpp"

#include <memory>
#include <utility>

#include <boost/asio/this_coro.hpp>

#include "pool/dial_abort.hpp"
#include "pool/errors.hpp"
#include "pool/http2_conn_impl.hpp"

namespace hload::pool {

template class BasicHttp2Conn<TlsStream>;

// In a file of its own, not the TLS dialer's: GCC 12 mistakes the frame's delete for a
// mismatched one when it inlines this coroutine into the dial.
asio::awaitable<DialResult> start_tls_http2_conn(TlsStream stream, asio::cancellation_slot cancel,
                                                 Duration timeout) {
  const auto abort = std::make_shared<DialAbort>(co_await asio::this_coro::executor);
  DialAbort::arm(abort, cancel, timeout, Errc::tls_handshake_timeout);
  auto conn = std::make_unique<TlsHttp2Conn>(std::move(stream));
  const error_code ec = co_await conn->start(abort->slot());
  if (ec) co_return DialResult{abort->error() ? abort->error() : ec, nullptr};
  co_return DialResult{{}, std::move(conn)};
}

}  // namespace hload::pool
