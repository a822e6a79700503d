#pragma once

// Definitions of BasicHttp2Conn. Only http2_conn.cpp (which compiles them once for Http2Conn),
// the TLS connection's translation unit and tests that run the connection over another stream
// include this file, so that other translation units need neither nghttp2 nor Beast.

#include "pool/http2_conn.hpp"

#include <concepts>
#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>

#include "pool/bug.hpp"
#include "pool/h2_session.hpp"
#include "pool/tls_errors.hpp"

namespace hload::pool {

namespace h2_detail {

// input_buffered says whether stream holds input it has read off the socket and not returned
// yet: a TLS stream returns the records that arrived whole, and the start of the next may wait
// in its buffer (TlsSocket::input_buffered). Other streams return all they have at once.
template <class Stream>
bool input_buffered(Stream& stream) {
  if constexpr (requires {
                  { stream.input_buffered() } -> std::same_as<bool>;
                }) {
    return stream.input_buffered();
  } else {
    return false;
  }
}

// Http2Io is H2Session's byte stream: the reader, the writes, the close.
template <class Stream>
class Http2Io final : public H2Session {
 public:
  explicit Http2Io(Stream stream)
      : H2Session(stream.get_executor()), stream_(std::move(stream)), in_(kReadSize) {}

  // start: see BasicHttp2Conn::start. Reads here until the server's SETTINGS came, then
  // leaves the reading to read_loop. Over TLS, a close without close_notify is read as eof
  // (tls_read_error; nothing else of it comes over plain TCP).
  asio::awaitable<error_code> start(asio::cancellation_slot cancel) {
    const std::shared_ptr<Http2Io> self = shared_self();
    if (const error_code ec = begin()) co_return ec;
    auto token = asio::bind_cancellation_slot(cancel, asio::as_tuple(asio::use_awaitable));
    while (!closed() && !settings_received()) {
      const auto [ec, n] = co_await stream_.async_read_some(asio::buffer(in_), token);
      if (n > 0) receive(in_.data(), n);
      if (ec) read_failed(tls_read_error(ec));
    }
    // The dial's cancellation must not reach the reader, whose reads are not bound to it.
    if (cancel.is_connected()) cancel.clear();
    if (closed()) co_return failure();
    asio::co_spawn(executor(), read_loop(self),
                   [](const std::exception_ptr& e) { HLOAD_CHECK(!e, "the HTTP/2 reader threw"); });
    co_return error_code{};
  }

 private:
  std::shared_ptr<Http2Io> shared_self() {
    return std::static_pointer_cast<Http2Io>(shared_from_this());
  }

  // read_loop feeds what arrives to the session until the connection ends; it holds the
  // session alive until then.
  static asio::awaitable<void> read_loop(std::shared_ptr<Http2Io> self) {
    while (!self->closed()) {
      const auto [ec, n] = co_await self->stream_.async_read_some(
          asio::buffer(self->in_), asio::as_tuple(asio::use_awaitable));
      const bool more = !ec && input_buffered(self->stream_);
      if (more) self->hold_writes();
      if (n > 0) self->receive(self->in_.data(), n);
      if (!more) self->release_writes();
      if (ec) self->read_failed(tls_read_error(ec));
    }
  }

  void write(std::span<const std::uint8_t> bytes) override {
    asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                      [self = shared_self()](error_code ec, std::size_t) { self->on_written(ec); });
  }

  void close_transport() override {
    boost::beast::close_socket(boost::beast::get_lowest_layer(stream_));
  }

  Stream stream_;
  std::vector<std::uint8_t> in_;  // kept for the connection's life: reads allocate nothing
};

}  // namespace h2_detail

template <class Stream>
BasicHttp2Conn<Stream>::BasicHttp2Conn(Stream stream)
    : io_(std::make_shared<h2_detail::Http2Io<Stream>>(std::move(stream))) {}

template <class Stream>
BasicHttp2Conn<Stream>::~BasicHttp2Conn() {
  io_->shutdown();
}

template <class Stream>
asio::awaitable<error_code> BasicHttp2Conn<Stream>::start(asio::cancellation_slot cancel) {
  return io_->start(cancel);
}

template <class Stream>
asio::awaitable<ConnResult> BasicHttp2Conn<Stream>::round_trip(const Request& req, Response& resp) {
  return io_->round_trip(req, resp);
}

template <class Stream>
int BasicHttp2Conn<Stream>::max_concurrent_streams() const noexcept {
  return io_->max_concurrent_streams();
}

template <class Stream>
bool BasicHttp2Conn<Stream>::reusable() const noexcept {
  return io_->reusable();
}

template <class Stream>
CloseReason BasicHttp2Conn<Stream>::close_reason() const noexcept {
  return io_->close_reason();
}

template <class Stream>
void BasicHttp2Conn<Stream>::set_events(std::shared_ptr<ConnEvents> events) {
  io_->set_events(std::move(events));
}

}  // namespace hload::pool
