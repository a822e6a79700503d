// The commands a user types first: the architecture's own example, in each way of spelling its
// flag, with the text report; the demo; the version; the help.

#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cmd/server/builtin_server.hpp"
#include "tests/integration/e2e.hpp"

namespace hload::test::e2e {
namespace {

// kPoolDialsTwo matches the pool table's dial count of 2 in the text report.
const std::regex kPoolDialsTwo(R"(\n +dials: +2 \()");

// Spellings of "-max-conns-per-host 2" that must all work (docs/architecture.md#knobs).
class MaxConnsSpellingTest : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(MaxConnsSpellingTest, TwoHundredUsersOverTwoConnectionsPrintThePoolTable) {
  server::BuiltinServer srv;
  std::vector<std::string> args = {"-c", "200"};
  args.insert(args.end(), GetParam().begin(), GetParam().end());
  args.push_back(url(srv.port()));
  const ProcessResult r = hload(args);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.err, "") << "no progress line when standard error is not a terminal";
  EXPECT_NE(r.out.find("[200] 200 responses"), std::string::npos) << r.out;  // -n is 200
  EXPECT_NE(r.out.find("Connection pool (per host):\n  " + host_key(srv.port())), std::string::npos)
      << r.out;
  EXPECT_TRUE(std::regex_search(r.out, kPoolDialsTwo)) << r.out;
  EXPECT_EQ(accepted_after_settling(srv), 2u);
}

INSTANTIATE_TEST_SUITE_P(Spellings, MaxConnsSpellingTest,
                         ::testing::Values(std::vector<std::string>{"-max-conns-per-host", "2"},
                                           std::vector<std::string>{"--max-conns-per-host", "2"},
                                           std::vector<std::string>{"-max-conns-per-host=2"},
                                           std::vector<std::string>{"--max-conns-per-host=2"}),
                         [](const ::testing::TestParamInfo<std::vector<std::string>>& p) {
                           const std::string& flag = p.param.front();
                           return std::string(flag.starts_with("--") ? "TwoDashes" : "OneDash") +
                                  (p.param.size() == 1 ? "Equals" : "Space");
                         });

TEST(HloadDemo, LoadsItsOwnServerAndShowsThePool) {
  const ProcessResult r = hload({"demo", "-n", "2000"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("Connection pool (per host):"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, kPoolDialsTwo)) << r.out;
  EXPECT_NE(r.err.find("the server accepted 2 connections and served 2000 requests"),
            std::string::npos)
      << r.err;
}

// Counts take oha's suffixes: -n 1k is exactly a thousand requests, as the server counts them.
TEST(HloadCounts, SuffixedRequestCountSendsExactlyThatMany) {
  server::BuiltinServer srv;
  const ProcessResult r = hload({"-n", "1k", "-c", "10", "-o", "json", url(srv.port())});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json report = parse_json(r.out);
  ASSERT_FALSE(report.is_discarded()) << r.out;
  EXPECT_EQ(report["summary"]["requests"], 1000) << report["summary"];
  EXPECT_EQ(srv.counters().requests, 1000u);
}

class VersionFlagTest : public ::testing::TestWithParam<std::string> {};

TEST_P(VersionFlagTest, PrintsTheVersion) {
  const ProcessResult r = hload({GetParam()});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(std::regex_match(r.out, std::regex(R"(hload \d+\.\d+\.\d+\n)"))) << r.out;
  EXPECT_EQ(r.err, "");
}

INSTANTIATE_TEST_SUITE_P(Spellings, VersionFlagTest,
                         ::testing::Values("-version", "--version", "version"), [](const auto& p) {
                           if (!p.param.starts_with("-")) return std::string("Subcommand");
                           return std::string(p.param.starts_with("--") ? "TwoDashes" : "OneDash");
                         });

class HelpFlagTest : public ::testing::TestWithParam<std::string> {};

TEST_P(HelpFlagTest, ListsThePoolFlags) {
  const ProcessResult r = hload({GetParam()});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(r.out.starts_with("Usage: hload [flags] URL\n")) << r.out;
  EXPECT_NE(r.out.find("-max-conns-per-host N"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
}

INSTANTIATE_TEST_SUITE_P(Spellings, HelpFlagTest, ::testing::Values("-h", "-help", "--help"),
                         [](const auto& p) {
                           std::string name = p.param;
                           name.erase(0, name.find_first_not_of('-'));
                           return (p.param.starts_with("--") ? "TwoDashes_" : "OneDash_") + name;
                         });

// `hload help` prints what -h prints, and `hload help serve` the server's help.
TEST(HelpSubcommand, PrintsTheHelpOfWhatItNames) {
  const ProcessResult dash_h = hload({"-h"});
  const ProcessResult help = hload({"help"});
  EXPECT_EQ(help.exit_code, 0) << help.describe();
  EXPECT_EQ(help.out, dash_h.out);
  EXPECT_EQ(help.err, "");
  const ProcessResult serve = hload({"help", "serve"});
  EXPECT_EQ(serve.exit_code, 0) << serve.describe();
  EXPECT_TRUE(serve.out.starts_with("Usage: hload serve [flags]\n")) << serve.out;
  const ProcessResult bogus = hload({"help", "bogus"});
  EXPECT_EQ(bogus.exit_code, 2) << bogus.describe();
  EXPECT_EQ(bogus.out, "");
  EXPECT_EQ(lines(bogus.err).size(), 1u) << bogus.err;
}

}  // namespace
}  // namespace hload::test::e2e
