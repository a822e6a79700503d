// Tests of the TLS dialer and of HTTP/1.1 over TLS, against TLS servers in the test process
// (tests/support/tls_server.hpp) with certificates made at test time: the handshake and what it
// reports, SNI, each way a certificate is refused and the reason given, client certificates,
// the handshake timeout and cancellation, session resumption, and how an idle TLS connection
// that the server closed is found out (peer_closed) or retried (architecture §4 rule 9).

#include "pool/tls_dialer.hpp"

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "cmd/server/builtin_server.hpp"
#include "pool/errors.hpp"
#include "pool/tls_errors.hpp"
#include "pool/transport.hpp"
#include "tests/support/test_certs.hpp"
#include "tests/support/tls_server.hpp"

namespace hload::test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using pool::error_code;
using namespace std::chrono_literals;

constexpr std::string_view kGet = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

// run_to_end runs op on io until it finishes and returns its result; a hang of ten seconds
// fails the test, and so does an exception: the dialer returns its errors.
template <class T>
T run_to_end(asio::io_context& io, asio::awaitable<T> op) {
  std::optional<T> out;
  asio::co_spawn(io, std::move(op), [&out](const std::exception_ptr& e, T value) {
    EXPECT_FALSE(e) << "an exception escaped";
    out = std::move(value);
  });
  io.restart();
  while (!out && io.run_one_for(10s) > 0) {
  }
  if (!out) {
    ADD_FAILURE() << "the operation did not finish";
    return T{};
  }
  return std::move(*out);
}

pool::ConnKey https_key(const std::string& host, std::uint16_t port) {
  return pool::ConnKey{"https", host, port, "", pool::ConnKey::Http::v1};
}

// Exchange is one round trip's outcome.
struct Exchange {
  pool::ConnResult result;
  pool::Response resp;
};

asio::awaitable<Exchange> get(pool::Conn* conn) {
  pool::Request req;
  req.wire = kGet;
  Exchange x;
  x.result = co_await conn->round_trip(req, x.resp);
  co_return x;
}

// trusting is the options of a client that trusts the test CA.
pool::TlsOptions trusting(const TestCerts& certs) {
  pool::TlsOptions o;
  o.ca_file = certs.ca_cert;
  return o;
}

class TlsDialerTest : public ::testing::Test {
 protected:
  // dial dials key with options and returns the result.
  pool::DialResult dial(const pool::TlsOptions& options, const pool::ConnKey& key) {
    dialer_.emplace(pool::steady_clock(), pool::TcpDialerOptions{}, options);
    return run_to_end(io_, dialer_->dial(key, {}));
  }

  // dial_again dials key with the dialer of the last dial().
  pool::DialResult dial_again(const pool::ConnKey& key) {
    return run_to_end(io_, dialer_->dial(key, {}));
  }

  Exchange round_trip(pool::Conn& conn) { return run_to_end(io_, get(&conn)); }

  // expect_verify_error checks that r failed because the certificate was refused, for a
  // reason that contains `reason`.
  static void expect_verify_error(const pool::DialResult& r, const std::string& reason) {
    EXPECT_EQ(r.conn, nullptr);
    EXPECT_EQ(r.ec.category(), pool::tls_verify_category()) << r.ec.message();
    EXPECT_NE(r.ec.message().find(reason), std::string::npos) << r.ec.message();
    EXPECT_TRUE(r.ec.message().starts_with("certificate verify failed: ")) << r.ec.message();
  }

  const TestCerts certs_;
  asio::io_context io_{1};
  std::optional<pool::TlsDialer> dialer_;
};

TEST_F(TlsDialerTest, HandshakeThenRoundTrip) {
  TlsServer srv({.cert = certs_.server});
  const pool::DialResult r = dial(trusting(certs_), https_key("127.0.0.1", srv.port()));
  ASSERT_FALSE(r.ec) << r.ec.message();
  ASSERT_NE(r.conn, nullptr);
  ASSERT_TRUE(r.tls.has_value());
  EXPECT_EQ(r.tls->version, "TLSv1.3");
  EXPECT_FALSE(r.tls->cipher.empty());
  EXPECT_EQ(r.tls->alpn, "http/1.1");
  EXPECT_FALSE(r.tls->resumed);
  EXPECT_GT(r.tls->handshake_time, pool::Duration::zero());
  for (int i = 0; i < 3; ++i) {
    const Exchange x = round_trip(*r.conn);
    ASSERT_FALSE(x.result.ec) << x.result.ec.message();
    EXPECT_EQ(x.resp.status, 200u);
    EXPECT_EQ(x.resp.body_bytes, 3u);
    EXPECT_TRUE(r.conn->reusable());
  }
  EXPECT_EQ(srv.counters().handshakes, 1u);
  EXPECT_EQ(srv.counters().requests, 3u);
}

