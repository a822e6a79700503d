// Ctrl-C (SIGINT) or a polite kill (SIGTERM) during a long run ends it promptly and still
// delivers the report of what was done, marked as interrupted, then exits as a shell reports a
// program the signal ended: 128 + the signal, 130 or 143.

#include <signal.h>

#include <string>

#include <gtest/gtest.h>

#include "cmd/server/builtin_server.hpp"
#include "tests/integration/e2e.hpp"

namespace hload::test::e2e {
namespace {

constexpr auto kRunStartLimit = 10s;
constexpr auto kRunBeforeSignal = 1s;
// How long hload may take to stop and write its report once signalled.
constexpr auto kStopLimit = 5s;

class HloadSignalTest : public ::testing::TestWithParam<int> {};

TEST_P(HloadSignalTest, EndsTheRunAndWritesAnInterruptedReport) {
  server::ServerOptions o;
  o.delay = 5ms;
  server::BuiltinServer srv(o);
  TempDir dir;
  const std::string file = dir.file("report.json");
  Process run(kHload, {"-c", "50", "-z", "30s", "-o", "json", "-output", file, url(srv.port())});

  // A connection shows that the run, and with it hload's signal handling, has begun.
  const auto deadline = std::chrono::steady_clock::now() + kRunStartLimit;
  while (srv.counters().accepted == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_GT(srv.counters().accepted, 0u) << run.wait(kStopLimit).describe();
  std::this_thread::sleep_for(kRunBeforeSignal);
  ASSERT_TRUE(run.running()) << run.wait(kStopLimit).describe();

  run.signal(GetParam());
  const ProcessResult r = run.wait(kStopLimit);
  ASSERT_FALSE(r.timed_out) << "hload did not stop within the bound: " << r.describe();
  EXPECT_EQ(r.term_signal, 0) << "hload exits by itself, after its report: " << r.describe();
  EXPECT_EQ(r.exit_code, GetParam() == SIGINT ? 130 : 143) << r.describe();
  EXPECT_EQ(r.err, "hload: report written to " + file + "\n");
  const json report = parse_json(read_file(file));
  ASSERT_FALSE(report.is_discarded()) << read_file(file);
  const json& s = report["summary"];
  EXPECT_EQ(s["interrupted"], true) << s;
  EXPECT_GT(s["requests"].get<std::uint64_t>(), 0u) << s;
  // Requests cut short by the signal are not finished; they are not the server's errors.
  EXPECT_EQ(s["errors"], 0) << s;
  EXPECT_LT(s["elapsed_s"].get<double>(), 10.0) << s;
}

INSTANTIATE_TEST_SUITE_P(Signals, HloadSignalTest, ::testing::Values(SIGINT, SIGTERM),
                         [](const ::testing::TestParamInfo<int>& p) {
                           return std::string(p.param == SIGINT ? "SIGINT" : "SIGTERM");
                         });

}  // namespace
}  // namespace hload::test::e2e
