#pragma once

// The JSON report (`-o json`): docs/architecture.md#json-report. Its field names are a contract
// with CI gates, scripts and users; fields may be added, never renamed.

#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/run_result.hpp"

namespace hload::reporters {

// kSchema names the report's format; a change that is not only new fields needs a new one.
inline constexpr std::string_view kSchema = "hload.report/v1";

// histogram_layout describes the buckets every histogram of the report uses (engine/histogram.hpp):
// reports merge exactly only when theirs are the same.
nlohmann::ordered_json histogram_layout();

// to_json renders r as one "hload.report/v1" object, fields in a fixed order. Durations are in
// milliseconds rounded to 3 places (1 us), seconds to 6, ratios to 6. Options that are off are
// null rather than 0 (config.requests without -n, duration_s without -z, rate, qps_per_user,
// timeout_s), and max_idle_conns_per_host is the effective value. Histograms list their
// non-empty buckets: "index" (the bucket's number in "histogram_layout"), "lower_ms" and
// "bounds_ms" (upper bounds; null for the overflow bucket, which has no upper bound) at full
// precision, with "counts" parallel, and the exact "sum_ms", "min_ms" and "max_ms", so that
// reports from several machines merge exactly (hload merge). "shard" is -shard's
// {"index", "count"}, or null. summary.failed = requests - ok = http_errors + errors
// (transport errors); unfinished requests (in flight at the end) are in neither.
// error_examples holds the first message of each error kind that occurred. Rate mode adds
// summary.late_starts and sent_rps, "service_time" and
// "gated_on". "timeline" is the run interval by interval (timeline_json.hpp). The result never
// contains NaN or infinity.
nlohmann::ordered_json to_json(const engine::RunResult& r);

}  // namespace hload::reporters
