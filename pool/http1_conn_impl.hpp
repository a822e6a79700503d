#pragma once

// Definitions of BasicHttp1Conn. Only http1_conn.cpp (which compiles them once for Http1Conn)
// and tests that run the connection over another stream include this file, so other
// translation units do not pay for Beast's parser.

#include "pool/http1_conn.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>

#include "pool/bug.hpp"
#include "pool/in_place_op.hpp"
#include "pool/response_reader.hpp"
#include "pool/tls_errors.hpp"
#include "pool/tls_socket.hpp"
#include "pool/trace.hpp"

namespace hload::pool {

namespace http1_detail {

// A connection's first read asks for kFirstRead bytes, enough for a small response (status
// line, a few headers, a short body: nginx's 143 bytes, `hload serve`'s 82) in one read system
// call. Each read that fills what it asked for doubles the next one, up to kMaxRead: a
// connection of small responses keeps a buffer of 512 bytes (20,000 connections at once are
// 10 MB of buffers, not the 160 MB that 8 KiB each were), one of larger responses grows its
// buffer after its first and reads a large body 64 KiB at a time.
inline constexpr std::size_t kFirstRead = 512;
inline constexpr std::size_t kMaxRead = 64 * 1024;

// kIsTls says whether a stream is TLS over TCP.
template <class Stream>
inline constexpr bool kIsTls = std::is_same_v<Stream, TlsSocket>;

// kIsTcpSocket says whether a stream is a plain TCP socket, which writes without waiting.
template <class Stream>
inline constexpr bool kIsTcpSocket = false;
template <class Executor>
inline constexpr bool kIsTcpSocket<asio::basic_stream_socket<asio::ip::tcp, Executor>> = true;

// read_error is what a read error of Stream means to HTTP/1.1: over TLS a close without
// close_notify is a close (tls_read_error); over anything else the error is kept.
template <class Stream>
error_code read_error(const error_code& ec) {
  if constexpr (kIsTls<Stream>) {
    return tls_read_error(ec);
  } else {
    return ec;
  }
}

// Peek is what a socket holds for reading, seen without taking it.
enum class Peek { nothing, data, closed };

// peek looks at socket fd without blocking: nothing to read, bytes, or the server's FIN (an
// error other than "would block" means the socket is dead, which counts as closed).
inline Peek peek(int fd) noexcept {
  char byte;
  const auto n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return Peek::data;
  if (n == 0) return Peek::closed;
  return errno == EAGAIN || errno == EWOULDBLOCK ? Peek::nothing : Peek::closed;
}

// tls_records_close reads, without blocking, the TLS records that arrived on an idle
// connection and says whether they end it. After the handshake a TLS 1.3 server sends session
// tickets, which a connection that has not yet carried a request has not read: those carry no
// data and leave the stream waiting for more (would_block). Data (an unsolicited response), a
// close_notify (eof) or any error end the connection.
inline bool tls_records_close(TlsSocket& stream) noexcept {
  char byte;
  std::size_t n = 0;
  error_code ec;
  return stream.try_read(asio::buffer(&byte, 1), n, ec) != TlsSocket::Step::want_read;
}

}  // namespace http1_detail

template <class Stream>
BasicHttp1Conn<Stream>::BasicHttp1Conn(Stream stream)
    : stream_(std::move(stream)), read_ask_(http1_detail::kFirstRead) {
  buffer_.reserve(http1_detail::kFirstRead);
  if constexpr (http1_detail::kIsTcpSocket<Stream>) {
    // write_now's writes must never block. Asio's own operations work either way.
    error_code ignored;  // fails only on a closed socket, which the first write reports
    stream_.non_blocking(true, ignored);
  }
}

template <class Stream>
std::size_t BasicHttp1Conn<Stream>::write_now(std::string_view bytes, error_code& ec) {
  if constexpr (http1_detail::kIsTcpSocket<Stream>) {
    // A request is smaller than the socket's send buffer, so it almost always leaves in this
    // one call, without the asynchronous operation, the trip through the scheduler and the
    // coroutine's suspension an async_write costs (docs/performance.md#hot-path).
    const std::size_t n = stream_.write_some(asio::buffer(bytes), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) ec = {};
    return n;
  } else if constexpr (http1_detail::kIsTls<Stream>) {
    // The same over TLS: OpenSSL writes the records to the socket at once. Bytes it could not
    // write (it waits for room) go on with async_write, which makes the call again with the
    // same bytes, as OpenSSL requires.
    std::size_t done = 0;
    while (done < bytes.size()) {
      std::size_t n = 0;
      const auto step = stream_.try_write(asio::buffer(bytes.substr(done)), n, ec);
      done += n;
      if (step != TlsSocket::Step::done || ec) break;
    }
    return done;
  } else {
    ec = {};
    return 0;
  }
}

template <class Stream>
asio::awaitable<ConnResult> BasicHttp1Conn<Stream>::round_trip(const Request& req, Response& resp) {
  HLOAD_CHECK(reusable_, "round_trip on an HTTP/1.1 connection that is not reusable");
  // Until a complete response has been read the connection's state is unknown: any early
  // return (error, cancellation) leaves it unusable.
  reusable_ = false;
  // Expected failures come back as values; binding req.cancel lets the caller abort the
  // pending operation, whichever it is.
  auto token = asio::bind_cancellation_slot(req.cancel, asio::as_tuple(asio::use_awaitable));
  ConnResult result;

  error_code write_ec;
  std::size_t written = write_now(req.wire, write_ec);
  if (!write_ec && written < req.wire.size()) {
    const auto [ec, n] =
        co_await asio::async_write(stream_, asio::buffer(req.wire.substr(written)), token);
    write_ec = ec;
    written += n;
  }
  resp.bytes_out = written;
  result.wrote_any = written > 0;
  if (write_ec) {
    // A server may answer before it has read the whole request (a 413 for a body too large, a
    // 401) and close: the write then fails, but the answer already arrived and is still
    // readable. It is read and counted as what it is, as Go does; when nothing came, the
    // write's failure is the exchange's.
    const bool peer_gone =
        write_ec == asio::error::broken_pipe || write_ec == asio::error::connection_reset;
    if (!peer_gone) {
      result.ec = write_ec;
      co_return result;
    }
  } else if (req.trace) {
    req.trace->on_wrote_request();
  }

  error_code ec;
  for (;;) {
    // One reader per response, as Beast parsers are single-use: interim 1xx responses come
    // before the final one on the same request.
    ResponseReader parser(req.head, head_memo_);
    while (!parser.is_done()) {
      if (buffer_.size() > 0) {
        // The parser takes header fields only whole, so an incomplete one stays buffered
        // (need_more) until a later read completes it; past the header it takes everything.
        buffer_.consume(parser.feed(buffer_.data(), ec));
        if (ec == boost::beast::http::error::need_more) ec = {};
        if (ec || parser.is_done()) break;
      }
      const std::size_t ask = read_ask_;
      const auto [stream_ec, n] =
          co_await in_place_op<error_code, std::size_t>([this, ask, &req](auto handler) {
            stream_.async_read_some(buffer_.prepare(ask),
                                    asio::bind_cancellation_slot(req.cancel, std::move(handler)));
          });
      if (n == ask && read_ask_ < http1_detail::kMaxRead) read_ask_ *= 2;
      const error_code read_ec = http1_detail::read_error<Stream>(stream_ec);
      buffer_.commit(n);
      resp.bytes_in += n;
      if (n > 0 && !result.got_any) {
        result.got_any = true;
        if (req.trace) req.trace->on_first_response_byte();
      }
      if (read_ec == asio::error::eof) {
        if (parser.got_some()) {
          // Completes a body delimited by the close; anything else ends in partial_message.
          parser.put_eof(ec);
        } else {
          // A close before any byte of the response is the stale keep-alive case the pool
          // retries; after an interim response it is a truncated exchange.
          ec = result.got_any ? error_code(boost::beast::http::error::partial_message)
                              : error_code(asio::error::eof);
        }
        break;
      }
      if (read_ec) {
        ec = read_ec;
        break;
      }
    }
    if (ec) {
      result.ec = write_ec && !result.got_any ? write_ec : ec;
      co_return result;
    }

    const unsigned status = parser.status();
    if (status / 100 == 1 && status != 101) continue;
    resp.status = status;
    resp.keep_alive = parser.keep_alive();
    resp.body_bytes = parser.body_bytes();
    if (status / 100 == 3) resp.location = parser.location();
    // Bytes after the response were never asked for (junk, or a server pipelining ahead): the
    // next response could not be told apart from them. After 101 the connection speaks
    // another protocol, which hload did not ask for.
    reusable_ = resp.keep_alive && buffer_.size() == 0 && status != 101 && !write_ec;
    close_reason_ =
        resp.keep_alive && !write_ec ? CloseReason::protocol : CloseReason::server_close;
    co_return result;
  }
}

template <class Stream>
bool BasicHttp1Conn<Stream>::peer_closed() noexcept {
  bool closed = false;
  if constexpr (http1_detail::kIsTls<Stream>) {
    // A TLS record is not necessarily the end: it may be a session ticket.
    switch (http1_detail::peek(stream_.lowest_layer().native_handle())) {
      case http1_detail::Peek::nothing:
        break;
      case http1_detail::Peek::data:
        closed = http1_detail::tls_records_close(stream_);
        break;
      case http1_detail::Peek::closed:
        closed = true;
        break;
    }
  } else if constexpr (requires(Stream & s) { s.native_handle(); }) {
    // 0 is the server's FIN; a byte is an unsolicited response.
    closed = http1_detail::peek(stream_.native_handle()) != http1_detail::Peek::nothing;
  }
  if (closed) {
    reusable_ = false;
    close_reason_ = CloseReason::server_close;
  }
  return closed;
}

}  // namespace hload::pool
