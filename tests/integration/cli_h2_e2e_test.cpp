// hload over HTTP/2, run as a user runs it: -h2 against nginx over TLS (ALPN "h2", certificates
// made at test time) and -h2c against nginx's and nghttpd's cleartext listeners. What the
// report says about dials, streams and GOAWAYs is checked against what nginx counted.

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/e2e.hpp"
#include "tests/support/nghttpd_server.hpp"
#include "tests/support/nginx_server.hpp"
#include "tests/support/test_certs.hpp"

namespace hload::test::e2e {
namespace {

std::string https_url(std::uint16_t port) {
  return "https://127.0.0.1:" + std::to_string(port) + "/";
}

std::string https_key(std::uint16_t port) { return "https://127.0.0.1:" + std::to_string(port); }

// json_report runs hload with args and -o json, and returns its report; a run that did not
// exit 0 with one fails the test (the report is then discarded).
json json_report(std::vector<std::string> args) {
  args.insert(args.begin(), {"-o", "json"});
  const ProcessResult r = hload(args);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_FALSE(shows_a_crash(r.err)) << r.err;
  json report = parse_json(r.out);
  EXPECT_FALSE(report.is_discarded()) << r.describe();
  return report;
}

// expect_all_ok checks that every request of the report succeeded.
void expect_all_ok(const json& report, int requests) {
  EXPECT_EQ(report["summary"]["requests"], requests);
  EXPECT_EQ(report["summary"]["ok"], requests) << report["errors_by_kind"];
  EXPECT_EQ(report["summary"]["errors"], 0);
  for (const auto& [kind, n] : report["errors_by_kind"].items()) EXPECT_EQ(n, 0) << kind;
}

class HloadH2NginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NginxServer::available()) GTEST_SKIP() << NginxServer::kNotInstalled;
  }
  const TestCerts certs_;
};

// Fifty users share one TLS connection: nginx chose h2, and served what hload sent.
TEST_F(HloadH2NginxTest, H2OverTlsSharesOneConnection) {
  NginxServer nginx({.limited_server = false, .tls_servers = {certs_.server}, .tls_http2 = true});
  const std::uint16_t port = nginx.tls_port(0);
  const StubStatus before = nginx.counters();
  const json report = json_report({"-h2", "-c", "50", "-n", "2000", "-insecure", https_url(port)});
  const StubDelta d = delta(before, nginx.counters());
  expect_all_ok(report, 2000);
  EXPECT_EQ(d.requests, 2000) << "nginx served what hload sent";
  const json& h = report["hosts"][https_key(port)];
  ASSERT_TRUE(h.is_object()) << report["hosts"];
  EXPECT_EQ(h["dials"], 1);
  EXPECT_EQ(d.accepts, 1) << "nginx accepted what hload dialed";
  EXPECT_EQ(h["protocol"], "h2");
  EXPECT_EQ(h["alpn"], "h2");
  EXPECT_EQ(h["http2_fallback"], false);
  EXPECT_GT(h["streams_max"].get<int>(), 1);
}

// Without -h2 hload offers only http/1.1, even to a server that speaks HTTP/2.
TEST_F(HloadH2NginxTest, WithoutH2HttpsStaysHttp1) {
  NginxServer nginx({.limited_server = false, .tls_servers = {certs_.server}, .tls_http2 = true});
  const std::uint16_t port = nginx.tls_port(0);
  const json report = json_report({"-c", "4", "-n", "200", "-insecure", https_url(port)});
  expect_all_ok(report, 200);
  const json& h = report["hosts"][https_key(port)];
  EXPECT_EQ(h["protocol"], "http/1.1");
  EXPECT_EQ(h["alpn"], "http/1.1");
  EXPECT_EQ(h["http2_fallback"], false) << "nothing was asked";
}

