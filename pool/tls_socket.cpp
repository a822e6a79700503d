#include "pool/tls_socket.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <new>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

namespace hload::pool {

namespace {

// before_call readies the thread for an OpenSSL call whose failure step_of will read. It
// empties the error queue when something left an error in it: SSL_get_error reads the queue,
// and an old entry would make a call that merely has to wait look failed (peeking costs a
// fraction of ERR_clear_error, which walks every slot). It clears errno, which is
// SSL_ERROR_SYSCALL's reason when the socket gives one.
void before_call() noexcept {
  if (ERR_peek_error() != 0) ERR_clear_error();
  errno = 0;
}

// The socket's BIO. OpenSSL asks its BIO for each record's 5-byte header, then for the rest
// of it; a BIO that went to the socket each time would make two system calls a record. This
// one reads the socket a chunk at a time into the connection's SocketInput and serves OpenSSL
// from there, so one recv takes every record that arrived. (OpenSSL's read-ahead would do the
// same with its own buffer, but moves what remains in it to its front before every record:
// 1,200 instructions a response over HTTP/2.) It writes with MSG_NOSIGNAL: OpenSSL's socket
// BIO uses write(2), which raises SIGPIPE on a connection the server closed, and a process
// that does not ignore SIGPIPE (a test, an embedding program) would die of it.
int socket_read(BIO* bio, char* out, int size) {
  auto* in = static_cast<TlsSocket::SocketInput*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (in->begin == in->end) {
    if (!in->chunk) in->chunk = std::make_unique<char[]>(TlsSocket::SocketInput::kChunk);
    const ssize_t n = ::recv(in->fd, in->chunk.get(), TlsSocket::SocketInput::kChunk, 0);
    if (n <= 0) {
      if (n == 0) {
        in->eof = true;  // BIO_CTRL_EOF tells OpenSSL the close was a close, not a failure
      } else if (BIO_sock_should_retry(static_cast<int>(n))) {
        BIO_set_retry_read(bio);
      }
      return static_cast<int>(n);
    }
    in->begin = 0;
    in->end = static_cast<std::size_t>(n);
  }
  const std::size_t take = std::min(static_cast<std::size_t>(size), in->end - in->begin);
  std::memcpy(out, in->chunk.get() + in->begin, take);
  in->begin += take;
  return static_cast<int>(take);
}

int socket_write(BIO* bio, const char* data, int size) {
  const auto* in = static_cast<const TlsSocket::SocketInput*>(BIO_get_data(bio));
  const ssize_t n = ::send(in->fd, data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  BIO_clear_retry_flags(bio);
  if (n <= 0 && BIO_sock_should_retry(static_cast<int>(n))) BIO_set_retry_write(bio);
  return static_cast<int>(n);
}

long socket_ctrl(BIO* bio, int cmd, long /*num*/, void* ptr) {
  const auto* in = static_cast<const TlsSocket::SocketInput*>(BIO_get_data(bio));
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;  // nothing is held back
    case BIO_CTRL_EOF:
      return in->eof ? 1 : 0;
    case BIO_CTRL_PENDING:
      return static_cast<long>(in->end - in->begin);
    case BIO_C_GET_FD:
      if (ptr != nullptr) *static_cast<int*>(ptr) = in->fd;
      return in->fd;
    default:
      return 0;
  }
}

int socket_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

// socket_method is that BIO's method table; made once, kept for the process.
const BIO_METHOD* socket_method() {
  static const BIO_METHOD* const kMethod = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                 "hload socket");
    if (m == nullptr) throw std::bad_alloc();
    BIO_meth_set_read(m, socket_read);
    BIO_meth_set_write(m, socket_write);
    BIO_meth_set_ctrl(m, socket_ctrl);
    BIO_meth_set_create(m, socket_create);
    return m;
  }();
  return kMethod;
}

}  // namespace

