#pragma once

// The timeline of the JSON report: the run interval by interval, under "timeline".

#include <nlohmann/json.hpp>

#include "engine/run_config.hpp"
#include "engine/timeline.hpp"

namespace hload::reporters {

// timeline_json renders t as {"interval_ms", "base_interval_ms", "start_unix_ms",
// "elapsed_ms", "warmup_ms", "intervals": [...]}. interval_ms is the width of each interval:
// base_interval_ms (-timeline-interval) times a power of two once a long run had its
// neighbouring intervals merged. Interval i starts at start_unix_ms + i * interval_ms (UTC, ms
// since the epoch) and lasts "duration_ms": interval_ms, except the last, which ends with the
// run. Each has "requests", "ok", "failed" (= "http_errors" + the errors of "errors_by_kind",
// which lists only the kinds that occurred), "latency" ({"p50_ms", "p90_ms", "p99_ms",
// "max_ms", "histogram"}: the percentiles from the fine buckets, null when no request finished;
// the histogram in coarse buckets of 16 fine ones, about 27% wide, shaped as the report's
// other histograms), "bytes_in", and per
// host "open", "waiters" and "permit_waiters" (those of the waiters the limit holds back) at
// the interval's end, "dials", "closes" by reason (those that
// occurred) and the p99 of its three waits (null without a wait). Requests that finished in
// the warm-up (warmup_ms from the start) are in no interval, as in no other figure.
nlohmann::ordered_json timeline_json(const engine::Timeline& t, const engine::RunConfig& config);

}  // namespace hload::reporters
