#include "cmd/gate_flags.hpp"

#include "cmd/app_flags.hpp"
#include "cmd/flag_values.hpp"
#include "cmd/usage_error.hpp"

namespace hload::cli {

void add_gate_flags(CLI::App& app) {
  app.option_defaults()->group("Gates (exit status 1 when one fails)");
  add_value_flag(app, "assert", "EXPR",
                 "a gate on any number of the JSON report: p99<250ms, error_rate<0.1%, rps>=5k, "
                 "hosts.*.dials<=2; repeat for more");
  add_value_flag(app, "min-requests", "N",
                 "fewer finished requests than this fail every gate (no data is not a pass)", "1");
  add_value_flag(app, "baseline", "FILE",
                 "an earlier JSON report to compare p50, p99, rps and "
                 "the error rate with");
  add_value_flag(app, "max-regression", "PCT",
                 "how much worse than the baseline they may get: 10% for all, or "
                 "p99=10%,rps=5%",
                 "10%");
  add_value_flag(app, "junit", "FILE", "write the gates as JUnit XML (one test case each)");
}

GateOptions read_gate_flags(const CLI::App& app) {
  GateOptions g;
  g.asserts = all_values(app, "assert");
  if (const auto* v = last_value(app, "min-requests")) {
    g.min_requests = static_cast<std::uint64_t>(read_count("-min-requests", *v, Zero::allowed));
  }
  if (const auto* v = last_value(app, "baseline")) {
    if (v->empty()) throw UsageError("-baseline wants a report file (got \"\")");
    g.baseline = *v;
  }
  if (const auto* v = last_value(app, "max-regression")) {
    if (!g.baseline) throw UsageError("-max-regression compares with a -baseline: give one");
    g.regression = *v;
  }
  if (const auto* v = last_value(app, "junit")) {
    if (v->empty()) throw UsageError("-junit wants a file name (got \"\")");
    g.junit = *v;
  }
  return g;
}

}  // namespace hload::cli
