// -targets: many requests in one run, from a file in vegeta's HTTP or JSON format, over the one
// shared pool. Against two nginx servers the report has a host entry for each, with its own
// dials and waits, and the totals are what nginx counted; a bad line is refused on one line
// naming the file and the line, before any request.

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cmd/server/builtin_server.hpp"
#include "tests/integration/e2e.hpp"
#include "tests/support/nginx_server.hpp"

namespace hload::test::e2e {
namespace {

// write_file puts text into the file at path.
void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// replaced is text with every "{URL}" made into u.
std::string replaced(std::string text, const std::string& u) {
  for (auto at = text.find("{URL}"); at != std::string::npos; at = text.find("{URL}")) {
    text.replace(at, 5, u);
  }
  return text;
}

class HloadTargetsNginxTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!NginxServer::available()) GTEST_SKIP() << NginxServer::kNotInstalled;
  }
};

// Two hosts, each capped at 2 connections; the second closes a connection every 100 requests.
// Round-robin gives each exactly half of -n; random gives each some.
TEST_P(HloadTargetsNginxTest, TwoHostsGetAHostEntryEachMatchingNginx) {
  const std::string order = GetParam();
  NginxServer nginx;
  TempDir dir;
  const std::string a = url(nginx.keepalive_port());
  const std::string b = url(nginx.limited_port());
  write_file(dir.file("targets.txt"),
             "# two servers of one nginx\n"
             "GET " +
                 a +
                 "\n"
                 "X-Target: a\n"
                 "\n"
                 "GET " +
                 b +
                 "\n"
                 "X-Target: b\n");
  constexpr std::uint64_t kRequests = 4000;
  const StubStatus before = nginx.counters();
  const ProcessResult r =
      hload({"-targets", dir.file("targets.txt"), "-targets-order", order, "-c", "20",
             "-max-conns-per-host", "2", "-n", std::to_string(kRequests), "-o", "json"});
  const StubDelta d = delta(before, nginx.counters());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json report = parse_json(r.out);
  ASSERT_FALSE(report.is_discarded()) << r.describe();

  EXPECT_EQ(report["summary"]["requests"], kRequests);
  EXPECT_EQ(report["summary"]["ok"], kRequests);
  EXPECT_EQ(d.requests, static_cast<std::int64_t>(kRequests)) << "nginx served what hload sent";
  ASSERT_EQ(report["hosts"].size(), 2u) << report["hosts"];
  const json& ha = report["hosts"][host_key(nginx.keepalive_port())];
  const json& hb = report["hosts"][host_key(nginx.limited_port())];
  ASSERT_TRUE(ha.is_object() && hb.is_object()) << report["hosts"];
  EXPECT_EQ(ha["requests"].get<std::uint64_t>() + hb["requests"].get<std::uint64_t>(), kRequests);
  if (order == std::string("round-robin")) {
    EXPECT_EQ(ha["requests"], kRequests / 2);
    EXPECT_EQ(hb["requests"], kRequests / 2);
  } else {
    EXPECT_GT(ha["requests"].get<std::uint64_t>(), kRequests / 4);
    EXPECT_GT(hb["requests"].get<std::uint64_t>(), kRequests / 4);
  }
  EXPECT_EQ(ha["dials"].get<std::int64_t>() + hb["dials"].get<std::int64_t>(), d.accepts)
      << "nginx accepted what hload dialed, over both hosts";
  // Each host its own pool: the first keeps its 2 connections, the second is made to dial
  // again every 100 requests.
  EXPECT_EQ(ha["dials"], 2);
  EXPECT_EQ(ha["max_open_conns"], 2);
  EXPECT_GE(hb["dials"].get<std::uint64_t>(), hb["requests"].get<std::uint64_t>() / 100);
  EXPECT_LE(hb["max_open_conns"], 2);
  // And its own waits: 20 users over 2 connections queue at each host.
  for (const json* h : {&ha, &hb}) {
    EXPECT_GT((*h)["wait_idle"]["count"].get<std::uint64_t>(), 0u) << *h;
    EXPECT_EQ((*h)["wait_idle"]["count"], (*h)["acquire"]["handoff"]);
    EXPECT_GT((*h)["queued_at_limit"]["count"].get<std::uint64_t>(), 0u) << *h;
  }
}

INSTANTIATE_TEST_SUITE_P(Orders, HloadTargetsNginxTest, ::testing::Values("round-robin", "random"),
                         [](const auto& p) {
                           return std::string(p.param) == "random" ? "Random" : "RoundRobin";
                         });

