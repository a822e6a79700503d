#include "pool/tls_socket.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <pthread.h>
#include <sys/socket.h>

#include <csignal>

#include <chrono>
#include <cstring>
#include <exception>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>

#include "pool/tls_http1_conn.hpp"
#include "tests/support/test_certs.hpp"

namespace hload {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using pool::error_code;
using pool::TlsSocket;

// OneTlsPeer accepts one connection on 127.0.0.1 and serves it with plain blocking OpenSSL on
// a thread of its own: the handshake, then `script` on the connection, then it waits for the
// client to close, so that nothing it sent is lost to a reset.
class OneTlsPeer {
 public:
  using Script = std::function<void(SSL*)>;

  OneTlsPeer(const test::TestCerts& certs, Script script)
      : context_(ssl::context::tls_server),
        acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    context_.use_certificate_chain_file(certs.server.cert);
    context_.use_private_key_file(certs.server.key, ssl::context::pem);
    thread_ = std::thread([this, script = std::move(script)] {
      // The peer's own writes (OpenSSL's socket BIO, write(2)) may meet a client that already
      // closed; blocked here, their SIGPIPE stays off the client's thread, which is the one
      // under test.
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
      tcp::socket socket(io_);
      acceptor_.accept(socket);
      SSL* ssl = SSL_new(context_.native_handle());
      SSL_set_fd(ssl, socket.native_handle());
      if (SSL_accept(ssl) == 1) script(ssl);
      char byte;
      while (::recv(socket.native_handle(), &byte, 1, 0) > 0) {
      }
      SSL_free(ssl);
    });
  }
  OneTlsPeer(const OneTlsPeer&) = delete;
  OneTlsPeer& operator=(const OneTlsPeer&) = delete;
  ~OneTlsPeer() { thread_.join(); }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context io_;
  ssl::context context_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

class TlsSocketTest : public ::testing::Test {
 protected:
  // connect returns a TlsSocket to peer whose handshake is done.
  TlsSocket connect(const OneTlsPeer& peer) {
    tcp::socket socket(io_);
    socket.connect({asio::ip::make_address("127.0.0.1"), peer.port()});
    TlsSocket tls(std::move(socket), client_context_);
    error_code handshake_ec = asio::error::would_block;
    tls.async_handshake([&](error_code ec) { handshake_ec = ec; });
    io_.run();
    io_.restart();
    EXPECT_FALSE(handshake_ec) << handshake_ec.message();
    return tls;
  }

  // read_once makes one read of up to 256 bytes and returns what it read.
  std::string read_once(TlsSocket& tls, error_code& ec) {
    char buffer[256];
    std::size_t got = 0;
    tls.async_read_some(asio::buffer(buffer), [&](error_code e, std::size_t n) {
      ec = e;
      got = n;
    });
    io_.run();
    io_.restart();
    return {buffer, got};
  }

