// hload over https, run as a user runs it: against nginx with TLS (certificates made at test
// time) for the counts that nginx can confirm, and against the TLS test server for the
// handshakes nginx cannot be made to stall or slow down. What the report says about dials and
// handshakes is checked against what the server counted.

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/e2e.hpp"
#include "tests/support/nginx_server.hpp"
#include "tests/support/test_certs.hpp"
#include "tests/support/tls_server.hpp"

namespace hload::test::e2e {
namespace {

std::string https_url(std::uint16_t port, const std::string& host = "127.0.0.1") {
  return "https://" + host + ":" + std::to_string(port) + "/";
}

std::string https_key(std::uint16_t port, const std::string& host = "127.0.0.1") {
  return "https://" + host + ":" + std::to_string(port);
}

// json_report runs hload with args and -o json, and returns its report; a run that did not
// exit 0 with one fails the test (the report is then discarded).
json json_report(std::vector<std::string> args, ProcessResult* result = nullptr) {
  args.insert(args.begin(), {"-o", "json"});
  const ProcessResult r = hload(args);
  if (result) *result = r;
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_FALSE(shows_a_crash(r.err)) << r.err;
  json report = parse_json(r.out);
  EXPECT_FALSE(report.is_discarded()) << r.describe();
  return report;
}

std::uint64_t count(const json& j) { return j.get<std::uint64_t>(); }

class HloadTlsNginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NginxServer::available()) GTEST_SKIP() << NginxServer::kNotInstalled;
  }
  const TestCerts certs_;
};

TEST_F(HloadTlsNginxTest, FiftyUsersMakeFiftyHandshakes) {
  NginxServer nginx({.tls_servers = {certs_.server}});
  const std::uint16_t port = nginx.tls_port(0);
  const StubStatus before = nginx.counters();
  const json report = json_report({"-c", "50", "-n", "20000", "-insecure", https_url(port)});
  const StubDelta d = delta(before, nginx.counters());
  ASSERT_TRUE(report.is_object());

  const json& s = report["summary"];
  EXPECT_EQ(s["requests"], 20000);
  EXPECT_EQ(s["ok"], 20000);
  EXPECT_EQ(s["errors"], 0);
  EXPECT_EQ(d.requests, 20000) << "nginx served what hload sent";
  const json& h = report["hosts"][https_key(port)];
  ASSERT_TRUE(h.is_object()) << report["hosts"];
  EXPECT_EQ(h["dials"], 50);
  EXPECT_EQ(h["tls_handshakes"], 50);
  EXPECT_EQ(h["tls_resumed"], 0) << "resumption is off by default";
  EXPECT_EQ(d.accepts, 50) << "nginx accepted what hload dialed";
  EXPECT_EQ(h["tls_handshake"]["count"], 50);
  EXPECT_GT(h["tls_handshake"]["max_ms"].get<double>(), 0.0);
  EXPECT_EQ(h["tls_version"], "TLSv1.3");
  EXPECT_TRUE(h["tls_cipher"].is_string());
  EXPECT_EQ(h["alpn"], "http/1.1");
  EXPECT_EQ(report["phases"]["tls"]["count"], 50);
  EXPECT_EQ(report["phases"]["dial"]["count"], 50);
  for (const auto& [kind, n] : report["errors_by_kind"].items()) EXPECT_EQ(n, 0) << kind;
}

