// NginxServer: a real nginx on private ports whose stub_status counters are exact once the
// fixture's own readings are taken out.

#include "tests/support/nginx_server.hpp"

#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/raw_client.hpp"

namespace hload::test {
namespace {

constexpr std::string_view kGet = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

class NginxFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NginxServer::available()) GTEST_SKIP() << NginxServer::kNotInstalled;
  }
};

TEST_F(NginxFixture, ParsesTheStubStatusPage) {
  auto s = parse_stub_status(
      "Active connections: 3 \nserver accepts handled requests\n 16 15 31 \n"
      "Reading: 1 Writing: 2 Waiting: 0 \n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->active, 3);
  EXPECT_EQ(s->accepts, 16u);
  EXPECT_EQ(s->handled, 15u);
  EXPECT_EQ(s->requests, 31u);
  EXPECT_EQ(s->reading, 1);
  EXPECT_EQ(s->writing, 2);
  EXPECT_EQ(s->waiting, 0);
  EXPECT_FALSE(parse_stub_status("<html>404</html>"));
}

TEST_F(NginxFixture, CountsPlainRequestsExactly) {
  NginxServer nginx;
  const StubStatus before = nginx.counters();

  // 40 requests on one keep-alive connection, then 5 connections with one request each.
  RawClient kept(nginx.keepalive_port());
  for (int i = 0; i < 40; ++i) {
    kept.send(kGet);
    RawResponse r = kept.read_response();
    ASSERT_TRUE(r.complete) << i;
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ(r.body, "ok\n");
  }
  for (int i = 0; i < 5; ++i) {
    RawClient once(nginx.keepalive_port());
    once.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    ASSERT_TRUE(once.read_response().complete);
    EXPECT_EQ(once.read_to_end(), PeerEnd::eof);
  }

  const StubStatus after = nginx.counters();
  const StubDelta d = delta(before, after);
  EXPECT_EQ(d.accepts, 6);
  EXPECT_EQ(d.handled, 6);
  EXPECT_EQ(d.requests, 45);
  // The keep-alive connection is still open; the others were closed by nginx.
  EXPECT_EQ(after.active_others(), 1);

  // Readings back to back see no traffic but each other.
  const StubDelta idle = delta(after, nginx.counters());
  EXPECT_EQ(idle.accepts, 0);
  EXPECT_EQ(idle.requests, 0);
}

TEST_F(NginxFixture, CountsConcurrentConnectionsAsActive) {
  NginxServer nginx;
  std::vector<std::unique_ptr<RawClient>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<RawClient>(nginx.keepalive_port()));
    open.back()->send(kGet);
    ASSERT_TRUE(open.back()->read_response().complete);
  }
  EXPECT_EQ(nginx.counters().active_others(), 3);
}

TEST_F(NginxFixture, LimitedServerClosesAfterItsKeepaliveRequests) {
  NginxOptions options;
  options.limited_keepalive_requests = 5;
  NginxServer nginx(options);
  RawClient c(nginx.limited_port());
  for (int i = 1; i <= 5; ++i) {
    c.send(kGet);
    RawResponse r = c.read_response();
    ASSERT_TRUE(r.complete) << i;
    EXPECT_EQ(r.connection_close, i == 5) << i;
  }
  EXPECT_EQ(c.read_to_end(), PeerEnd::eof);
}

TEST_F(NginxFixture, RunsOnlyTheServersAskedFor) {
  NginxOptions options;
  options.limited_server = false;
  options.status_server = false;
  NginxServer nginx(options);
  EXPECT_NE(nginx.keepalive_port(), 0);
  EXPECT_EQ(nginx.limited_port(), 0);
  EXPECT_EQ(nginx.status_port(), 0);
  EXPECT_THROW(nginx.counters(), std::logic_error);
}

TEST_F(NginxFixture, StopLeavesNothingListening) {
  std::uint16_t port;
  {
    NginxServer nginx;
    port = nginx.keepalive_port();
    RawClient c(port);
    c.send(kGet);
    ASSERT_TRUE(c.read_response().complete);
    // Stopping with a client connection still open must not hang.
  }
  EXPECT_THROW(RawClient{port}, std::system_error);
}

}  // namespace
}  // namespace hload::test
