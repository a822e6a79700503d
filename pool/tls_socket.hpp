#pragma once

// TlsSocket is TLS over a TCP socket, OpenSSL reading and writing the socket itself.
//
// Asio's ssl::stream runs OpenSSL over a pair of memory buffers and moves the bytes between
// them and the socket with operations of its own; around every OpenSSL call it clears the
// thread's error queue (about 860 instructions in OpenSSL 3) and queries the buffers. Over
// HTTP/1.1 that was about 4,500 instructions a request, an eighth of a TLS request's cost
// (docs/performance.md#hot-path). Here OpenSSL reads and writes the non-blocking socket through
// a BIO of ours (tls_socket.cpp); a call that finds the socket empty (or full) waits for Asio's
// reactor to report it readable (or writable) and is made again, which is how OpenSSL's
// non-blocking I/O is meant to be used. One read system call takes every record that arrived
// (SocketInput).
//
// It is a stream in Asio's sense (async_read_some, async_write_some), so the connections and
// asio::async_write use it as they would ssl::stream; one read and one write may be under way
// at once (HTTP/2's reader and writer), on the socket's executor. Errors are those of
// ssl::stream: OpenSSL's in asio::error::get_ssl_category(), a close_notify as
// asio::error::eof, a close without one as OpenSSL's "unexpected eof" (tls_read_error), and
// the socket's own errors as system errors.

#include <openssl/ssl.h>

#include <cstddef>
#include <memory>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>

#include "pool/error.hpp"

namespace hload::pool {

namespace asio = boost::asio;

class TlsSocket {
 public:
  // The names Asio's stream concepts look for (asio::async_write reads executor_type).
  // NOLINTBEGIN(readability-identifier-naming)
  using next_layer_type = asio::ip::tcp::socket;
  using lowest_layer_type = next_layer_type::lowest_layer_type;
  using executor_type = next_layer_type::executor_type;
  // NOLINTEND(readability-identifier-naming)

  // Step is what one OpenSSL call left to do: nothing more, or the same call again once the
  // socket is readable, or writable.
  enum class Step { done, want_read, want_write };

  // Takes the connected socket, for a client's handshake under context's settings. Throws
  // std::bad_alloc when OpenSSL cannot make the connection's object.
  TlsSocket(next_layer_type socket, asio::ssl::context& context);
  TlsSocket(TlsSocket&& other) noexcept;
  TlsSocket& operator=(TlsSocket&&) = delete;
  TlsSocket(const TlsSocket&) = delete;
  TlsSocket& operator=(const TlsSocket&) = delete;
  ~TlsSocket();

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  SSL* native_handle() const noexcept { return ssl_; }
  next_layer_type& next_layer() noexcept { return socket_; }
  lowest_layer_type& lowest_layer() noexcept { return socket_.lowest_layer(); }

  // The client's handshake; completes with void(error_code).
  template <class Token>
  auto async_handshake(Token&& token) {
    return start<void(error_code)>(
        [this](error_code& ec, std::size_t&) { return try_handshake(ec); },
        std::forward<Token>(token));
  }

  // Reads some bytes into the first non-empty buffer; completes with void(error_code, size_t).
  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    const auto b = first_buffer<asio::mutable_buffer>(buffers);
    return start<void(error_code, std::size_t)>(
        [this, b](error_code& ec, std::size_t& n) { return try_read(b, n, ec); },
        std::forward<Token>(token));
  }

  // Writes some bytes of the first non-empty buffer; completes with void(error_code, size_t).
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    const auto b = first_buffer<asio::const_buffer>(buffers);
    return start<void(error_code, std::size_t)>(
        [this, b](error_code& ec, std::size_t& n) { return try_write(b, n, ec); },
        std::forward<Token>(token));
  }

  // input_buffered says whether input was taken off the socket that no read has returned: a
  // read returns the records that arrived whole, and the start of another may remain.
  bool input_buffered() const noexcept;

  // SocketInput is what the socket's BIO (tls_socket.cpp) read off the socket and OpenSSL has
  // not taken yet. Its chunk is allocated by the first read and kept, as ssl::stream kept its
  // buffers; it sits apart from the TlsSocket so that a move leaves the BIO's pointer good.
  struct SocketInput {
    static constexpr std::size_t kChunk = 16 * 1024;
    int fd = -1;
    std::unique_ptr<char[]> chunk;
    std::size_t begin = 0;
    std::size_t end = 0;
    bool eof = false;
  };

  // The calls the operations are made of, one OpenSSL call each, never waiting. try_write
  // with want_write must be made again with the same bytes (they may sit at another address).
  Step try_handshake(error_code& ec);
  Step try_read(asio::mutable_buffer b, std::size_t& n, error_code& ec);
  Step try_write(asio::const_buffer b, std::size_t& n, error_code& ec);

 private:
  // IoOp makes Attempt's call until it is done, waiting for the socket between calls. A call
  // done at once completes through a post, as Asio's own operations do: a handler is never
  // run inside the function that started its operation.
  template <class Attempt>
  class IoOp {
   public:
    IoOp(TlsSocket& socket, Attempt attempt) : socket_(&socket), attempt_(std::move(attempt)) {}

    template <class Self>
    void operator()(Self& self, error_code wait_ec = {}) {
      if (!done_ && !wait_ec) {
        switch (attempt_(ec_, n_)) {
          case Step::want_read:
            waited_ = true;
            socket_->socket_.async_wait(next_layer_type::wait_read, std::move(self));
            return;
          case Step::want_write:
            waited_ = true;
            socket_->socket_.async_wait(next_layer_type::wait_write, std::move(self));
            return;
          case Step::done:
            done_ = true;
            if (!waited_) {
              asio::post(socket_->get_executor(), std::move(self));
              return;
            }
            break;
        }
      } else if (wait_ec) {
        ec_ = wait_ec;  // the wait was cancelled, or the socket closed under it
        n_ = 0;
      }
      complete(self);
    }

   private:
    template <class Self>
    void complete(Self& self) {
      if constexpr (requires { self.complete(ec_, n_); }) {
        self.complete(ec_, n_);
      } else {
        self.complete(ec_);
      }
    }

    TlsSocket* socket_;
    Attempt attempt_;
    error_code ec_;
    std::size_t n_ = 0;
    bool waited_ = false;
    bool done_ = false;
  };

  template <class Signature, class Attempt, class Token>
  auto start(Attempt attempt, Token&& token) {
    return asio::async_compose<Token, Signature>(IoOp<Attempt>(*this, std::move(attempt)), token,
                                                 socket_);
  }

  template <class Buffer, class Buffers>
  static Buffer first_buffer(const Buffers& buffers) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
         ++it) {
      const Buffer b(*it);
      if (b.size() > 0) return b;
    }
    return Buffer();
  }

  // step_of maps what SSL_get_error says of a call that returned result.
  Step step_of(int result, error_code& ec);

  next_layer_type socket_;
  std::unique_ptr<SocketInput> input_;
  SSL* ssl_;
  error_code deferred_;  // what a read met after it had read some bytes, for the next read
};

}  // namespace hload::pool