TlsSocket::TlsSocket(next_layer_type socket, asio::ssl::context& context)
    : socket_(std::move(socket)),
      input_(std::make_unique<SocketInput>()),
      ssl_(SSL_new(context.native_handle())) {
  if (ssl_ == nullptr) throw std::bad_alloc();
  // A write may end after some records (the rest is written by the next call), and its bytes
  // may move between calls. Whether an idle connection gives OpenSSL's record buffers back is
  // the dialer's choice (TlsOptions::release_idle_buffers).
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_set_connect_state(ssl_);
  error_code ignored;  // fails only on a closed socket (fd -1), which the first call reports
  // OpenSSL's calls must never block: they come back to wait for the reactor instead.
  socket_.native_non_blocking(true, ignored);
  input_->fd = socket_.native_handle();
  BIO* bio = BIO_new(socket_method());
  if (bio == nullptr) {
    SSL_free(ssl_);
    throw std::bad_alloc();
  }
  BIO_set_data(bio, input_.get());
  SSL_set_bio(ssl_, bio, bio);  // one reference, for both directions
}

bool TlsSocket::input_buffered() const noexcept {
  return SSL_pending(ssl_) > 0 || input_->begin != input_->end;
}

TlsSocket::TlsSocket(TlsSocket&& other) noexcept
    : socket_(std::move(other.socket_)),
      input_(std::move(other.input_)),
      ssl_(std::exchange(other.ssl_, nullptr)),
      deferred_(other.deferred_) {}

TlsSocket::~TlsSocket() { SSL_free(ssl_); }

TlsSocket::Step TlsSocket::try_handshake(error_code& ec) {
  before_call();
  return step_of(SSL_do_handshake(ssl_), ec);
}

TlsSocket::Step TlsSocket::try_read(asio::mutable_buffer b, std::size_t& n, error_code& ec) {
  n = 0;
  ec = {};
  if (b.size() == 0) return Step::done;
  if (deferred_) {
    ec = std::exchange(deferred_, {});
    return Step::done;
  }
  before_call();
  if (SSL_read_ex(ssl_, b.data(), b.size(), &n) != 1) return step_of(0, ec);
  // OpenSSL returns one record a call; the records that came with it are returned too, so
  // that a reader gets everything that arrived at once (HTTP/2's responses, which nginx sends
  // a record each). What ends this, other than a wait, is the next read's result.
  auto* out = static_cast<unsigned char*>(b.data());
  while (n < b.size() && input_buffered()) {
    std::size_t more = 0;
    errno = 0;  // the queue is still empty: the call before it succeeded
    if (SSL_read_ex(ssl_, out + n, b.size() - n, &more) != 1) {
      error_code later;
      if (step_of(0, later) == Step::done) deferred_ = later;
      break;
    }
    n += more;
  }
  return Step::done;
}

TlsSocket::Step TlsSocket::try_write(asio::const_buffer b, std::size_t& n, error_code& ec) {
  n = 0;
  ec = {};
  if (b.size() == 0) return Step::done;
  before_call();
  if (SSL_write_ex(ssl_, b.data(), b.size(), &n) == 1) return Step::done;
  return step_of(0, ec);
}

TlsSocket::Step TlsSocket::step_of(int result, error_code& ec) {
  const int saved_errno = errno;
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_NONE:
      ec = {};
      return Step::done;
    case SSL_ERROR_WANT_READ:
      return Step::want_read;
    case SSL_ERROR_WANT_WRITE:
      return Step::want_write;
    case SSL_ERROR_ZERO_RETURN:
      ec = asio::error::eof;  // the server's close_notify
      return Step::done;
    case SSL_ERROR_SYSCALL:
      // The socket failed (reset, broken pipe) with nothing in OpenSSL's queue, or OpenSSL
      // put its reason there.
      if (const unsigned long e = ERR_get_error(); e != 0) {
        ec = error_code(static_cast<int>(e), asio::error::get_ssl_category());
      } else if (saved_errno != 0) {
        ec = error_code(saved_errno, boost::system::system_category());
      } else {
        ec = asio::ssl::error::stream_truncated;  // an end of input OpenSSL did not expect
      }
      break;
    default:
      // SSL_ERROR_SSL: the first error is the reason (a refused certificate, a bad record,
      // OpenSSL 3's "unexpected eof while reading"), as Asio reports it.
      ec = error_code(static_cast<int>(ERR_get_error()), asio::error::get_ssl_category());
      break;
  }
  ERR_clear_error();
  return Step::done;
}

}  // namespace hload::pool
