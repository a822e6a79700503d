#pragma once

// A GitHub Actions step summary: Markdown to append to $GITHUB_STEP_SUMMARY, so that a run's
// key figures, its connection pool and its gates show on the workflow's page.

#include <nlohmann/json.hpp>

#include <ostream>

#include "reporters/gate_verdict.hpp"

namespace hload::reporters {

// write_step_summary writes, from the JSON report and the gates' verdict: a heading that counts
// the checks (gates and baseline metrics) that failed, a table of key figures (requests, ok,
// failed, rps, p50, p99), a table of the pool per host (dials, reuse ratio, wait_idle p99,
// wait_permit p99, max open), the gates (✅ or ❌, expression, measured, reason) and, with a
// baseline, its comparison and warnings. `failed` is summary.failed where the report has it, else
// requests - ok. A figure the report lacks shows as "-". Text is escaped so that no expression or
// host name can break a table or turn into markup.
void write_step_summary(std::ostream& out, const nlohmann::ordered_json& report,
                        const GateVerdict& verdict);

}  // namespace hload::reporters