// Request bodies over TLS arrive whole: nginx reads each body to its end and keeps the
// connection, so a body cut or repeated shows as an error, a close or a count that does not
// match. (tests/pool/tls_socket_test.cpp holds a write back until the socket has room.)
TEST_F(HloadTlsNginxTest, LargeBodiesLeaveWholeOverKeptConnections) {
  NginxServer nginx({.tls_servers = {certs_.server}});
  const std::uint16_t port = nginx.tls_port(0);
  const TempDir dir;
  const std::string body = dir.file("body");
  constexpr std::uint64_t kBodySize = 900 * 1024;  // under nginx's client_max_body_size
  {
    std::ofstream out(body, std::ios::binary);
    out << std::string(kBodySize, 'b');
  }
  const StubStatus before = nginx.counters();
  const json report =
      json_report({"-c", "2", "-n", "20", "-m", "POST", "-D", body, "-insecure", https_url(port)});
  const StubDelta d = delta(before, nginx.counters());
  ASSERT_TRUE(report.is_object());
  const json& s = report["summary"];
  EXPECT_EQ(s["ok"], 20) << report["errors_by_kind"];
  EXPECT_GT(count(s["bytes_out"]), 20 * kBodySize);
  EXPECT_EQ(d.requests, 20);
  EXPECT_EQ(d.accepts, 2) << "every connection was kept";
  EXPECT_EQ(report["hosts"][https_key(port)]["dials"], 2);
}

TEST_F(HloadTlsNginxTest, TextReportShowsTheHandshakes) {
  NginxServer nginx({.tls_servers = {certs_.server}});
  const std::uint16_t port = nginx.tls_port(0);
  // By name and trusting the test CA: the certificate is checked for real.
  const ProcessResult r =
      hload({"-c", "2", "-n", "20", "-cacert", certs_.ca_cert, https_url(port, "localhost")});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("[200] 20 responses"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    TLS handshakes:  2 (0 resumed)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    TLS:             TLSv1.3  "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ALPN http/1.1   handshake p50 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  tls:          "), std::string::npos) << r.out;
}

TEST_F(HloadTlsNginxTest, ResumptionSparesAFullHandshakePerConnection) {
  NginxServer nginx({.tls_servers = {certs_.server}});
  const std::uint16_t port = nginx.tls_port(0);
  const StubStatus before = nginx.counters();
  const json report = json_report(
      {"-tls-resume", "-disable-keepalive", "-n", "200", "-c", "10", "-insecure", https_url(port)});
  const StubDelta d = delta(before, nginx.counters());
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["summary"]["ok"], 200);
  const json& h = report["hosts"][https_key(port)];
  EXPECT_EQ(h["dials"], 200) << "one connection per request";
  EXPECT_EQ(h["tls_handshakes"], 200);
  EXPECT_EQ(d.accepts, 200);
  // Which dials can find no session: those that start before the first session arrives, which
  // it does on the first response read. Each user's first dial may be among them, no later one
  // is, as every later dial follows a response that user read.
  EXPECT_GE(count(h["tls_resumed"]), count(h["dials"]) - 10) << h;
  EXPECT_LT(count(h["tls_resumed"]), count(h["dials"])) << "the very first dial has no session";

  const json without =
      json_report({"-disable-keepalive", "-n", "200", "-c", "10", "-insecure", https_url(port)});
  ASSERT_TRUE(without.is_object());
  EXPECT_EQ(without["hosts"][https_key(port)]["tls_resumed"], 0);
}

// CertificateCase is a certificate hload must refuse, and the reason it must give.
struct CertificateCase {
  const char* name;
  CertFiles TestCerts::*cert;
  bool trust_test_ca;  // -cacert the test CA (else the system's store)
  const char* host;
  const char* reason;
};

class HloadTlsCertificateTest : public HloadTlsNginxTest,
                                public ::testing::WithParamInterface<CertificateCase> {};

TEST_P(HloadTlsCertificateTest, EveryRequestIsATlsVerifyErrorWithTheReason) {
  const CertificateCase& c = GetParam();
  NginxServer nginx({.tls_servers = {certs_.*c.cert}});
  const std::uint16_t port = nginx.tls_port(0);
  std::vector<std::string> args = {"-c", "4", "-n", "40"};
  if (c.trust_test_ca) args.insert(args.end(), {"-cacert", certs_.ca_cert});
  args.push_back(https_url(port, c.host));
  ProcessResult r;
  const auto start = std::chrono::steady_clock::now();
  const json report = json_report(args, &r);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s) << "no hang";
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["summary"]["requests"], 40);
  EXPECT_EQ(report["summary"]["errors"], 40);
  EXPECT_EQ(report["errors_by_kind"]["tls_verify"], 40);
  const std::string example = report["error_examples"]["tls_verify"].get<std::string>();
  EXPECT_NE(example.find(std::string("certificate verify failed: ") + c.reason), std::string::npos)
      << example;
  EXPECT_NE(example.find(https_url(port, c.host)), std::string::npos) << example;
  EXPECT_EQ(report["hosts"][https_key(port, c.host)]["tls_handshakes"], 0);
}

