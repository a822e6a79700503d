// Memory stays flat: hload keeps no per-request state, so the peak resident set of a
// 1,000,000-request run is within 10% of a 50,000-request run's, and its timeline is bounded,
// so a 30 s run at a fixed rate needs no more than a 5 s one (the bound itself, over simulated
// days of intervals, is tested in timeline_test). Runs the built binary against
// the built-in server and reads the child's peak RSS from the kernel (wait4).

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cmd/server/builtin_server.hpp"

extern char** environ;

namespace hload::test {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// peak_rss_kb runs hload with args (output discarded) and returns its peak RSS in KiB.
long peak_rss_kb(const std::vector<std::string>& args) {
  std::vector<std::string> argv_s = {HLOAD_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return -1;
  }
  return ru.ru_maxrss;
}

TEST(MemoryFlat, MillionRequestsUseNoMoreMemoryThanFiftyThousand) {
  if (kSanitized) GTEST_SKIP() << "sanitizers change memory use; measured in the normal build";
  server::ServerOptions o;
  o.threads = 1;
  server::BuiltinServer srv(o);
  const std::string url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/";
  const auto rss = [&](const char* n) {
    return peak_rss_kb({"-c", "50", "-n", n, "-no-progress", "-o", "json", url});
  };
  const long small = rss("50000");
  const long large = rss("1000000");
  ASSERT_GT(small, 0) << "the 50,000-request run failed";
  ASSERT_GT(large, 0) << "the 1,000,000-request run failed";
  std::printf("peak RSS: 50,000 requests %ld KiB, 1,000,000 requests %ld KiB\n", small, large);
  EXPECT_LT(std::abs(large - small), small / 10) << "memory grew with the number of requests";
  EXPECT_EQ(srv.counters().requests, 1'050'000u);
}

// Ten thousand users waiting for two connections: a waiting request is an entry of the pool's
// queues, not a chain of coroutine frames (docs/performance.md#memory). The whole process stays
// under 24 MiB, and each waiting user adds well under 1.5 KB to a run of ten users.
TEST(MemoryFlat, TenThousandUsersWaitingForTwoConnectionsFitInTwentyFourMiB) {
  if (kSanitized) GTEST_SKIP() << "sanitizers change memory use; measured in the normal build";
  server::ServerOptions o;
  o.threads = 1;
  server::BuiltinServer srv(o);
  const std::string url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/";
  const auto rss = [&](const char* users) {
    return peak_rss_kb({"-c", users, "-max-conns-per-host", "2", "-n", "50000", "-no-progress",
                        "-o", "json", url});
  };
  const long few = rss("10");
  const long many = rss("10000");
  ASSERT_GT(few, 0) << "the 10-user run failed";
  ASSERT_GT(many, 0) << "the 10,000-user run failed";
  std::printf("peak RSS: 10 users %ld KiB, 10,000 users %ld KiB (%.0f bytes a user)\n", few, many,
              static_cast<double>(many - few) * 1024 / 9990);
  EXPECT_LT(many, 24 * 1024) << "over 24 MiB";
  EXPECT_LT((many - few) * 1024, 9990L * 1500) << "a waiting user costs 1.5 KB or more";
  EXPECT_EQ(srv.counters().requests, 100'000u);
  EXPECT_EQ(srv.counters().accepted, 4u) << "two connections a run";
}

// Thirty seconds at 2,000 requests/s, every second of it in the timeline (and in the HTML page
// drawn from it), against five seconds at the same rate: short enough for every test run.
TEST(MemoryFlat, ThirtySecondsOfTimelineUseNoMoreMemoryThanFive) {
  if (kSanitized) GTEST_SKIP() << "sanitizers change memory use; measured in the normal build";
  server::ServerOptions o;
  o.threads = 1;
  server::BuiltinServer srv(o);
  const std::string url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/";
  const auto rss = [&](const char* duration) {
    return peak_rss_kb({"-z", duration, "-rate", "2000", "-c", "50", "-no-progress", "-o", "html",
                        "-output", "/dev/null", url});
  };
  const long short_run = rss("5s");
  const long long_run = rss("30s");
  ASSERT_GT(short_run, 0) << "the 5 s run failed";
  ASSERT_GT(long_run, 0) << "the 30 s run failed";
  std::printf("peak RSS: 5 s %ld KiB, 30 s %ld KiB\n", short_run, long_run);
  EXPECT_LT(std::abs(long_run - short_run), short_run / 10) << "memory grew with the run's length";
  // Both ran at the rate asked for: 70,000 requests in all, give or take what was in flight.
  EXPECT_GT(srv.counters().requests, 68'000u);
}

}  // namespace
}  // namespace hload::test
