#pragma once

// TlsServer is an HTTPS/1.1 server for tests, on 127.0.0.1 and a port the kernel picks, run by
// a thread of its own (Asio's TLS stream over OpenSSL). Every GET is answered "200 ok"; what
// can be chosen is how it behaves at the TLS layer: the certificate, whether it asks for a
// client certificate, how long it waits before answering a handshake, or never answering one.
// It counts what it saw, so a test can check the client from the server's side.
//
//   const TestCerts certs;
//   TlsServer srv({.cert = certs.server});
//   ... dial https://127.0.0.1:srv.port() trusting certs.ca_cert ...
//   EXPECT_EQ(srv.counters().handshakes, 1u);

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "tests/support/test_certs.hpp"

namespace hload::test {

// TlsServerOptions choose how a TlsServer behaves.
struct TlsServerOptions {
  CertFiles cert{};  // its certificate and key
  // client_ca, when set, makes it require a client certificate issued by that CA.
  std::string client_ca{};
  // answer_handshake false makes it accept connections and read what comes, never answering:
  // a TLS handshake to it hangs until the client gives up.
  bool answer_handshake = true;
  // handshake_delay is how long it waits after accepting before it answers the handshake.
  std::chrono::milliseconds handshake_delay{0};
  // tls12_only caps it at TLS 1.2 (no session tickets after the handshake).
  bool tls12_only = false;
};

// TlsServerCounters are what a TlsServer saw, since it started.
struct TlsServerCounters {
  std::uint64_t accepted = 0;    // TCP connections
  std::uint64_t handshakes = 0;  // completed TLS handshakes
  std::uint64_t resumed = 0;     // of which resumed a session
  std::uint64_t requests = 0;    // requests answered
  int open = 0;                  // connections not yet closed
  int max_open = 0;              // the most open at once
};

class TlsServer {
 public:
  // Starts listening; throws std::runtime_error when the certificate or the CA does not load.
  explicit TlsServer(TlsServerOptions options);
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;
  // Stops at once: open connections are dropped without a close_notify.
  ~TlsServer();

  std::uint16_t port() const noexcept { return port_; }
  TlsServerCounters counters() const;
  // server_names lists the SNI of each completed handshake in order; "" when it sent none.
  std::vector<std::string> server_names() const;

  // close_idle closes every connection that waits for its next request (or is sending the
  // response before it), after a close_notify when `notify` (else the TCP connection just ends),
  // and returns how many it closed once they are closed.
  int close_idle(bool notify);

 private:
  struct Session;

  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(std::shared_ptr<Session> s);
  // answer reads requests on an established session and answers them until it ends.
  boost::asio::awaitable<void> answer(std::shared_ptr<Session> s);
  // close_chosen closes a session close_idle chose.
  boost::asio::awaitable<void> close_chosen(std::shared_ptr<Session> s);
  // closed is called once per connection, when it ends.
  void closed();

  const TlsServerOptions options_;
  boost::asio::ssl::context context_;
  std::optional<boost::asio::io_context> io_;
  std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
  std::uint16_t port_ = 0;
  std::list<std::weak_ptr<Session>> sessions_;  // the server thread only

  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> handshakes_{0};
  std::atomic<std::uint64_t> resumed_{0};
  std::atomic<std::uint64_t> requests_{0};
  mutable std::mutex mu_;  // guards what follows
  std::condition_variable cv_;
  int open_ = 0;
  int max_open_ = 0;
  int closing_left_ = 0;  // connections close_idle chose that have not closed yet
  std::vector<std::string> server_names_;
  std::thread thread_;
};

}  // namespace hload::test
