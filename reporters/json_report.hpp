#pragma once

// The JSON report (`-o json`): docs/architecture.md#json-report. Its field names are a contract
// with CI gates, scripts and users; fields may be added, never renamed.

#include <nlohmann/json.hpp>

#include "engine/run_result.hpp"

namespace hload::reporters {

// to_json renders r as one "hload.report/v1" object, fields in a fixed order. Durations are in
// milliseconds rounded to 3 places (1 us), seconds to 6, ratios to 6. Options that are off are
// null rather than 0 (config.requests without -n, duration_s without -z, rate, qps_per_user,
// timeout_s), and max_idle_conns_per_host is the effective value. Histograms list their
// non-empty buckets: "lower_ms" and "bounds_ms" (upper bounds; null for the overflow bucket,
// which has no upper bound) at full precision, with "counts" parallel, so that reports from
// several machines merge exactly. summary.failed = requests - ok = http_errors + errors
// (transport errors); unfinished requests (in flight at the end) are in neither.
// error_examples holds the first message of each error kind that occurred. Rate mode adds
// summary.late_starts and sent_rps, "service_time" and
// "gated_on". "timeline" is the run interval by interval (timeline_json.hpp). The result never
// contains NaN or infinity.
nlohmann::ordered_json to_json(const engine::RunResult& r);

}  // namespace hload::reporters
