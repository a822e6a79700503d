// Are hload's numbers true? Against a server that waits a known time before each answer, the
// reported latency must show that wait; in rate mode the achieved rate must be the one asked.
// The delayed server is `hload serve`, run as its own process and stopped with Ctrl-C as a user
// would stop it.

#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cmd/server/builtin_server.hpp"
#include "tests/integration/e2e.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/raw_client.hpp"

namespace hload::test::e2e {
namespace {

// A free port may be taken between picking it and the server binding it: try a few.
constexpr int kServeAttempts = 5;
constexpr auto kServeStartLimit = 10s;
constexpr auto kServeStopLimit = 5s;

// ServeProcess is `hload serve` listening on port.
struct ServeProcess {
  std::unique_ptr<Process> process;
  std::uint16_t port = 0;
};

// accepts says whether a connection to port is accepted now.
bool accepts(std::uint16_t port) {
  try {
    RawClient probe(port, 1s);
    return true;
  } catch (const std::system_error&) {
    return false;
  }
}

// start_serve starts `hload serve` with flags on a free port and returns once it accepts
// connections; ServeProcess{} when it did not, with why in *failure.
ServeProcess start_serve(const std::vector<std::string>& flags, std::string* failure) {
  for (int attempt = 0; attempt < kServeAttempts; ++attempt) {
    ServeProcess s;
    s.port = free_loopback_port();
    std::vector<std::string> args = {"serve", "-port", std::to_string(s.port)};
    args.insert(args.end(), flags.begin(), flags.end());
    s.process = std::make_unique<Process>(kHload, args);
    const auto deadline = std::chrono::steady_clock::now() + kServeStartLimit;
    while (s.process->running() && std::chrono::steady_clock::now() < deadline) {
      if (accepts(s.port)) return s;
      std::this_thread::sleep_for(10ms);
    }
    *failure = s.process->wait(kServeStopLimit).describe();
  }
  return {};
}

TEST(HloadTiming, LatencyShowsTheServersDelay) {
  std::string failure;
  ServeProcess serve = start_serve({"-delay", "20ms"}, &failure);
  ASSERT_NE(serve.process, nullptr) << "hload serve did not start: " << failure;

  const ProcessResult r = hload({"-c", "10", "-n", "300", "-o", "json", url(serve.port)});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json report = parse_json(r.out);
  ASSERT_FALSE(report.is_discarded()) << r.describe();
  EXPECT_EQ(report["summary"]["ok"], 300);
  const json& latency = report["latency"];
  // The delay is a floor; loopback and 10 users on a small server add little to it.
  EXPECT_GE(latency["min_ms"].get<double>(), 20.0) << latency;
  EXPECT_GE(latency["p50_ms"].get<double>(), 20.0) << latency;
  EXPECT_LE(latency["p50_ms"].get<double>(), 30.0) << latency;

  serve.process->signal(SIGINT);
  const ProcessResult s = serve.process->wait(kServeStopLimit);
  EXPECT_EQ(s.exit_code, 0) << s.describe();
  EXPECT_FALSE(s.timed_out) << "hload serve ignored Ctrl-C";
  EXPECT_NE(s.err.find(", 300 requests\n"), std::string::npos) << s.err;
}

TEST(HloadTiming, RateModeKeepsTheRateAndReportsBothLatencies) {
  server::BuiltinServer srv;
  const ProcessResult r =
      hload({"-rate", "400", "-z", "2s", "-c", "20", "-o", "json", url(srv.port())});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json report = parse_json(r.out);
  ASSERT_FALSE(report.is_discarded()) << r.describe();
  const json& s = report["summary"];
  EXPECT_EQ(s["errors"], 0);
  EXPECT_NEAR(s["rps"].get<double>(), 400.0, 400.0 * 0.02) << s;
  EXPECT_TRUE(s.contains("late_starts")) << s;
  EXPECT_EQ(report["config"]["rate"], 400.0);
  ASSERT_TRUE(report.contains("service_time"));
  EXPECT_EQ(report["service_time"]["count"], s["requests"]);
  EXPECT_TRUE(report["service_time"].contains("p99_ms"));
  EXPECT_EQ(report["gated_on"], "response_time");
}

}  // namespace
}  // namespace hload::test::e2e
