#pragma once

// The JSON report read back (reporters/json_report.hpp wrote it): the counters and histograms
// of a RunResult, exactly, so that `hload merge` can add reports up as the engine adds up its
// threads.

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "engine/run_result.hpp"

namespace hload::reporters {

// ReportFormatError is a report that cannot be read back: its message names the field
// ("summary.requests is missing").
struct ReportFormatError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// result_from_json rebuilds what report counted: summary, latency (and service_time), phases,
// status codes, errors by kind with their examples, and every host, with each histogram bucket
// for bucket. Of the config it reads what the numbers depend on: rate (whether latency is
// response time), warmup_s (what measured_s leaves out) and shard; of a merged report's list
// of configs, the rates together and the longest warm-up. The report must be of
// kSchema with histogram_layout(); anything else throws ReportFormatError.
engine::RunResult result_from_json(const nlohmann::ordered_json& report);

}  // namespace hload::reporters
