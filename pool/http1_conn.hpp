#pragma once

#include <cstddef>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "pool/conn.hpp"
#include "pool/head_memo.hpp"

namespace hload::pool {

// BasicHttp1Conn carries HTTP/1.1 requests, one at a time, over a connected stream. It is a
// template so that it runs over plain TCP (Http1Conn), over TLS (TlsHttp1Conn, in
// tls_http1_conn.hpp) and, in codec tests, over an in-memory stream. Its definitions are in
// http1_conn_impl.hpp, compiled once for each of the first two.
//
// Hot path (docs/performance.md#hot-path): one write of the pre-serialized request, then reads
// into a buffer the connection keeps, parsed without storing headers (a head equal to the
// previous one is not parsed again: HeadMemo); no timer, no socket option,
// no exception per request. Every failure is returned as a value.
template <class Stream>
class BasicHttp1Conn final : public Conn {
 public:
  // stream must be connected (for TCP, with TCP_NODELAY already set by the dialer).
  explicit BasicHttp1Conn(Stream stream);

  // round_trip writes req.wire, then reads the response to its end (skipping 1xx interim
  // responses) and fills resp. Emitting on req.cancel aborts the pending write or read: the
  // result is asio::error::operation_aborted. A response cut short by the peer ends in
  // beast::http::error::partial_message; a close before any response byte in
  // asio::error::eof. Must not be called once reusable() is false.
  asio::awaitable<ConnResult> round_trip(const Request& req, Response& resp) override;

  // max_concurrent_streams is 1: HTTP/1.1 carries one request at a time.
  int max_concurrent_streams() const noexcept override { return 1; }

  // reusable is true on a fresh connection and after a round trip that read a complete
  // response allowing keep-alive with nothing after it; false after anything else, and once
  // peer_closed returned true.
  bool reusable() const noexcept override { return reusable_; }

  CloseReason close_reason() const noexcept override { return close_reason_; }

  std::string_view protocol() const noexcept override { return "http/1.1"; }

  // peer_closed peeks at the socket without blocking: true when the server closed it, sent
  // bytes nobody asked for (an idle timeout's 408, say) or the socket is in error. Over TLS the
  // records that arrived are read without blocking, so that a session ticket is not taken for a
  // close, but a close_notify is. A stream without a socket (in-memory tests) never reports a
  // close.
  bool peer_closed() noexcept override;

 private:
  // write_now writes what a TCP socket (or TLS over one) takes of bytes at once, without
  // waiting, and returns how many it wrote; other streams write nothing here. ec is set only by
  // a real failure.
  std::size_t write_now(std::string_view bytes, error_code& ec);

  Stream stream_;
  // Kept across requests so a keep-alive connection reads without allocating.
  boost::beast::flat_buffer buffer_;
  HeadMemo head_memo_;    // the last response head parsed in full, read again without parsing
  std::size_t read_ask_;  // what the next read asks for (http1_conn_impl.hpp: kFirstRead)
  bool reusable_ = true;
  CloseReason close_reason_ = CloseReason::server_close;
};

using Http1Conn = BasicHttp1Conn<asio::ip::tcp::socket>;

extern template class BasicHttp1Conn<asio::ip::tcp::socket>;

}  // namespace hload::pool
