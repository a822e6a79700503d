#include "engine/target.hpp"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace hload::engine {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

Fields fields_of(const Target& t) {
  Fields out;
  for (const pool::HeaderField& f : t.h2_fields) out.emplace_back(f.name, f.value);
  return out;
}

RunConfig config(std::string url) {
  RunConfig c;
  c.url = std::move(url);
  c.user_agent = "ua/1";
  return c;
}

TEST(TargetTest, Http2FieldsArePseudoHeadersThenLowerCaseHeaders) {
  RunConfig c = config("http://Example.COM:8080/a/b?q=1#frag");
  c.method = "POST";
  c.body = "name=value";
  c.content_type = "application/x-www-form-urlencoded";
  c.headers = {"X-Trace: abc", "Keep-Alive: 5", "Upgrade: websocket", "Transfer-Encoding: x",
               "Proxy-Connection: close"};
  c.disable_keepalive = true;  // Connection: close, which HTTP/2 forbids
  const Target t = make_target(c);
  EXPECT_EQ(fields_of(t), (Fields{{":method", "POST"},
                                  {":scheme", "http"},
                                  {":authority", "Example.COM:8080"},
                                  {":path", "/a/b?q=1"},
                                  {"user-agent", "ua/1"},
                                  {"accept-encoding", "gzip"},
                                  {"content-type", "application/x-www-form-urlencoded"},
                                  {"x-trace", "abc"},
                                  {"content-length", "10"}}));
  EXPECT_EQ(t.body(), "name=value");
  EXPECT_TRUE(t.wire.ends_with("\r\n\r\nname=value")) << "HTTP/1.1 keeps the body in its wire";
  EXPECT_NE(t.wire.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(t.key.http, pool::ConnKey::Http::v1) << "HTTP/1.1 unless -h2c";
}

TEST(TargetTest, AuthorityIsTheHostHeader) {
  RunConfig c = config("http://127.0.0.1:8080/");
  c.host_header = "virtual.test";
  EXPECT_EQ(fields_of(make_target(c))[2],
            (std::pair<std::string, std::string>{":authority", "virtual.test"}));
  c.host_header.clear();
  c.headers = {"host: other.test"};
  EXPECT_EQ(fields_of(make_target(c))[2].second, "other.test") << "-H Host replaces the URL's";
}

TEST(TargetTest, H2cAsksForPriorKnowledge) {
  RunConfig c = config("http://127.0.0.1:8080/");
  c.h2c = true;
  const Target t = make_target(c);
  EXPECT_EQ(t.key.http, pool::ConnKey::Http::v2_prior_knowledge);
  EXPECT_TRUE(t.body().empty());
  EXPECT_EQ(t.key.port, 8080);
}

TEST(TargetTest, H2AsksAlpnForHttpsOnly) {
  RunConfig https = config("https://example.com/");
  https.http2 = true;
  EXPECT_EQ(make_target(https).key.http, pool::ConnKey::Http::v2_alpn);
  RunConfig http = config("http://example.com/");
  http.http2 = true;
  EXPECT_EQ(make_target(http).key.http, pool::ConnKey::Http::v1) << "hey's -h2 on http://";
  https.http2 = false;
  EXPECT_EQ(make_target(https).key.http, pool::ConnKey::Http::v1);
}

TEST(TargetTest, H2cRefusesHttpsAndProxies) {
  RunConfig https = config("https://example.com/");
  https.h2c = true;
  EXPECT_THROW(make_target(https), TargetError);
  RunConfig proxied = config("http://example.com/");
  proxied.h2c = true;
  proxied.proxy = "proxy.local:3128";
  EXPECT_THROW(make_target(proxied), TargetError);
}

TEST(TargetTest, ProxyGetsTheAbsoluteFormButHttp2ThePath) {
  RunConfig c = config("http://example.com/x");
  c.proxy = "proxy.local:3128";
  const Target t = make_target(c);
  EXPECT_TRUE(t.wire.starts_with("GET http://example.com/x HTTP/1.1\r\n")) << t.wire;
  EXPECT_EQ(fields_of(t)[3].second, "/x");
}

TEST(TargetTest, MovedTargetKeepsItsViews) {
  RunConfig c = config("http://127.0.0.1/");
  c.headers = {"X-Long-Header-Name-Beyond-Small-Strings: a value longer than small strings hold"};
  Target t = make_target(c);
  const Fields before = fields_of(t);
  std::vector<Target> moved;
  moved.push_back(std::move(t));
  moved.emplace_back();  // the vector grows: its Targets move again
  EXPECT_EQ(fields_of(moved.front()), before);
}

TEST(TargetTest, TargetsReplaceMethodUrlAndBodyAndAddTheirHeaders) {
  RunConfig c = config("http://ignored.test/");
  c.method = "PUT";
  c.body = "run body";
  c.headers = {"X-Run: 1"};
  c.targets = {{"GET", "http://a.test:8080/x", {"X-Target: a"}, std::nullopt},
               {"POST", "https://b.test/y", {}, std::string("target body")}};
  const std::vector<Target> ts = make_targets(c);
  ASSERT_EQ(ts.size(), 2u);
  EXPECT_EQ(ts[0].method, "GET");
  EXPECT_EQ(ts[0].key.to_string(), "http://a.test:8080");
  EXPECT_TRUE(ts[0].wire.starts_with("GET /x HTTP/1.1\r\n")) << ts[0].wire;
  EXPECT_LT(ts[0].wire.find("X-Run: 1\r\n"), ts[0].wire.find("X-Target: a\r\n"))
      << "a target's headers come after -H's";
  EXPECT_EQ(ts[0].body(), "run body") << "a target without a body sends the run's";
  EXPECT_EQ(ts[1].key.to_string(), "https://b.test:443");
  EXPECT_EQ(ts[1].body(), "target body");
  EXPECT_EQ(ts[1].wire.find("X-Target"), std::string::npos);
}

TEST(TargetTest, WithoutTargetsTheRunsOwnRequest) {
  const std::vector<Target> ts = make_targets(config("http://only.test/z"));
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].url, "http://only.test/z");
}

}  // namespace
}  // namespace hload::engine