TEST_F(TlsDialerTest, Tls12IsSpokenToo) {
  TlsServer srv({.cert = certs_.server, .tls12_only = true});
  const pool::DialResult r = dial(trusting(certs_), https_key("127.0.0.1", srv.port()));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.tls->version, "TLSv1.2");
  EXPECT_EQ(round_trip(*r.conn).resp.status, 200u);
}

TEST_F(TlsDialerTest, SendsSniForANameNotForAnAddress) {
  TlsServer srv({.cert = certs_.server});
  const pool::DialResult by_name = dial(trusting(certs_), https_key("localhost", srv.port()));
  ASSERT_FALSE(by_name.ec) << by_name.ec.message();
  // Answered, the server has surely finished its side of the handshake.
  EXPECT_EQ(round_trip(*by_name.conn).resp.status, 200u);
  const pool::DialResult by_address = dial_again(https_key("127.0.0.1", srv.port()));
  ASSERT_FALSE(by_address.ec) << by_address.ec.message();
  EXPECT_EQ(round_trip(*by_address.conn).resp.status, 200u);
  EXPECT_EQ(srv.server_names(), (std::vector<std::string>{"localhost", ""}));
}

TEST_F(TlsDialerTest, FactoryGetsTheProtocolAlpnChose) {
  TlsServer srv({.cert = certs_.server});
  std::string chosen = "(not called)";
  pool::TlsDialer dialer(pool::steady_clock(), {}, trusting(certs_),
                         [&chosen](pool::TlsStream&& stream, const std::string& alpn) {
                           chosen = alpn;
                           return pool::make_tls_http1_conn(std::move(stream), alpn);
                         });
  const pool::DialResult r = run_to_end(io_, dialer.dial(https_key("127.0.0.1", srv.port()), {}));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(chosen, "http/1.1");
}

TEST_F(TlsDialerTest, IdleBuffersAreReleasedOnlyWhenAskedTo) {
  TlsServer srv({.cert = certs_.server});
  for (const bool release : {false, true}) {
    pool::TlsOptions options = trusting(certs_);
    options.release_idle_buffers = release;
    long mode = -1;
    pool::TlsDialer dialer(pool::steady_clock(), {}, options,
                           [&mode](pool::TlsStream&& stream, const std::string& alpn) {
                             mode = SSL_get_mode(stream.native_handle());
                             return pool::make_tls_http1_conn(std::move(stream), alpn);
                           });
    const pool::DialResult r = run_to_end(io_, dialer.dial(https_key("127.0.0.1", srv.port()), {}));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ((mode & SSL_MODE_RELEASE_BUFFERS) != 0, release);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(round_trip(*r.conn).resp.status, 200u) << release;
  }
}

TEST_F(TlsDialerTest, SelfSignedCertificateIsRefusedWithItsReason) {
  TlsServer srv({.cert = certs_.self_signed});
  // The system's CA store, as a run without -cacert has.
  expect_verify_error(dial({}, https_key("localhost", srv.port())), "self-signed certificate");
  // Nor does the test CA vouch for it.
  expect_verify_error(dial(trusting(certs_), https_key("localhost", srv.port())),
                      "self-signed certificate");
  EXPECT_EQ(srv.counters().handshakes, 0u);
}

TEST_F(TlsDialerTest, CertificateForAnotherNameIsRefused) {
  TlsServer srv({.cert = certs_.other_name});
  expect_verify_error(dial(trusting(certs_), https_key("localhost", srv.port())),
                      "hostname mismatch");
  expect_verify_error(dial_again(https_key("127.0.0.1", srv.port())), "IP address mismatch");
}