INSTANTIATE_TEST_SUITE_P(
    Refused, HloadTlsCertificateTest,
    ::testing::Values(CertificateCase{"SelfSigned", &TestCerts::self_signed, false, "127.0.0.1",
                                      "self-signed certificate"},
                      CertificateCase{"OtherName", &TestCerts::other_name, true, "localhost",
                                      "hostname mismatch"},
                      CertificateCase{"OtherAddress", &TestCerts::other_name, true, "127.0.0.1",
                                      "IP address mismatch"},
                      CertificateCase{"Expired", &TestCerts::expired, true, "127.0.0.1",
                                      "certificate has expired"}),
    [](const ::testing::TestParamInfo<CertificateCase>& p) { return p.param.name; });

// A server that accepts connections and never answers the handshake: every request ends as a
// handshake timeout, the run ends on time, and no more handshakes wait at once than users.
TEST(HloadTls, StalledHandshakesTimeOutAndTheRunEndsOnTime) {
  const TestCerts certs;
  TlsServer srv({.cert = certs.server, .answer_handshake = false});
  ProcessResult r;
  const auto start = std::chrono::steady_clock::now();
  const json report = json_report({"-c", "20", "-n", "40", "-t", "1", "-tls-handshake-timeout",
                                   "300ms", "-insecure", https_url(srv.port())},
                                  &r);
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["summary"]["requests"], 40);
  EXPECT_EQ(report["errors_by_kind"]["tls_timeout"], 40);
  EXPECT_NE(
      report["error_examples"]["tls_timeout"].get<std::string>().find("TLS handshake timed out"),
      std::string::npos)
      << report["error_examples"];
  const double elapsed_s = report["summary"]["elapsed_s"].get<double>();
  EXPECT_GE(elapsed_s, 0.6) << "two rounds of 300 ms handshakes";
  EXPECT_LT(elapsed_s, 3.0);
  EXPECT_LT(wall_s, elapsed_s + 2.0) << "the process exits soon after its run";
  const json& h = report["hosts"][https_key(srv.port())];
  EXPECT_EQ(h["dials"], 40);
  EXPECT_EQ(h["tls_handshakes"], 0);
  // Never more connections open at once than users waiting. The server's own count can run
  // one or two over: it sees a timed-out connection's close only after the next one's accept.
  EXPECT_LE(h["max_open_conns"], 20);
  EXPECT_LE(srv.counters().max_open, 20 + 2);
  EXPECT_EQ(srv.counters().accepted, 40u);
}

// A server whose handshakes take 200 ms each: 200 users need at most 200 connections, however
// the handshakes and the requests interleave (no dial storm while handshakes are slow).
TEST(HloadTls, SlowHandshakesAreNotDialedAgain) {
  const TestCerts certs;
  TlsServer srv({.cert = certs.server, .handshake_delay = 200ms});
  const json report =
      json_report({"-c", "200", "-n", "400", "-cacert", certs.ca_cert, https_url(srv.port())});
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["summary"]["ok"], 400);
  const json& h = report["hosts"][https_key(srv.port())];
  EXPECT_LE(count(h["dials"]), 200u) << h;
  EXPECT_EQ(h["tls_handshakes"], h["dials"]);
  EXPECT_LE(srv.counters().accepted, 200u);
  EXPECT_GE(report["phases"]["tls"]["p50_ms"].get<double>(), 200.0);
}

}  // namespace
}  // namespace hload::test::e2e
