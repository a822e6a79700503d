// The process helper of the end-to-end tests, on the shell and sleep: what it captures, and that
// its waits are bounded.

#include "tests/support/process.hpp"

#include <signal.h>

#include <chrono>
#include <system_error>

#include <gtest/gtest.h>

namespace hload::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kSh = "/bin/sh";
const std::string kSleep = "/bin/sleep";

TEST(Process, CapturesBothStreamsAndTheExitStatus) {
  const ProcessResult r = run_process(kSh, {"-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.term_signal, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

// Each stream far exceeds a pipe's buffer: reading one to its end before the other would
// deadlock.
TEST(Process, DrainsBothStreamsAtOnce) {
  const ProcessResult r =
      run_process(kSh, {"-c", "head -c 1000000 /dev/zero >&2; head -c 1000000 /dev/zero; echo >&2"},
                  {.env = {}, .time_limit = 30s});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out.size(), 1'000'000u);
  EXPECT_EQ(r.err.size(), 1'000'001u);
}

TEST(Process, SetsTheEnvironmentOnTopOfTheTests) {
  ::setenv("HLOAD_PROCESS_TEST_KEPT", "kept", 1);
  const ProcessResult r =
      run_process(kSh, {"-c", "echo $HLOAD_PROCESS_TEST_SET $HLOAD_PROCESS_TEST_KEPT"},
                  {.env = {"HLOAD_PROCESS_TEST_SET=set"}, .time_limit = 30s});
  EXPECT_EQ(r.out, "set kept\n") << r.describe();
}

TEST(Process, KillsAProgramAtItsTimeLimit) {
  const auto start = Clock::now();
  const ProcessResult r = run_process(kSleep, {"30"}, {.env = {}, .time_limit = 200ms});
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_LT(Clock::now() - start, 10s);
}

TEST(Process, SignalsABackgroundProgram) {
  Process p(kSleep, {"30"});
  EXPECT_TRUE(p.running());
  p.signal(SIGINT);
  const ProcessResult r = p.wait(10s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGINT);
  p.signal(SIGINT);  // reaped: sends nothing, to no one
}

TEST(Process, DestructorStopsAProgramStillRunning) {
  const auto start = Clock::now();
  { Process p(kSleep, {"30"}); }
  EXPECT_LT(Clock::now() - start, 10s);
}

TEST(Process, MissingProgramThrows) {
  EXPECT_THROW(Process("/nonexistent/program", {}), std::system_error);
}

}  // namespace
}  // namespace hload::test