  test::TestCerts certs_;
  asio::io_context io_;
  ssl::context client_context_{
      ssl::context::tls_client};  // verify_none: the dialer's tests check trust
};

TEST_F(TlsSocketTest, OneReadReturnsEveryRecordThatArrived) {
  std::promise<void> sent;
  OneTlsPeer peer(certs_, [&](SSL* ssl) {
    // Three writes, three records, all in the client's receive queue once sent returns
    // (loopback delivers as it sends).
    for (const char* word : {"one", "two", "three"})
      SSL_write(ssl, word, static_cast<int>(std::strlen(word)));
    sent.set_value();
  });
  TlsSocket tls = connect(peer);
  sent.get_future().wait();
  error_code ec;
  EXPECT_EQ(read_once(tls, ec), "onetwothree");
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_FALSE(tls.input_buffered());
}

TEST_F(TlsSocketTest, CloseNotifyAfterRecordsIsTheNextReadsEof) {
  std::promise<void> sent;
  OneTlsPeer peer(certs_, [&](SSL* ssl) {
    SSL_write(ssl, "bye", 3);
    SSL_shutdown(ssl);  // sends close_notify, does not wait for the client's
    sent.set_value();
  });
  TlsSocket tls = connect(peer);
  sent.get_future().wait();
  error_code ec;
  EXPECT_EQ(read_once(tls, ec), "bye");
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(read_once(tls, ec), "");
  EXPECT_EQ(ec, asio::error::eof) << ec.message();
}

TEST_F(TlsSocketTest, AReadDoneAtOnceCompletesAfterItsInitiation) {
  std::promise<void> sent;
  OneTlsPeer peer(certs_, [&](SSL* ssl) {
    SSL_write(ssl, "x", 1);
    sent.set_value();
  });
  TlsSocket tls = connect(peer);
  sent.get_future().wait();
  char byte = 0;
  bool called = false;
  tls.async_read_some(asio::buffer(&byte, 1), [&](error_code ec, std::size_t n) {
    EXPECT_FALSE(ec);
    EXPECT_EQ(n, 1u);
    called = true;
  });
  EXPECT_FALSE(called) << "a handler must not run inside the call that started its operation";
  io_.run();
  EXPECT_TRUE(called);
  EXPECT_EQ(byte, 'x');
}

TEST_F(TlsSocketTest, CancelEndsAReadThatWaits) {
  OneTlsPeer peer(certs_, [](SSL*) {});  // sends nothing
  TlsSocket tls = connect(peer);
  asio::cancellation_signal cancel;
  char byte;
  error_code read_ec;
  tls.async_read_some(asio::buffer(&byte, 1),
                      asio::bind_cancellation_slot(
                          cancel.slot(), [&](error_code ec, std::size_t) { read_ec = ec; }));
  asio::post(io_, [&] { cancel.emit(asio::cancellation_type::terminal); });
  io_.run();
  EXPECT_EQ(read_ec, asio::error::operation_aborted) << read_ec.message();
}

TEST_F(TlsSocketTest, WritingToAPeerThatClosedIsAnErrorNotASignal) {
  // OpenSSL's own socket BIO writes with write(2), whose SIGPIPE would end this process.
  std::promise<void> closed;
  OneTlsPeer peer(certs_, [&](SSL* ssl) {
    ::shutdown(SSL_get_fd(ssl), SHUT_RDWR);
    closed.set_value();
  });
  TlsSocket tls = connect(peer);
  closed.get_future().wait();
  const std::string chunk(4096, 'a');
  error_code write_ec;
  for (int i = 0; i < 100 && !write_ec; ++i) {
    tls.async_write_some(asio::buffer(chunk), [&](error_code ec, std::size_t) { write_ec = ec; });
    io_.run();
    io_.restart();
  }
  EXPECT_TRUE(write_ec == asio::error::broken_pipe || write_ec == asio::error::connection_reset)
      << write_ec.message();
}

// A request larger than the socket takes while the server does not read: HTTP/1.1 over TLS
// writes what it can as the request starts and the rest once there is room, as OpenSSL
// requires (the same bytes again). The server reads the whole request, then answers.
TEST_F(TlsSocketTest, ARequestLargerThanTheSocketTakesLeavesWhole) {
  constexpr std::size_t kBody = 16 * 1024 * 1024;  // more than loopback's buffers hold
  const std::string head =
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(kBody) + "\r\n\r\n";
  const std::string wire = head + std::string(kBody, 'b');
  std::size_t received = 0;
  bool intact = true;
  OneTlsPeer peer(certs_, [&](SSL* ssl) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the client's buffer fills
    char buffer[65536];
    while (received < wire.size()) {
      const int n = SSL_read(ssl, buffer, sizeof buffer);
      if (n <= 0) break;
      intact = intact && wire.compare(received, static_cast<std::size_t>(n), buffer,
                                      static_cast<std::size_t>(n)) == 0;
      received += static_cast<std::size_t>(n);
    }
    const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    SSL_write(ssl, ok.data(), static_cast<int>(ok.size()));
  });
  pool::TlsHttp1Conn conn(connect(peer));
  pool::Request req;
  req.wire = wire;
  pool::Response resp;
  std::optional<pool::ConnResult> result;
  asio::co_spawn(io_, conn.round_trip(req, resp),
                 [&](const std::exception_ptr& e, pool::ConnResult r) {
                   EXPECT_FALSE(e);
                   result = r;
                 });
  io_.run_for(std::chrono::seconds(30));  // bounded: a request cut short would wait forever
  ASSERT_TRUE(result.has_value()) << "the round trip did not end";
  EXPECT_FALSE(result->ec) << result->ec.message();
  EXPECT_EQ(resp.status, 200u);
  EXPECT_EQ(resp.bytes_out, wire.size());
  EXPECT_EQ(received, wire.size());
  EXPECT_TRUE(intact) << "the server read other bytes than were sent";
  EXPECT_TRUE(conn.reusable());
}

}  // namespace
}  // namespace hload
