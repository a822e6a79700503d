// HTTP/2 with prior knowledge (h2c) against real servers on 127.0.0.1, nginx and nghttp2's
// nghttpd: one TcpDialer dial gives an HTTP/2 connection that carries 200 round trips at once,
// and the server counts one connection for them.

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "pool/conn_key.hpp"
#include "pool/errors.hpp"
#include "pool/tcp_dialer.hpp"
#include "tests/support/nghttpd_server.hpp"
#include "tests/support/nginx_server.hpp"

namespace hload::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr int kRoundTrips = 200;

// H2cGet is a GET of path from 127.0.0.1:port as HTTP/2 header fields.
struct H2cGet {
  H2cGet(std::uint16_t port, std::string path)
      : authority("127.0.0.1:" + std::to_string(port)), target(std::move(path)) {
    fields = {{":method", "GET"},
              {":scheme", "http"},
              {":authority", authority},
              {":path", target},
              {"user-agent", "hload-test"}};
    req.fields = fields;
  }
  std::string authority, target;
  std::vector<pool::HeaderField> fields;
  pool::Request req;
};

// Outcome is what a dial and its round trips gave.
struct Outcome {
  pool::error_code dial_ec;
  std::string protocol;
  int max_streams = 0;
  int ok = 0;
  std::vector<std::string> failures;
  std::uint64_t body_bytes = 0;  // summed over the successful round trips
};

// drive dials 127.0.0.1:port with prior knowledge and sends `count` GETs of path on the one
// connection at once.
Outcome drive(std::uint16_t port, const std::string& path, int count) {
  asio::io_context io;
  pool::TcpDialer dialer(pool::steady_clock(), {.dial_timeout = 5s});
  const pool::ConnKey key{"http", "127.0.0.1", port, "", pool::ConnKey::Http::v2_prior_knowledge};
  Outcome out;
  std::unique_ptr<pool::Conn> conn;
  std::vector<std::unique_ptr<H2cGet>> gets;
  std::vector<pool::Response> resps(count);
  int done = 0;
  asio::co_spawn(io, dialer.dial(key, {}), [&](const std::exception_ptr& e, pool::DialResult r) {
    ASSERT_FALSE(e);
    out.dial_ec = r.ec;
    conn = std::move(r.conn);
    if (!conn) return;
    out.protocol = conn->protocol();
    out.max_streams = conn->max_concurrent_streams();
    for (int i = 0; i < count; ++i) {
      gets.push_back(std::make_unique<H2cGet>(port, path));
      asio::co_spawn(io, conn->round_trip(gets.back()->req, resps[i]),
                     [&, i](const std::exception_ptr& e2, pool::ConnResult result) {
                       ASSERT_FALSE(e2);
                       ++done;
                       if (!result.ec && resps[i].status == 200) {
                         ++out.ok;
                         out.body_bytes += resps[i].body_bytes;
                       } else {
                         out.failures.push_back(result.ec ? result.ec.message()
                                                          : std::to_string(resps[i].status));
                       }
                     });
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while ((!conn || done < count) && !out.dial_ec && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(100ms);
  }
  if (conn) {
    EXPECT_TRUE(conn->reusable()) << "the connection is still good after them all";
  }
  conn.reset();
  io.restart();
  io.poll();
  return out;
}

TEST(PoolH2cTest, NginxCarriesTwoHundredRoundTripsOnOneConnection) {
  if (!NginxServer::available()) GTEST_SKIP() << NginxServer::kNotInstalled;
  NginxServer nginx({.keepalive_server = false, .limited_server = false, .h2c_server = true});
  const StubStatus before = nginx.counters();
  const Outcome out = drive(nginx.h2c_port(), "/", kRoundTrips);
  const StubDelta d = delta(before, nginx.counters());

  ASSERT_FALSE(out.dial_ec) << out.dial_ec.message();
  EXPECT_EQ(out.protocol, "h2");
  EXPECT_EQ(out.max_streams, 128) << "nginx's http2_max_concurrent_streams, from its SETTINGS";
  EXPECT_EQ(out.ok, kRoundTrips) << (out.failures.empty() ? "" : out.failures.front());
  EXPECT_EQ(out.body_bytes, 3u * kRoundTrips);
  EXPECT_EQ(d.accepts, 1) << "one connection for them all";
  EXPECT_EQ(d.requests, kRoundTrips);
}

TEST(PoolH2cTest, NginxServesAMegabyteOverH2c) {
  if (!NginxServer::available()) GTEST_SKIP() << NginxServer::kNotInstalled;
  NginxServer nginx({.keepalive_server = false, .limited_server = false, .h2c_server = true});
  const Outcome out = drive(nginx.h2c_port(), "/1m", 4);
  ASSERT_FALSE(out.dial_ec) << out.dial_ec.message();
  EXPECT_EQ(out.ok, 4) << (out.failures.empty() ? "" : out.failures.front());
  EXPECT_EQ(out.body_bytes, 4u << 20);
}

TEST(PoolH2cTest, NghttpdCarriesTwoHundredRoundTripsOnOneConnection) {
  if (!NghttpdServer::available()) GTEST_SKIP() << NghttpdServer::kNotInstalled;
  NghttpdServer nghttpd;
  const Outcome out = drive(nghttpd.port(), "/", kRoundTrips);
  ASSERT_FALSE(out.dial_ec) << out.dial_ec.message();
  EXPECT_EQ(out.protocol, "h2");
  EXPECT_EQ(out.max_streams, 100) << "nghttpd's default, from its SETTINGS";
  EXPECT_EQ(out.ok, kRoundTrips) << (out.failures.empty() ? "" : out.failures.front());
  EXPECT_EQ(out.body_bytes, 3u * kRoundTrips);
}

TEST(PoolH2cTest, NghttpdServesAMegabyte) {
  if (!NghttpdServer::available()) GTEST_SKIP() << NghttpdServer::kNotInstalled;
  NghttpdServer nghttpd;
  const Outcome out = drive(nghttpd.port(), "/1m", 4);
  ASSERT_FALSE(out.dial_ec) << out.dial_ec.message();
  EXPECT_EQ(out.ok, 4) << (out.failures.empty() ? "" : out.failures.front());
  EXPECT_EQ(out.body_bytes, 4u << 20);
}

// A server that speaks only HTTP/1.1 fails the dial as a protocol error, within the timeout.
TEST(PoolH2cTest, Http1OnlyServerFailsTheDial) {
  if (!NginxServer::available()) GTEST_SKIP() << NginxServer::kNotInstalled;
  NginxServer nginx({.limited_server = false});
  const Outcome out = drive(nginx.keepalive_port(), "/", 1);
  EXPECT_EQ(out.dial_ec, pool::Errc::h2_protocol) << out.dial_ec.message();
}

}  // namespace
}  // namespace hload::test
