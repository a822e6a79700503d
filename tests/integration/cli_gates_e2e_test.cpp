// CI gates through the built program: verdicts and exit statuses, mistakes refused before the
// first request, no data failing, baselines, `hload check`, JUnit and the GitHub summary, and
// the warm-up left out of the figures.

#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cmd/server/builtin_server.hpp"
#include "tests/integration/e2e.hpp"

namespace hload::test::e2e {
namespace {

std::vector<std::string> with_url(std::vector<std::string> args, std::uint16_t port) {
  args.push_back(url(port));
  return args;
}

TEST(HloadGates, PassingGatesExitZeroAndAFailingOneExitsOne) {
  server::BuiltinServer srv;
  const ProcessResult pass = hload(with_url(
      {"-n", "2000", "-c", "10", "-assert", "p99<5s", "-assert", "hosts.*.dials<=10"}, srv.port()));
  EXPECT_EQ(pass.exit_code, 0) << pass.describe();
  EXPECT_NE(pass.out.find("Gates: 2 passed, 0 failed"), std::string::npos) << pass.out;
  EXPECT_NE(pass.out.find("  PASS  p99<5s "), std::string::npos) << pass.out;

  const ProcessResult fail = hload(
      with_url({"-n", "2000", "-c", "10", "-assert", "p99<5s", "-assert", "rps>=1M"}, srv.port()));
  EXPECT_EQ(fail.exit_code, 1) << fail.describe();
  EXPECT_NE(fail.out.find("Gates: 1 passed, 1 failed"), std::string::npos) << fail.out;
  EXPECT_NE(fail.out.find("  FAIL  rps>=1M "), std::string::npos) << fail.out;
}

// A gate that cannot be judged is a mistake of the command line: it stops the run before any
// connection reaches the server.
TEST(HloadGates, BadGatesStopTheRunBeforeAnyConnection) {
  server::BuiltinServer srv;
  TempDir dir;
  const struct {
    std::vector<std::string> flags;
    const char* message;
  } cases[] = {
      {{"-assert", "p99<<3"}, R"(-assert "p99<<3": expected a number after "<")"},
      {{"-assert", "summary.bogus<1"}, R"(unknown field "summary.bogus")"},
      {{"-assert", R"(hosts["http://elsewhere:80"].dials<1)"}, "hosts has no"},
      {{"-assert", "p99<5"}, ""},  // a bare number against a field in ms is fine: 5 ms
      {{"-baseline", dir.file("missing.json")}, "-baseline: cannot read"},
      {{"-junit", "/proc/junit.xml", "-assert", "p99<1s"}, "-junit: cannot write"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.flags.front() + " " + c.flags[1]);
    std::vector<std::string> args = {"-n", "20", "-c", "2"};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    const ProcessResult r = hload(with_url(args, srv.port()));
    if (*c.message == '\0') {
      EXPECT_NE(r.exit_code, 2) << r.describe();
      continue;
    }
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  EXPECT_EQ(accepted_after_settling(srv), 2u) << "only the run with a good gate connected (-c 2)";
}

// A service that never answers passes no gate: no request finished is not a pass.
TEST(HloadGates, NoDataIsNotAPass) {
  server::ServerOptions o;
  o.fault = server::Fault::stall;
  server::BuiltinServer srv(o);
  const ProcessResult r =
      hload(with_url({"-z", "3s", "-c", "5", "-assert", "p99<1s", "-o", "json"}, srv.port()));
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const json report = parse_json(r.out);
  ASSERT_FALSE(report.is_discarded()) << r.describe();
  const json& gate = report["gates"]["assertions"][0];
  EXPECT_EQ(gate["pass"], false);
  EXPECT_EQ(gate["reason"], "no request finished") << gate;
  EXPECT_EQ(report["gates"]["passed"], false);
}

TEST(HloadGates, ABaselineRegressionFails) {
  TempDir dir;
  const std::string old_report = dir.file("old.json");
  {
    server::BuiltinServer fast;
    const ProcessResult r =
        hload(with_url({"-n", "500", "-c", "5", "-o", "json", "-output", old_report}, fast.port()));
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }
  server::ServerOptions o;
  o.delay = 20ms;
  server::BuiltinServer slow(o);
  const ProcessResult r = hload(
      with_url({"-n", "500", "-c", "5", "-baseline", old_report, "-max-regression", "p99=10%"},
               slow.port()));
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\n  FAIL  p99 +[0-9.]+ (µs|ms) +[0-9.]+ ms")))
      << r.out;
  EXPECT_NE(r.out.find("differ"), std::string::npos) << "the targets differ: it warns\n" << r.out;
}

// hload check judges a saved report as the run judged it.
TEST(HloadGates, CheckGivesTheRunsVerdicts) {
  server::BuiltinServer srv;
  TempDir dir;
  const std::string report_file = dir.file("report.json");
  const std::vector<std::string> gates = {"-assert", "p99<5s",  "-assert",
                                          "rps>=1M", "-assert", "hosts.*.reuse_ratio>0.5"};
  std::vector<std::string> args = {"-n", "1000", "-c", "10", "-o", "json", "-output", report_file};
  args.insert(args.end(), gates.begin(), gates.end());
  const ProcessResult run = hload(with_url(args, srv.port()));
  ASSERT_EQ(run.exit_code, 1) << run.describe();
  const json report = parse_json(read_file(report_file));
  ASSERT_FALSE(report.is_discarded());

  std::vector<std::string> check_args = {"check", report_file};
  check_args.insert(check_args.end(), gates.begin(), gates.end());
  const ProcessResult check = hload(check_args);
  EXPECT_EQ(check.exit_code, run.exit_code) << check.describe();
  for (const json& g : report["gates"]["assertions"]) {
    const std::string line =
        std::string(g["pass"].get<bool>() ? "  PASS  " : "  FAIL  ") + g["expr"].get<std::string>();
    EXPECT_NE(check.out.find(line), std::string::npos) << line << "\n" << check.out;
  }
  const ProcessResult unknown = hload({"check", report_file, "-assert", "summary.nope<1"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.describe();
}

TEST(HloadGates, JUnitHasATestCasePerGateAndValidates) {
  server::BuiltinServer srv;
  TempDir dir;
  const std::string xml = dir.file("junit.xml");
  const ProcessResult r = hload(with_url({"-n", "500", "-c", "5", "-assert", "p99<5s", "-assert",
                                          "rps>=1M", "-assert", "dials<=5", "-junit", xml},
                                         srv.port()));
  ASSERT_EQ(r.exit_code, 1) << r.describe();
  const std::string text = read_file(xml);
  std::size_t cases = 0;
  for (std::size_t at = text.find("<testcase"); at != std::string::npos;
       at = text.find("<testcase", at + 1)) {
    ++cases;
  }
  EXPECT_EQ(cases, 3u) << text;
  EXPECT_NE(text.find("failures=\"1\""), std::string::npos) << text;
  if (run_process("/usr/bin/test", {"-x", "/usr/bin/xmllint"}).exit_code != 0) {
    GTEST_SKIP() << "xmllint is not installed (Debian's libxml2-utils)";
  }
  const ProcessResult lint = run_process(
      "/usr/bin/xmllint",
      {"--noout", "--schema", std::string(HLOAD_SOURCE_DIR) + "/tests/data/junit.xsd", xml});
  EXPECT_EQ(lint.exit_code, 0) << lint.describe();
}

TEST(HloadGates, GitHubStepSummaryIsAppended) {
  server::BuiltinServer srv;
  TempDir dir;
  const std::string summary = dir.file("summary.md");
  const ProcessResult r =
      run_process(kHload, with_url({"-n", "500", "-c", "5", "-assert", "p99<5s"}, srv.port()),
                  {.env = {"GITHUB_STEP_SUMMARY=" + summary}, .time_limit = kRunLimit});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const std::string md = read_file(summary);
  EXPECT_NE(md.find("p99<5s"), std::string::npos) << md;
  EXPECT_NE(md.find("✅"), std::string::npos) << md;
  EXPECT_NE(md.find(host_key(srv.port())), std::string::npos) << "the pool table\n" << md;
}

// Requests that finish during the warm-up are kept out of every figure: what the report counts
// is what the server saw after it.
TEST(HloadGates, WarmupRequestsAreLeftOut) {
  server::ServerOptions o;
  o.delay = 5ms;
  server::BuiltinServer srv(o);
  const ProcessResult r = run_process(
      kHload, with_url({"-warmup", "1s", "-z", "3s", "-c", "10", "-o", "json"}, srv.port()),
      {.env = {}, .time_limit = kRunLimit});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json s = parse_json(r.out)["summary"];
  const auto requests = s["requests"].get<std::uint64_t>();
  const auto warmup = s["warmup_requests"].get<std::uint64_t>();
  const auto total = srv.counters().requests;
  EXPECT_EQ(warmup + requests + s["unfinished"].get<std::uint64_t>(), total);
  // At a steady rate the measured 2 s of a 3 s run hold two thirds of its requests; counting
  // the warm-up in would make it all of them. The ratio does not depend on when the program
  // got going, which a slow (sanitized) start-up shifts by a good part of a second.
  const double share = static_cast<double>(requests) / static_cast<double>(warmup + requests);
  EXPECT_NEAR(share, 2.0 / 3.0, 0.1) << s;
  EXPECT_GT(warmup, 0u);
  EXPECT_NEAR(s["measured_s"].get<double>(), 2.0, 0.1);
}

}  // namespace
}  // namespace hload::test::e2e
