// The gate flags of a run and of `hload check`, as the command line reads them.

#include <algorithm>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "cmd/cli.hpp"

namespace hload::cli {
namespace {

constexpr const char* kUrl = "http://127.0.0.1:8080/";

ParseResult parse(std::vector<std::string> words) {
  words.insert(words.begin(), "hload");
  std::vector<const char*> argv;
  for (const auto& w : words) argv.push_back(w.c_str());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

std::string usage_error(const std::vector<std::string>& words) {
  const ParseResult r = parse(words);
  return std::holds_alternative<BadUsage>(r) ? std::get<BadUsage>(r).message : "(no error)";
}

TEST(GateFlags, AssertsRepeatInOrderAndGoToTheRun) {
  const ParseResult r = parse({"-assert", "p99<250ms", "-assert=rps>=5k", "--assert",
                               "hosts.*.dials<=2", "-min-requests", "1k", "-junit", "j.xml", kUrl});
  ASSERT_TRUE(std::holds_alternative<RunCommand>(r)) << usage_error({kUrl});
  const GateOptions& g = std::get<RunCommand>(r).gates;
  EXPECT_EQ(g.asserts, (std::vector<std::string>{"p99<250ms", "rps>=5k", "hosts.*.dials<=2"}));
  EXPECT_EQ(g.min_requests, 1000u);
  EXPECT_EQ(g.junit, "j.xml");
  EXPECT_TRUE(g.active());
  EXPECT_FALSE(std::get<RunCommand>(parse({kUrl})).gates.active());
}

TEST(GateFlags, RegressionBoundsNeedABaseline) {
  EXPECT_EQ(usage_error({"-max-regression", "10%", kUrl}),
            "-max-regression compares with a -baseline: give one");
  const ParseResult r = parse({"-baseline", "old.json", "-max-regression", "p99=5%", kUrl});
  ASSERT_TRUE(std::holds_alternative<RunCommand>(r));
  EXPECT_EQ(std::get<RunCommand>(r).gates.baseline, "old.json");
  EXPECT_EQ(std::get<RunCommand>(r).gates.regression, "p99=5%");
}

TEST(GateFlags, WarmupMustEndBeforeTheRun) {
  EXPECT_EQ(usage_error({"-warmup", "3s", "-z", "3s", kUrl}),
            "-warmup must be shorter than -z (got \"3s\")");
  const ParseResult r = parse({"-warmup", "1s", "-z", "3s", kUrl});
  ASSERT_TRUE(std::holds_alternative<RunCommand>(r));
  EXPECT_EQ(std::get<RunCommand>(r).config.warmup, std::chrono::seconds(1));
}

TEST(GateFlags, CheckJudgesOneReport) {
  const ParseResult r = parse({"check", "-assert", "p99<1s", "report.json"});
  ASSERT_TRUE(std::holds_alternative<CheckCommand>(r)) << usage_error({"check"});
  EXPECT_EQ(std::get<CheckCommand>(r).report, "report.json");
  EXPECT_EQ(std::get<CheckCommand>(r).gates.asserts, std::vector<std::string>{"p99<1s"});
  EXPECT_EQ(usage_error({"check", "-assert", "p99<1s"}),
            "check needs a report (usage: hload check [flags] REPORT.json)");
  EXPECT_EQ(usage_error({"check", "a.json"}), "check needs a gate: -assert EXPR or -baseline FILE");
  EXPECT_EQ(usage_error({"check", "-assert", "p99<1s", "a.json", "b.json"}),
            "check judges one report (got \"b.json\")");
  EXPECT_EQ(usage_error({"check", "-c", "5", "a.json"}).rfind("unknown flag -c", 0), 0u);
}

// Every help fits a terminal of 100 columns: long descriptions wrap under themselves, and a
// default is never split from its value.
TEST(HelpText, FitsInAHundredColumns) {
  for (const std::vector<std::string>& words : std::vector<std::vector<std::string>>{
           {"-h"}, {"demo", "-h"}, {"serve", "-h"}, {"check", "-h"}}) {
    const ParseResult r = parse(words);
    ASSERT_TRUE(std::holds_alternative<ShowHelp>(r));
    std::istringstream text(std::get<ShowHelp>(r).text);
    for (std::string line; std::getline(text, line);) {
      // µ and other UTF-8 letters count once.
      const auto columns =
          std::count_if(line.begin(), line.end(), [](char c) { return (c & 0xC0) != 0x80; });
      EXPECT_LE(columns, 100) << line;
      EXPECT_EQ(line.find("(default\n"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace hload::cli