// A server that does not choose h2 is spoken to in HTTP/1.1, and the report says so.
TEST_F(HloadH2NginxTest, H2FallsBackToHttp1WhenTheServerDoesNotChooseIt) {
  NginxServer nginx({.limited_server = false, .tls_servers = {certs_.server}});
  const std::uint16_t port = nginx.tls_port(0);
  const StubStatus before = nginx.counters();
  const json report = json_report({"-h2", "-c", "4", "-n", "200", "-insecure", https_url(port)});
  const StubDelta d = delta(before, nginx.counters());
  expect_all_ok(report, 200);
  EXPECT_EQ(d.requests, 200);
  const json& h = report["hosts"][https_key(port)];
  EXPECT_EQ(h["protocol"], "http/1.1");
  EXPECT_EQ(h["http2_fallback"], true);
  EXPECT_EQ(h["dials"], d.accepts);
}

// nginx ends an HTTP/2 connection with GOAWAY after 100 streams: the run goes on over new
// connections with no error, and the GOAWAYs are counted.
TEST_F(HloadH2NginxTest, GoawayAfterKeepaliveRequestsIsNoError) {
  NginxServer nginx({.limited_server = false,
                     .tls_servers = {certs_.server},
                     .tls_http2 = true,
                     .tls_keepalive_requests = 100});
  const std::uint16_t port = nginx.tls_port(0);
  const StubStatus before = nginx.counters();
  const json report = json_report({"-h2", "-c", "10", "-n", "1000", "-insecure", https_url(port)});
  const StubDelta d = delta(before, nginx.counters());
  expect_all_ok(report, 1000);
  EXPECT_EQ(d.requests, 1000) << "nginx served what hload sent";
  const json& h = report["hosts"][https_key(port)];
  ASSERT_TRUE(h.is_object()) << report["hosts"];
  EXPECT_EQ(h["protocol"], "h2");
  EXPECT_GE(h["goaways"].get<int>(), 9) << h;
  EXPECT_GE(h["dials"].get<int>(), 10) << h;
  EXPECT_LE(h["dials"].get<int>(), 12) << h;
  EXPECT_EQ(h["dials"], d.accepts);
}

// One connection allowed, two hundred users: they share it as streams, over one TLS handshake.
TEST_F(HloadH2NginxTest, OneConnectionCarriesManyStreams) {
  NginxServer nginx({.limited_server = false, .tls_servers = {certs_.server}, .tls_http2 = true});
  const std::uint16_t port = nginx.tls_port(0);
  const StubStatus before = nginx.counters();
  const json report = json_report({"-h2", "-max-conns-per-host", "1", "-c", "200", "-n", "20000",
                                   "-insecure", https_url(port)});
  const StubDelta d = delta(before, nginx.counters());
  expect_all_ok(report, 20000);
  EXPECT_EQ(d.requests, 20000);
  const json& h = report["hosts"][https_key(port)];
  ASSERT_TRUE(h.is_object()) << report["hosts"];
  EXPECT_EQ(h["dials"], 1);
  EXPECT_EQ(h["tls_handshakes"], 1);
  EXPECT_EQ(d.accepts, 1);
  EXPECT_GT(h["streams_max"].get<int>(), 1) << h;
  EXPECT_LE(h["streams_max"].get<int>(), 128) << "nginx allows 128 streams a connection";
}

// nginx ends each connection with GOAWAY after 100 streams while two hundred users share at
// most two connections: every request succeeds, each GOAWAY costs one dial that nginx accepted,
// and no more than two connections are ever open at once.
TEST_F(HloadH2NginxTest, GoawayUnderACapOfTwoLosesNothing) {
  NginxServer nginx({.limited_server = false,
                     .tls_servers = {certs_.server},
                     .tls_http2 = true,
                     .tls_keepalive_requests = 100});
  const std::uint16_t port = nginx.tls_port(0);
  const StubStatus before = nginx.counters();
  const json report = json_report({"-h2", "-max-conns-per-host", "2", "-c", "200", "-n", "20000",
                                   "-insecure", https_url(port)});
  const StubDelta d = delta(before, nginx.counters());
  expect_all_ok(report, 20000);
  EXPECT_EQ(d.requests, 20000) << "nginx served what hload sent, each once";
  const json& h = report["hosts"][https_key(port)];
  ASSERT_TRUE(h.is_object()) << report["hosts"];
  EXPECT_EQ(h["dials"], d.accepts);
  EXPECT_GE(h["dials"].get<int>(), 200) << h;
  EXPECT_LE(h["dials"].get<int>(), 210) << h;
  EXPECT_LE(h["max_open_conns"].get<int>(), 2) << h;
  EXPECT_GE(h["goaways"].get<int>(), 198) << h;
}