// The JSON format: method, headers and a base64 body per line, sent as written.
TEST(HloadTargets, JsonLinesAreSentAsWritten) {
  server::BuiltinServer srv;
  TempDir dir;
  // "aGVsbG8=" is "hello".
  write_file(dir.file("targets.json"),
             replaced("{\"method\":\"POST\",\"url\":\"{URL}a\",\"header\":{\"X-A\":[\"1\",\"2\"]},"
                      "\"body\":\"aGVsbG8=\"}\n"
                      "{\"url\":\"{URL}b\"}\n",
                      url(srv.port())));
  const ProcessResult r =
      hload({"-targets", dir.file("targets.json"), "-c", "2", "-n", "10", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json report = parse_json(r.out);
  EXPECT_EQ(report["summary"]["ok"], 10);
  EXPECT_EQ(srv.counters().requests, 10u);
  // POST with a 5-byte body and GET without: the bytes written differ from 10 GETs of b.
  const json& h = report["hosts"][host_key(srv.port())];
  EXPECT_EQ(h["requests"], 10);
  EXPECT_GT(report["summary"]["bytes_out"].get<std::uint64_t>(), 0u);
}

struct BadTargetsCase {
  const char* name;
  const char* file;  // the targets file; {URL} is the live server's
  const char* says;  // after `-targets "PATH"`
};

class BadTargetsTest : public ::testing::TestWithParam<BadTargetsCase> {};

TEST_P(BadTargetsTest, IsRefusedOnOneLineNamingFileAndLine) {
  server::BuiltinServer srv;
  TempDir dir;
  const std::string path = dir.file("targets");
  write_file(path, replaced(GetParam().file, url(srv.port())));
  const ProcessResult r = hload({"-targets", path, "-n", "4", "-c", "1"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(r.out, "");
  const std::vector<std::string> err = lines(r.err);
  ASSERT_EQ(err.size(), 1u) << r.describe();
  EXPECT_EQ(err[0].rfind("hload: -targets \"" + path + "\"", 0), 0u) << err[0];
  EXPECT_NE(err[0].find(GetParam().says), std::string::npos) << err[0];
  EXPECT_FALSE(shows_a_crash(r.err)) << r.err;
  EXPECT_EQ(accepted_after_settling(srv), 0u) << "a refused targets file reached the server";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadTargetsTest,
    ::testing::Values(
        BadTargetsCase{"MethodWithoutUrl", "GET {URL}\n\nGETT\n", ":3: expected \"METHOD URL\""},
        BadTargetsCase{"BadMethod", "G(T {URL}\n", ":1: bad method \"G(T\""},
        BadTargetsCase{"BadUrlAfterAComment", "# first\nGET ftp://x/\n", ":2: "},
        BadTargetsCase{"HeaderWithoutColon", "GET {URL}\nX-A: 1\nbogus\n",
                       ":3: expected a header \"Name: value\" or \"@FILE\""},
        BadTargetsCase{"MissingBodyFile", "POST {URL}\n@/nonexistent/body\n",
                       ":2: cannot read \"/nonexistent/body\""},
        BadTargetsCase{"JsonUrlNotText", "{\"url\":\"{URL}\"}\n{\"url\":5}\n",
                       ":2: \"url\" must be text"},
        BadTargetsCase{"JsonBodyNotBase64", "{\"url\":\"{URL}\",\"body\":\"***\"}\n",
                       ":1: \"body\" is not base64"},
        BadTargetsCase{"JsonLineNotJson", "{\"url\":\"{URL}\"}\n{oops\n", ":2: not a JSON object"},
        BadTargetsCase{"JsonHeaderNotAList", "{\"url\":\"{URL}\",\"header\":{\"X-A\":\"1\"}}\n",
                       ":1: header \"X-A\" must be a list of values"},
        BadTargetsCase{"OnlyComments", "# nothing\n\n", ": no targets in the file"}),
    [](const ::testing::TestParamInfo<BadTargetsCase>& p) { return p.param.name; });

TEST(HloadTargets, UrlAndTargetsTogetherAreRefused) {
  server::BuiltinServer srv;
  TempDir dir;
  write_file(dir.file("t"), "GET " + url(srv.port()) + "\n");
  const ProcessResult r = hload({"-targets", dir.file("t"), url(srv.port())});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("a URL and -targets cannot both be given"), std::string::npos) << r.err;
  const ProcessResult order = hload({"-targets", dir.file("t"), "-targets-order", "sideways"});
  EXPECT_EQ(order.exit_code, 2) << order.describe();
  EXPECT_NE(order.err.find("-targets-order wants round-robin or random (got \"sideways\")"),
            std::string::npos)
      << order.err;
  EXPECT_EQ(accepted_after_settling(srv), 0u);
}

}  // namespace
}  // namespace hload::test::e2e
