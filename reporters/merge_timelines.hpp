#pragma once

// The timelines of several reports laid over one wall clock, for `hload merge`: the shards of a
// run started at slightly different moments on different machines become one timeline whose
// intervals add up what every shard did in the same stretch of wall-clock time.

#include <vector>

#include <nlohmann/json.hpp>

#include "reporters/merge_reports.hpp"

namespace hload::reporters {

// merge_timelines returns the inputs' "timeline"s merged, or null when none has one. The merged
// intervals are as wide as the widest input's (every input's width must divide it, as widths
// that coarsening doubled do; otherwise MergeError), and start at the earliest input's start;
// an input's interval counts in the merged interval its start falls in. Counts (requests, ok,
// failed, errors by kind, bytes, and per host dials and closes) are summed; latency histograms
// are merged bucket by bucket and their percentiles read from the merged buckets (each about
// 27% wide), the max is the largest. Per host, the samples taken at an interval's end (open
// connections, waiters) are summed over the inputs, each input giving its last in the merged
// interval; the wait p99s, which the inputs carry without their histograms, are the largest
// input's, an upper bound of the merged p99.
nlohmann::ordered_json merge_timelines(const std::vector<NamedReport>& inputs);

}  // namespace hload::reporters