TEST_F(TlsDialerTest, ExpiredCertificateIsRefused) {
  TlsServer srv({.cert = certs_.expired});
  expect_verify_error(dial(trusting(certs_), https_key("127.0.0.1", srv.port())),
                      "certificate has expired");
}

TEST_F(TlsDialerTest, InsecureAcceptsWhatVerificationRefuses) {
  pool::TlsOptions insecure;
  insecure.insecure = true;
  for (const CertFiles* cert : {&certs_.self_signed, &certs_.other_name, &certs_.expired}) {
    SCOPED_TRACE(cert->cert);
    TlsServer srv({.cert = *cert});
    const pool::DialResult r = dial(insecure, https_key("127.0.0.1", srv.port()));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(round_trip(*r.conn).resp.status, 200u);
  }
}

TEST_F(TlsDialerTest, ClientCertificateIsSentWhenTheServerAsksForOne) {
  TlsServer srv({.cert = certs_.server, .client_ca = certs_.ca_cert});
  pool::TlsOptions with_cert = trusting(certs_);
  with_cert.cert_file = certs_.client.cert;
  with_cert.key_file = certs_.client.key;
  const pool::DialResult r = dial(with_cert, https_key("127.0.0.1", srv.port()));
  ASSERT_FALSE(r.ec) << r.ec.message();
  const Exchange x = round_trip(*r.conn);
  ASSERT_FALSE(x.result.ec) << x.result.ec.message();
  EXPECT_EQ(x.resp.status, 200u);
}

TEST_F(TlsDialerTest, NoClientCertificateFailsWhenTheServerRequiresOne) {
  TlsServer srv({.cert = certs_.server, .client_ca = certs_.ca_cert});
  const pool::DialResult r = dial(trusting(certs_), https_key("127.0.0.1", srv.port()));
  // In TLS 1.3 the client's side of the handshake is done before the server has looked at the
  // certificate, so the server's refusal arrives as an alert on the first read.
  error_code ec = r.ec;
  if (!ec) {
    ASSERT_NE(r.conn, nullptr);
    const Exchange x = round_trip(*r.conn);
    ec = x.result.ec;
    EXPECT_FALSE(x.result.got_any);
    EXPECT_FALSE(r.conn->reusable());
  }
  ASSERT_TRUE(ec);
  EXPECT_NE(ec.message().find("certificate required"), std::string::npos) << ec.message();
  EXPECT_EQ(srv.counters().requests, 0u);
}

TEST_F(TlsDialerTest, ServerThatNeverAnswersTimesOutTheHandshake) {
  TlsServer srv({.cert = certs_.server, .answer_handshake = false});
  pool::TlsOptions o = trusting(certs_);
  o.handshake_timeout = 200ms;
  const auto start = std::chrono::steady_clock::now();
  const pool::DialResult r = dial(o, https_key("127.0.0.1", srv.port()));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.ec, pool::Errc::tls_handshake_timeout) << r.ec.message();
  EXPECT_EQ(r.ec.message(), "TLS handshake timed out");
  EXPECT_EQ(r.conn, nullptr);
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 2s);
  EXPECT_EQ(srv.counters().accepted, 1u) << "the TCP connect succeeded; only TLS timed out";
}

asio::awaitable<void> cancel_when_accepted(const TlsServer* srv,
                                           asio::cancellation_signal* cancel) {
  asio::steady_timer poll(co_await asio::this_coro::executor);
  while (srv->counters().accepted == 0) {
    poll.expires_after(5ms);
    co_await poll.async_wait(asio::use_awaitable);
  }
  // The handshake has started: the ClientHello went out right after the connect.
  poll.expires_after(50ms);
  co_await poll.async_wait(asio::use_awaitable);
  cancel->emit(asio::cancellation_type::terminal);
}