// No cliff: with two connections of 100 streams each, ten to two thousand users all get
// through on at most two dials; beyond 200 the extra users wait for a free stream.
class HloadH2NoCliffTest : public HloadH2NginxTest, public ::testing::WithParamInterface<int> {};

TEST_P(HloadH2NoCliffTest, TwoConnectionsServeEveryConcurrency) {
  NginxServer nginx({.limited_server = false,
                     .tls_servers = {certs_.server},
                     .tls_http2 = true,
                     .http2_max_concurrent_streams = 100});
  const std::uint16_t port = nginx.tls_port(0);
  const StubStatus before = nginx.counters();
  const std::string users = std::to_string(GetParam());
  const json report = json_report({"-h2", "-max-conns-per-host", "2", "-c", users, "-n", "20000",
                                   "-insecure", https_url(port)});
  const StubDelta d = delta(before, nginx.counters());
  expect_all_ok(report, 20000);
  EXPECT_EQ(d.requests, 20000);
  const json& h = report["hosts"][https_key(port)];
  ASSERT_TRUE(h.is_object()) << report["hosts"];
  const int dials = GetParam() > 100 ? 2 : 1;  // ten users fit in one connection
  EXPECT_EQ(h["dials"], dials) << h;
  EXPECT_EQ(d.accepts, dials);
  EXPECT_EQ(h["refused_retries"], 0) << h;
  EXPECT_LE(h["streams_max"].get<int>(), 100) << h;
  if (GetParam() >= 500) {
    EXPECT_EQ(h["streams_max"], 100) << "users beyond 200 fill both";
  }
}

INSTANTIATE_TEST_SUITE_P(Users, HloadH2NoCliffTest, ::testing::Values(10, 500, 2000));

// The server's SETTINGS_MAX_CONCURRENT_STREAMS caps the streams on a connection: forty users
// over one connection that allows eight never have more than eight under way, and none is
// refused.
TEST_F(HloadH2NginxTest, StreamsStayWithinTheServersSettings) {
  NginxServer nginx(
      {.limited_server = false, .h2c_server = true, .http2_max_concurrent_streams = 8});
  const json report = json_report(
      {"-h2c", "-max-conns-per-host", "1", "-c", "40", "-n", "2000", url(nginx.h2c_port())});
  expect_all_ok(report, 2000);
  const json& h = report["hosts"][host_key(nginx.h2c_port())];
  ASSERT_TRUE(h.is_object()) << report["hosts"];
  EXPECT_EQ(h["dials"], 1);
  EXPECT_EQ(h["streams_max"], 8) << h;
  EXPECT_EQ(h["refused_retries"], 0) << h;
}

// -h2c against nghttp2's own server: two hundred users over one connection.
TEST(HloadNghttpdTest, H2cRunSucceeds) {
  if (!NghttpdServer::available()) GTEST_SKIP() << NghttpdServer::kNotInstalled;
  NghttpdServer nghttpd;
  const json report = json_report(
      {"-h2c", "-max-conns-per-host", "1", "-c", "200", "-n", "20000", url(nghttpd.port())});
  expect_all_ok(report, 20000);
  const json& h = report["hosts"][host_key(nghttpd.port())];
  ASSERT_TRUE(h.is_object()) << report["hosts"];
  EXPECT_EQ(h["protocol"], "h2");
  EXPECT_EQ(h["dials"], 1);
  EXPECT_GT(h["streams_max"].get<int>(), 1);
}

}  // namespace
}  // namespace hload::test::e2e
