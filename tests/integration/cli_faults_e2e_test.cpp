// Faults during a run are results, not failures of hload: the run finishes (exit status 0), the
// report is written, and every failed request is counted under the kind of its failure.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cmd/server/builtin_server.hpp"
#include "tests/integration/e2e.hpp"
#include "tests/support/free_port.hpp"

namespace hload::test::e2e {
namespace {

constexpr int kRequests = 20;

// expect_every_request_fails_as runs kRequests requests at target (with extra flags) and checks
// that each one failed with `kind`.
void expect_every_request_fails_as(const std::string& target, const std::string& kind,
                                   const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"-c", "4", "-n", std::to_string(kRequests), "-o", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(target);
  const ProcessResult r = hload(args);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_FALSE(shows_a_crash(r.err)) << r.err;
  const json report = parse_json(r.out);
  ASSERT_FALSE(report.is_discarded()) << r.describe();
  const json& s = report["summary"];
  EXPECT_EQ(s["requests"], kRequests) << s;
  EXPECT_EQ(s["errors"], kRequests) << s;
  EXPECT_EQ(s["ok"], 0) << s;
  EXPECT_EQ(report["errors_by_kind"][kind], kRequests) << report["errors_by_kind"];
}

TEST(HloadFaults, UnresolvableHostIsADnsError) {
  expect_every_request_fails_as("http://no-such-host.invalid/", "dns");
}

TEST(HloadFaults, PortWithoutListenerIsARefusedConnection) {
  expect_every_request_fails_as(url(free_loopback_port()), "connect_refused");
}

struct ServerFaultCase {
  const char* name;
  server::Fault fault;
  const char* kind;
  std::vector<std::string> extra;
};

class ServerFaultTest : public ::testing::TestWithParam<ServerFaultCase> {};

TEST_P(ServerFaultTest, EveryRequestIsCountedUnderItsKind) {
  server::ServerOptions o;
  o.fault = GetParam().fault;
  o.body_size = 4096;  // a body long enough to be cut in the middle
  server::BuiltinServer srv(o);
  expect_every_request_fails_as(url(srv.port()), GetParam().kind, GetParam().extra);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, ServerFaultTest,
    ::testing::Values(ServerFaultCase{"Stall", server::Fault::stall, "timeout", {"-t", "0.3"}},
                      ServerFaultCase{
                          "CloseMidBody", server::Fault::close_mid_body, "conn_closed", {}},
                      ServerFaultCase{"Malformed", server::Fault::malformed, "protocol", {}},
                      ServerFaultCase{"Reset", server::Fault::reset, "conn_reset", {}}),
    [](const ::testing::TestParamInfo<ServerFaultCase>& p) { return p.param.name; });

}  // namespace
}  // namespace hload::test::e2e