TEST_F(TlsDialerTest, CancelEndsADialMidHandshake) {
  TlsServer srv({.cert = certs_.server, .answer_handshake = false});
  pool::TlsDialer dialer(pool::steady_clock(), {}, trusting(certs_));  // handshake timeout 10 s
  asio::cancellation_signal cancel;
  asio::co_spawn(io_, cancel_when_accepted(&srv, &cancel), asio::detached);
  const auto start = std::chrono::steady_clock::now();
  const pool::DialResult r =
      run_to_end(io_, dialer.dial(https_key("127.0.0.1", srv.port()), cancel.slot()));
  EXPECT_EQ(r.ec, asio::error::operation_aborted) << r.ec.message();
  EXPECT_EQ(r.conn, nullptr);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(TlsDialerTest, ServerThatClosesDuringTheHandshake) {
  tcp::acceptor closer(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  closer.async_accept([](error_code, tcp::socket s) { s.close(); });
  const pool::DialResult r =
      dial(trusting(certs_), https_key("127.0.0.1", closer.local_endpoint().port()));
  EXPECT_EQ(r.ec, pool::Errc::tls_handshake_closed) << r.ec.message();
}

TEST_F(TlsDialerTest, PlainHttpAnswerFailsTheHandshakeWithOpenSslsReason) {
  // A plain HTTP server that answers whatever it gets, as nginx does a ClientHello on an http
  // port.
  tcp::acceptor plain(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket answered(io_);
  static constexpr std::string_view kAnswer =
      "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
  plain.async_accept([&answered](error_code ec, tcp::socket s) {
    if (ec) return;
    answered = std::move(s);
    asio::async_write(answered, asio::buffer(kAnswer), [](error_code, std::size_t) {});
  });
  const pool::DialResult r =
      dial(trusting(certs_), https_key("127.0.0.1", plain.local_endpoint().port()));
  EXPECT_EQ(r.ec.category(), pool::tls_handshake_category()) << r.ec.message();
  EXPECT_TRUE(r.ec.message().starts_with("TLS handshake failed: ")) << r.ec.message();
}

TEST_F(TlsDialerTest, HttpKeysAreDialedWithoutTls) {
  server::BuiltinServer plain;
  const pool::DialResult r = dial(trusting(certs_), pool::ConnKey{"http", "127.0.0.1", plain.port(),
                                                                  "", pool::ConnKey::Http::v1});
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_FALSE(r.tls.has_value());
  EXPECT_EQ(round_trip(*r.conn).resp.status, 200u);
}

TEST_F(TlsDialerTest, SystemStoreIsLoadedByTheFirstTlsDialOnly) {
  server::BuiltinServer plain;
  // No CA file: the system's store is trusted, but a plain dial has no use for it.
  const pool::DialResult r =
      dial({}, pool::ConnKey{"http", "127.0.0.1", plain.port(), "", pool::ConnKey::Http::v1});
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_FALSE(dialer_->trust_loaded());
  // The first TLS dial loads it, and checks the server against it: the system does not
  // trust a self-signed certificate.
  TlsServer srv({.cert = certs_.self_signed});
  expect_verify_error(dial_again(https_key("localhost", srv.port())), "self-signed certificate");
  EXPECT_TRUE(dialer_->trust_loaded());
  // With a CA file, or insecure, the system's store is never loaded.
  TlsServer ca_signed({.cert = certs_.server});
  ASSERT_FALSE(dial(trusting(certs_), https_key("localhost", ca_signed.port())).ec);
  EXPECT_FALSE(dialer_->trust_loaded());
  pool::TlsOptions insecure;
  insecure.insecure = true;
  ASSERT_FALSE(dial(insecure, https_key("localhost", ca_signed.port())).ec);
  EXPECT_FALSE(dialer_->trust_loaded());
}

TEST_F(TlsDialerTest, ContextIsBuiltByTheFirstTlsDialUnlessAFileIsGiven) {
  server::BuiltinServer plain;
  const pool::ConnKey http_key{"http", "127.0.0.1", plain.port(), "", pool::ConnKey::Http::v1};
  pool::TlsOptions insecure;
  insecure.insecure = true;
  // Named no file: a run over http never builds the context.
  ASSERT_FALSE(dial(insecure, http_key).ec);
  EXPECT_FALSE(dialer_->context_built());
  TlsServer srv({.cert = certs_.server});
  const pool::DialResult r = dial_again(https_key("localhost", srv.port()));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_TRUE(dialer_->context_built());
  EXPECT_EQ(round_trip(*r.conn).resp.status, 200u);
  // Named a file: the constructor reads it, so that a bad one fails before any dial.
  ASSERT_FALSE(dial(trusting(certs_), http_key).ec);
  EXPECT_TRUE(dialer_->context_built());
  pool::TlsOptions missing_ca;
  missing_ca.ca_file = certs_.dir + "/nonexistent.pem";
  EXPECT_THROW(pool::TlsDialer(pool::steady_clock(), pool::TcpDialerOptions{}, missing_ca),
               pool::TlsSetupError);
}

// ResumptionTest dials one host three times, each connection carrying a request (which reads
// the session tickets of TLS 1.3) and closed, as the pool closes them, before the next dial.
class ResumptionTest : public TlsDialerTest, public ::testing::WithParamInterface<bool> {};

TEST_P(ResumptionTest, LaterDialsResumeOnlyWhenAskedTo) {
  for (const bool resume : {true, false}) {
    SCOPED_TRACE(resume ? "resume" : "no resume");
    TlsServer srv({.cert = certs_.server, .tls12_only = GetParam()});
    pool::TlsOptions o = trusting(certs_);
    o.resume = resume;
    const auto key = https_key("localhost", srv.port());
    for (int i = 0; i < 3; ++i) {
      SCOPED_TRACE("dial " + std::to_string(i + 1));
      pool::DialResult r = i == 0 ? dial(o, key) : dial_again(key);
      ASSERT_FALSE(r.ec) << r.ec.message();
      EXPECT_EQ(r.tls->resumed, resume && i > 0);
      EXPECT_EQ(round_trip(*r.conn).resp.status, 200u);
      r.conn.reset();
    }
    // The server's side of a TLS 1.3 handshake ends after the client's: it has surely ended
    // once it answered.
    EXPECT_EQ(srv.counters().resumed, resume ? 2u : 0u);
    // Another host key has sessions of its own: none yet.
    const pool::DialResult other = dial_again(https_key("127.0.0.1", srv.port()));
    ASSERT_FALSE(other.ec) << other.ec.message();
    EXPECT_FALSE(other.tls->resumed);
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, ResumptionTest, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "Tls12" : "Tls13"; });

// ---- An idle TLS connection the server closed --------------------------------------------

TEST_F(TlsDialerTest, PeerClosedSeesAClosedIdleTlsConnection) {
  for (const bool notify : {true, false}) {
    SCOPED_TRACE(notify ? "close_notify" : "TCP close only");
    TlsServer srv({.cert = certs_.server});
    const pool::DialResult r = dial(trusting(certs_), https_key("127.0.0.1", srv.port()));
    ASSERT_FALSE(r.ec) << r.ec.message();
    ASSERT_EQ(round_trip(*r.conn).resp.status, 200u);
    EXPECT_FALSE(r.conn->peer_closed());
    ASSERT_EQ(srv.close_idle(notify), 1);
    std::this_thread::sleep_for(50ms);
    EXPECT_TRUE(r.conn->peer_closed());
    EXPECT_FALSE(r.conn->reusable());
    EXPECT_EQ(r.conn->close_reason(), pool::CloseReason::server_close);
  }
}

TEST_F(TlsDialerTest, SessionTicketsOnAFreshConnectionAreNotAClose) {
  TlsServer srv({.cert = certs_.server});
  const pool::DialResult r = dial(trusting(certs_), https_key("127.0.0.1", srv.port()));
  ASSERT_FALSE(r.ec) << r.ec.message();
  // TLS 1.3: the server's tickets arrive after the handshake and wait unread in the socket.
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(r.conn->peer_closed());
  ASSERT_TRUE(r.conn->reusable());
  const Exchange x = round_trip(*r.conn);
  ASSERT_FALSE(x.result.ec) << x.result.ec.message();
  EXPECT_EQ(x.resp.status, 200u);
  // And once read, a close is still seen.
  ASSERT_EQ(srv.close_idle(true), 1);
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(r.conn->peer_closed());
}

TEST_F(TlsDialerTest, RoundTripOnAClosedTlsConnectionEndsInEof) {
  for (const bool notify : {true, false}) {
    SCOPED_TRACE(notify ? "close_notify" : "TCP close only");
    TlsServer srv({.cert = certs_.server});
    const pool::DialResult r = dial(trusting(certs_), https_key("127.0.0.1", srv.port()));
    ASSERT_FALSE(r.ec) << r.ec.message();
    ASSERT_EQ(round_trip(*r.conn).resp.status, 200u);
    ASSERT_EQ(srv.close_idle(notify), 1);
    std::this_thread::sleep_for(50ms);
    const Exchange x = round_trip(*r.conn);
    // A close before any response byte: what the transport retries (rule 9).
    EXPECT_TRUE(x.result.ec == asio::error::eof || x.result.ec == asio::error::connection_reset ||
                x.result.ec == asio::error::broken_pipe)
        << x.result.ec.message();
    EXPECT_FALSE(x.result.got_any);
  }
}

// gets_around_a_close sends a GET, has srv close its idle connections, and sends another.
asio::awaitable<std::vector<error_code>> gets_around_a_close(pool::Transport* t,
                                                             pool::HostPool* host, TlsServer* srv,
                                                             bool notify) {
  pool::Request req;
  req.host = host;
  req.wire = kGet;
  pool::Response resp;
  std::vector<error_code> out;
  out.push_back(co_await t->round_trip(req, resp));
  srv->close_idle(notify);
  std::this_thread::sleep_for(50ms);
  out.push_back(co_await t->round_trip(req, resp));
  co_return out;
}

TEST_F(TlsDialerTest, TransportRetriesAGetOnAStaleTlsConnection) {
  for (const bool notify : {true, false}) {
    SCOPED_TRACE(notify ? "close_notify" : "TCP close only");
    TlsServer srv({.cert = certs_.server});
    pool::TlsDialer dialer(pool::steady_clock(), {}, trusting(certs_));
    pool::TransportOptions o;
    // No liveness check before reuse: the stale connection is used, and the retry saves it.
    o.liveness_check_after = std::chrono::hours(1);
    pool::Transport t(o, dialer, pool::steady_clock());
    pool::HostPool* host = t.host_for(https_key("127.0.0.1", srv.port()));
    const std::vector<error_code> results =
        run_to_end(io_, gets_around_a_close(&t, host, &srv, notify));
    ASSERT_EQ(results.size(), 2u);
    EXPECT_FALSE(results[0]) << results[0].message();
    EXPECT_FALSE(results[1]) << results[1].message();
    EXPECT_EQ(t.retries(), 1u);
    EXPECT_EQ(srv.counters().accepted, 2u) << "the retry dialed a new connection";
    EXPECT_EQ(srv.counters().requests, 2u);
    t.check_invariants();
    t.close_idle_connections();
  }
}

TEST(TlsContext, UnusableFilesAreRefusedOnOneLine) {
  const TestCerts certs;
  const auto message = [](const pool::TlsOptions& o) -> std::string {
    try {
      pool::make_tls_context(o);
    } catch (const pool::TlsSetupError& e) {
      return e.what();
    }
    return "(accepted)";
  };
  pool::TlsOptions missing_ca;
  missing_ca.ca_file = certs.dir + "/nonexistent.pem";
  EXPECT_NE(message(missing_ca).find("CA file \"" + missing_ca.ca_file + "\""), std::string::npos)
      << message(missing_ca);
  pool::TlsOptions not_pem;
  not_pem.ca_file = certs.server.key;  // a key, not a certificate
  EXPECT_NE(message(not_pem).find("CA file"), std::string::npos) << message(not_pem);
  pool::TlsOptions mismatch;
  mismatch.cert_file = certs.client.cert;
  mismatch.key_file = certs.server.key;
  EXPECT_NE(message(mismatch).find("client key \"" + certs.server.key + "\""), std::string::npos)
      << message(mismatch);
  pool::TlsOptions half;
  half.cert_file = certs.client.cert;
  EXPECT_NE(message(half).find("give both or neither"), std::string::npos) << message(half);
  for (const pool::TlsOptions& o : {missing_ca, not_pem, mismatch, half}) {
    EXPECT_EQ(message(o).find('\n'), std::string::npos) << message(o);
  }
  pool::TlsOptions fine;
  fine.cert_file = certs.client.cert;
  fine.key_file = certs.client.key;
  EXPECT_EQ(message(fine), "(accepted)");
}

}  // namespace
}  // namespace hload::test
