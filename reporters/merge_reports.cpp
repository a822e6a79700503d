#include "reporters/merge_reports.hpp"

#include <map>
#include <optional>
#include <utility>

#include "reporters/json_reader.hpp"
#include "reporters/json_report.hpp"

namespace hload::reporters {
namespace {

using nlohmann::ordered_json;

std::string in_quotes(const std::string& name) { return ordered_json(name).dump(); }

// check_shards refuses shards that cannot be parts of one run.
void check_shards(const std::vector<NamedReport>& inputs,
                  const std::vector<engine::RunResult>& results) {
  std::map<int, std::string> seen;  // shard index -> the report that has it
  std::optional<int> count;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& shard = results[i].config.shard;
    if (!shard) continue;
    const std::string& name = inputs[i].name;
    if (count && *count != shard->count) {
      throw MergeError(in_quotes(name) + " is a shard of " + std::to_string(shard->count) +
                       ", the reports before it of " + std::to_string(*count));
    }
    count = shard->count;
    const auto [it, added] = seen.try_emplace(shard->index, name);
    if (!added) {
      throw MergeError(in_quotes(name) + " is shard " + std::to_string(shard->index) + "/" +
                       std::to_string(shard->count) + " again (so is " + in_quotes(it->second) +
                       ")");
    }
  }
}

// with_merged_from returns report with "merged_from" after "shard".
ordered_json with_merged_from(const ordered_json& report, const ordered_json& merged_from) {
  ordered_json out;
  for (const auto& [key, value] : report.items()) {
    out[key] = value;
    if (key == "shard") out["merged_from"] = merged_from;
  }
  return out;
}

}  // namespace

ordered_json merge_reports(const std::vector<NamedReport>& inputs) {
  if (inputs.empty()) throw MergeError("no report to merge");
  std::vector<engine::RunResult> results;
  for (const NamedReport& in : inputs) {
    try {
      results.push_back(result_from_json(in.report));
    } catch (const ReportFormatError& e) {
      throw MergeError(in_quotes(in.name) + ": " + e.what());
    }
  }
  const bool rate_mode = results.front().config.rate > 0;
  for (std::size_t i = 1; i < results.size(); ++i) {
    if ((results[i].config.rate > 0) != rate_mode) {
      throw MergeError(in_quotes(inputs[i].name) + (rate_mode ? " is not" : " is") +
                       " a -rate run and " + in_quotes(inputs.front().name) +
                       (rate_mode ? " is" : " is not") +
                       ": their latencies measure different things");
    }
  }
  check_shards(inputs, results);

  engine::RunResult merged;
  std::map<std::string, int> open_conns;
  const engine::RunResult* longest = &results.front();
  for (const engine::RunResult& r : results) {
    merged.merge(r);
    merged.config.rate += r.config.rate;
    merged.interrupted = merged.interrupted || r.interrupted;
    merged.abandoned = merged.abandoned || r.abandoned;
    for (const auto& [key, h] : r.hosts) open_conns[key] += h.max_open_conns;
    if (r.elapsed_s > longest->elapsed_s) longest = &r;
  }
  for (auto& [key, h] : merged.hosts) h.max_open_conns = open_conns[key];
  merged.elapsed_s = longest->elapsed_s;
  merged.config.warmup = longest->config.warmup;

  ordered_json configs = ordered_json::array();
  ordered_json merged_from = ordered_json::array();
  for (const NamedReport& in : inputs) {
    configs.push_back(in.report.at("config"));
    merged_from.push_back({{"report", in.name}, {"shard", in.report.at("shard")}});
  }
  ordered_json out = to_json(merged);
  out["config"] = std::move(configs);
  out["shard"] = nullptr;
  return with_merged_from(out, merged_from);
}

}  // namespace hload::reporters
