// The per-host cap holds exactly however many threads share the pool: with more threads than
// cores (8 on CI's 2), threads are preempted inside the pool's steps, and still hload dials
// only the connections the cap allows, as the server counts them.

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "cmd/server/builtin_server.hpp"
#include "tests/integration/e2e.hpp"

namespace hload::test::e2e {
namespace {

constexpr std::uint64_t kRequests = 20'000;

class HloadThreadsTest : public ::testing::TestWithParam<const char*> {};

TEST_P(HloadThreadsTest, TwoHundredUsersOnManyThreadsDialExactlyTheCap) {
  server::BuiltinServer srv;
  const ProcessResult r = hload({"-threads", GetParam(), "-c", "200", "-max-conns-per-host", "2",
                                 "-n", std::to_string(kRequests), "-o", "json", url(srv.port())});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json report = parse_json(r.out);
  ASSERT_FALSE(report.is_discarded()) << r.describe();
  EXPECT_EQ(report["config"]["threads"], std::stoi(GetParam()));
  EXPECT_EQ(report["summary"]["ok"], kRequests);

  const json& h = report["hosts"][host_key(srv.port())];
  ASSERT_TRUE(h.is_object()) << report["hosts"];
  EXPECT_EQ(h["dials"], 2);
  EXPECT_EQ(h["max_open_conns"], 2);
  EXPECT_EQ(h["reused"], kRequests - 2);
  EXPECT_EQ(accepted_after_settling(srv), 2u) << "the server accepted what hload dialed";
  EXPECT_EQ(srv.counters().max_open, 2) << "never more than the cap open at once";
  EXPECT_EQ(srv.counters().responses, kRequests);
}

INSTANTIATE_TEST_SUITE_P(Threads, HloadThreadsTest, ::testing::Values("2", "8"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           return std::string("Threads") + p.param;
                         });

}  // namespace
}  // namespace hload::test::e2e
