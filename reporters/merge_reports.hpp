#pragma once

// `hload merge`: the JSON reports of several runs, typically the shards of one (-shard I/N) run
// on many machines at once, added up into one report of the same schema, as the engine adds up
// its threads (docs/architecture.md#merge).

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hload::reporters {

// NamedReport is a report to merge and the name (its file) that messages give it.
struct NamedReport {
  std::string name;
  nlohmann::ordered_json report;
};

// MergeError is a set of reports that cannot be added up; its message is one line naming the
// report at fault.
struct MergeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// merge_reports adds inputs (at least one) up: counters summed, histograms merged bucket by
// bucket and their percentiles read from the merged buckets, hosts merged by key (their
// max_open_conns summed, since the runs had their connections open at once), status codes and
// errors by kind summed with the first example of each kind kept. elapsed_s and measured_s are
// those of the longest input, so rps is the inputs' rate together. "config" becomes the list of
// the inputs' configs, "shard" null, and "merged_from" lists each input's name and shard; the
// timelines are laid over one wall clock (reporters/merge_timelines.hpp). Gates
// the inputs carried are dropped: `hload check` judges the merged report. Throws MergeError for
// a report of another schema or histogram layout, one that cannot be read back, rate-mode
// reports mixed with others (their latencies measure different things), and shards that
// cannot be of one run (the same shard twice, or different counts). A merged report may be
// an input: its configs and the runs it was merged from count as the inputs'.
nlohmann::ordered_json merge_reports(const std::vector<NamedReport>& inputs);

}  // namespace hload::reporters
