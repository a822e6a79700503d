// Mistakes on the command line, and runs that cannot start (docs/architecture.md#exit-codes):
// each is refused with exit status 2 and one line on standard error, before any request is sent.
// Where the mistake leaves the URL valid, it points at a live server, which must see no connection
// at all.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cmd/server/builtin_server.hpp"
#include "tests/integration/e2e.hpp"

namespace hload::test::e2e {
namespace {

// kUrl in a case's args stands for the live server's URL.
constexpr const char* kUrl = "{URL}";

struct BadUsageCase {
  const char* name;
  std::vector<std::string> args;
  const char* says;  // what the one line must mention, so that the user sees what was wrong
};

class BadUsageTest : public ::testing::TestWithParam<BadUsageCase> {};

TEST_P(BadUsageTest, IsRefusedOnOneLineBeforeAnyRequest) {
  server::BuiltinServer srv;
  std::vector<std::string> args = GetParam().args;
  for (auto& a : args) {
    if (a == kUrl) a = url(srv.port());
  }
  const ProcessResult r = hload(args);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(r.out, "") << "nothing on standard output";
  const std::vector<std::string> err = lines(r.err);
  ASSERT_EQ(err.size(), 1u) << r.describe();
  EXPECT_TRUE(r.err.ends_with("\n"));
  EXPECT_TRUE(err[0].starts_with("hload: ")) << err[0];
  EXPECT_NE(err[0].find(GetParam().says), std::string::npos) << err[0];
  EXPECT_FALSE(shows_a_crash(r.err)) << r.err;
  EXPECT_EQ(accepted_after_settling(srv), 0u) << "a refused command line reached the server";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadUsageTest,
    ::testing::Values(
        BadUsageCase{"UnknownFlag", {"-bogus", kUrl}, "-bogus"},
        BadUsageCase{"NoArguments", {}, "missing URL"},
        BadUsageCase{"FlagsWithoutUrl", {"-c", "2", "-n", "4"}, "missing URL"},
        BadUsageCase{"MalformedUrl", {"http://[::1"}, "http://[::1"},
        BadUsageCase{"UnsupportedScheme", {"ftp://x/"}, "ftp"},
        BadUsageCase{"ZeroUsers", {"-c", "0", kUrl}, "-c"},
        BadUsageCase{"NegativeUsers", {"-c", "-5", kUrl}, "-c"},
        BadUsageCase{"NegativeRequests", {"-n", "-1", kUrl}, "-n"},
        BadUsageCase{"FewerRequestsThanUsers", {"-n", "10", "-c", "20", kUrl}, "-n"},
        BadUsageCase{"RequestsNotANumber", {"-n", "abc", kUrl}, "abc"},
        BadUsageCase{"UnreadableBodyFile", {"-D", "/nonexistent", kUrl}, "/nonexistent"},
        BadUsageCase{"UnknownOutputFormat", {"-o", "yaml", kUrl}, "yaml"},
        BadUsageCase{"NegativeDuration", {"-z", "-1s", kUrl}, "-z"},
        BadUsageCase{"DurationWithoutUnit",
                     {"-z", "5", kUrl},
                     "-z needs a unit, such as 5s or 5ms (got \"5\")"},
        BadUsageCase{"DialTimeoutWithoutUnit",
                     {"-dial-timeout", "3", kUrl},
                     "-dial-timeout needs a unit, such as 3s"},
        BadUsageCase{"CountNotWhole", {"-n", "1.2345k", kUrl}, "1.2345k"},
        BadUsageCase{"CertWithoutKey",
                     {"-cert", "/etc/passwd", kUrl},
                     "-cert and -key go together: -cert was given without -key"},
        BadUsageCase{"MissingCaFile",
                     {"-cacert", "/nonexistent/ca.pem", kUrl},
                     "-cacert: cannot read \"/nonexistent/ca.pem\": No such file or directory"},
        // Readable, but not PEM: refused when the run's TLS context loads it, still before
        // any request.
        BadUsageCase{"CaFileNotPem", {"-cacert", "/etc/passwd", kUrl}, "CA file \"/etc/passwd\""},
        BadUsageCase{"HttpsThroughProxy",
                     {"-x", "127.0.0.1:1", "https://127.0.0.1:1/"},
                     "https through an HTTP proxy is not supported yet"},
        BadUsageCase{
            "ShardPastItsCount", {"-shard", "3/3", kUrl}, "-shard wants I/N with 0 <= I < N"},
        BadUsageCase{"ShardWithoutCount", {"-shard", "1", kUrl}, "(got \"1\")"},
        BadUsageCase{"ShardNegative", {"-shard", "-1/3", kUrl}, "(got \"-1/3\")"},
        BadUsageCase{"ShardOfNone", {"-shard", "0/0", kUrl}, "(got \"0/0\")"},
        BadUsageCase{"ShardNotNumbers", {"-shard", "a/b", kUrl}, "(got \"a/b\")"},
        BadUsageCase{"ShardWithoutUsers",
                     {"-c", "2", "-n", "10", "-shard", "2/3", kUrl},
                     "-shard 2/3: -c 2 leaves this shard no virtual user (-c must be at least 3)"},
        BadUsageCase{"ShardWithoutRate",
                     {"-c", "3", "-n", "30", "-rate", "2", "-shard", "2/3", kUrl},
                     "-shard 2/3: -rate 2 leaves this shard no request per second"},
        BadUsageCase{"DemoGivenAUrl", {"demo", kUrl}, "demo takes no URL"},
        BadUsageCase{"ServeUnknownFlag", {"serve", "-bogus"}, "-bogus"},
        BadUsageCase{"ServeStatusOutOfRange", {"serve", "-status", "99"}, "-status"}),
    [](const ::testing::TestParamInfo<BadUsageCase>& p) { return p.param.name; });

// `hload serve` on a port another server holds cannot start: exit status 2 and the system's
// reason on one line, without the library's source locations.
TEST(HloadServe, PortInUseIsRefusedOnOneLine) {
  server::BuiltinServer holder;
  const ProcessResult r = hload({"serve", "-port", std::to_string(holder.port())}, 10s);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(r.out, "");
  const std::vector<std::string> err = lines(r.err);
  ASSERT_EQ(err.size(), 1u) << r.describe();
  EXPECT_EQ(err[0], "hload: serve: bind 127.0.0.1:" + std::to_string(holder.port()) +
                        ": Address already in use");
  EXPECT_FALSE(shows_a_crash(r.err)) << r.err;
}

}  // namespace
}  // namespace hload::test::e2e
