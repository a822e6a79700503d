#pragma once

// The histogram report (`-o histogram`): the latency distribution and each host's pool waits as
// text bar charts, for reading shapes (bimodal waits, long tails) that percentiles hide.

#include <ostream>
#include <string>

#include "engine/histogram.hpp"
#include "engine/run_result.hpp"

namespace hload::reporters {

// write_histogram_chart writes h under `title`: its log buckets from the lowest to the highest
// non-empty one merged into at most `max_rows` rows of equal log width, each
// "  <lower>-<upper> ms  <count>  <bars>", empty rows included so that gaps show. Values below
// the first bucket and above the last get a row of their own. An empty h gets a one-line note.
void write_histogram_chart(std::ostream& out, const std::string& title, const engine::Histogram& h,
                           int max_rows = 20);

// write_histograms writes the charts of a run: latency (response time in rate mode, then service
// time), then wait for idle and wait for permit of each host.
void write_histograms(std::ostream& out, const engine::RunResult& r);

}  // namespace hload::reporters
