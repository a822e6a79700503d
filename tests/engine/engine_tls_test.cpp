// The engine over TLS, against the TLS test server: what the handshakes cost and agreed on is
// reported per host and as a phase, failures are counted by their own kinds with the library's
// reason in the example, and TLS files that do not load stop the run before it starts.

#include "engine/engine.hpp"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "engine/target.hpp"
#include "tests/support/test_certs.hpp"
#include "tests/support/tls_server.hpp"

namespace hload::test {
namespace {

using engine::RunConfig;
using engine::RunResult;
using namespace std::chrono_literals;

std::string https_url(const TlsServer& s) {
  return "https://127.0.0.1:" + std::to_string(s.port()) + "/";
}

RunResult run(RunConfig cfg) {
  cfg.progress = false;
  return engine::Engine(std::move(cfg)).run();
}

class EngineTlsTest : public ::testing::Test {
 protected:
  // config is a run of n requests from c users to srv, trusting the test CA.
  RunConfig config(const TlsServer& srv, int c, std::uint64_t n) const {
    RunConfig cfg;
    cfg.url = https_url(srv);
    cfg.cacert = certs_.ca_cert;
    cfg.concurrency = c;
    cfg.requests = n;
    return cfg;
  }

  const TestCerts certs_;
};

TEST_F(EngineTlsTest, HandshakesAreCountedTimedAndDescribedPerHost) {
  TlsServer srv({.cert = certs_.server});
  const RunResult r = run(config(srv, 10, 500));
  EXPECT_EQ(r.ok, 500u);
  ASSERT_EQ(r.hosts.count("https://127.0.0.1:" + std::to_string(srv.port())), 1u);
  const engine::HostResult& h = r.hosts.begin()->second;
  EXPECT_EQ(h.dials, 10u);
  EXPECT_EQ(h.tls_handshakes, 10u);
  EXPECT_EQ(h.tls_resumed, 0u);
  EXPECT_EQ(h.tls_handshake.count(), 10u);
  EXPECT_GT(h.tls_handshake.max_ms(), 0.0);
  EXPECT_EQ(h.tls_version, "TLSv1.3");
  EXPECT_FALSE(h.tls_cipher.empty());
  EXPECT_EQ(h.alpn, "http/1.1");
  // The phases: each request that dialed has its connect and its handshake apart.
  EXPECT_EQ(r.phases.dial.count(), 10u);
  EXPECT_EQ(r.phases.tls.count(), 10u);
  EXPECT_EQ(srv.counters().handshakes, 10u);
  EXPECT_EQ(srv.counters().requests, 500u);
}

TEST_F(EngineTlsTest, ResumptionWhenAskedFor) {
  TlsServer srv({.cert = certs_.server});
  RunConfig cfg = config(srv, 2, 40);
  cfg.tls_resume = true;
  cfg.disable_keepalive = true;
  const RunResult r = run(cfg);
  EXPECT_EQ(r.ok, 40u);
  const engine::HostResult& h = r.hosts.begin()->second;
  EXPECT_EQ(h.tls_handshakes, 40u);
  // Only the dials made before any session arrived (at most one per user) start afresh.
  EXPECT_GE(h.tls_resumed, 38u);
  EXPECT_EQ(srv.counters().resumed, h.tls_resumed);
}

TEST_F(EngineTlsTest, RefusedCertificateIsCountedAsTlsVerifyWithTheReason) {
  TlsServer srv({.cert = certs_.expired});
  const RunResult r = run(config(srv, 2, 20));
  EXPECT_EQ(r.errors, 20u);
  EXPECT_EQ(r.errors_by_kind.at("tls_verify"), 20u);
  const std::string& example = r.error_examples.at("tls_verify");
  EXPECT_NE(example.find("certificate verify failed: certificate has expired"), std::string::npos)
      << example;
  EXPECT_EQ(r.hosts.begin()->second.tls_handshakes, 0u);
}

TEST_F(EngineTlsTest, StalledHandshakeIsCountedAsTlsTimeout) {
  TlsServer srv({.cert = certs_.server, .answer_handshake = false});
  RunConfig cfg = config(srv, 4, 8);
  cfg.tls_handshake_timeout = 100ms;
  const RunResult r = run(cfg);
  EXPECT_EQ(r.errors_by_kind.at("tls_timeout"), 8u);
  EXPECT_NE(r.error_examples.at("tls_timeout").find("TLS handshake timed out"), std::string::npos)
      << r.error_examples.at("tls_timeout");
}

TEST_F(EngineTlsTest, MissingClientCertificateIsATlsHandshakeError) {
  TlsServer srv({.cert = certs_.server, .client_ca = certs_.ca_cert});
  const RunResult r = run(config(srv, 1, 3));
  EXPECT_EQ(r.errors_by_kind.at("tls_handshake"), 3u);
  EXPECT_NE(r.error_examples.at("tls_handshake").find("certificate required"), std::string::npos)
      << r.error_examples.at("tls_handshake");
}

TEST_F(EngineTlsTest, UnusableTlsFilesStopTheEngineBeforeItRuns) {
  RunConfig missing;
  missing.url = "https://127.0.0.1:1/";
  missing.cacert = certs_.dir + "/nonexistent.pem";
  EXPECT_THROW(engine::Engine{missing}, engine::TargetError);
  RunConfig mismatched = missing;
  mismatched.cacert.clear();
  mismatched.client_cert = certs_.client.cert;
  mismatched.client_key = certs_.server.key;
  EXPECT_THROW(engine::Engine{mismatched}, engine::TargetError);
}

}  // namespace
}  // namespace hload::test
