#include "reporters/merge_reports.hpp"

#include <map>
#include <optional>
#include <utility>

#include "reporters/json_reader.hpp"
#include "reporters/json_report.hpp"
#include "reporters/merge_timelines.hpp"

namespace hload::reporters {
namespace {

using nlohmann::ordered_json;

std::string in_quotes(const std::string& name) { return ordered_json(name).dump(); }

// Part is one run's report among those merged: an input, or one of a merged input's.
struct Part {
  std::string name;
  ordered_json shard;  // {"index", "count"} or null
};

// parts_of lists the runs in: itself, or for a merged report those it was merged from.
std::vector<Part> parts_of(const NamedReport& in) {
  const auto from = in.report.find("merged_from");
  if (from == in.report.end()) return {{in.name, in.report.at("shard")}};
  if (!from->is_array()) throw MergeError(in_quotes(in.name) + ": merged_from is not a list");
  std::vector<Part> out;
  for (const ordered_json& p : *from) {
    if (!p.is_object() || !p.contains("report") || !p.at("report").is_string() ||
        !p.contains("shard")) {
      throw MergeError(in_quotes(in.name) + ": merged_from holds " + p.dump() +
                       R"(, not {"report", "shard"})");
    }
    out.push_back({p.at("report").get<std::string>(), p.at("shard")});
  }
  return out;
}

// check_shards refuses shards that cannot be parts of one run.
void check_shards(const std::vector<Part>& parts) {
  std::map<int, std::string> seen;  // shard index -> the report that has it
  std::optional<int> count;
  for (const Part& part : parts) {
    if (part.shard.is_null()) continue;
    if (!part.shard.is_object() || !part.shard.value("index", ordered_json()).is_number_integer() ||
        !part.shard.value("count", ordered_json()).is_number_integer()) {
      throw MergeError(in_quotes(part.name) + " has the shard " + part.shard.dump() +
                       R"(, not {"index", "count"})");
    }
    const engine::Shard shard{part.shard.at("index").get<int>(), part.shard.at("count").get<int>()};
    const std::string& name = part.name;
    if (count && *count != shard.count) {
      throw MergeError(in_quotes(name) + " is a shard of " + std::to_string(shard.count) +
                       ", the reports before it of " + std::to_string(*count));
    }
    count = shard.count;
    const auto [it, added] = seen.try_emplace(shard.index, name);
    if (!added) {
      throw MergeError(in_quotes(name) + " is shard " + std::to_string(shard.index) + "/" +
                       std::to_string(shard.count) + " again (so is " + in_quotes(it->second) +
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
  std::vector<Part> parts;
  for (const NamedReport& in : inputs) {
    for (Part& p : parts_of(in)) parts.push_back(std::move(p));
  }
  check_shards(parts);

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

  // A merged input contributes the configs and the parts it was merged from, so that a merge
  // of merges lists the runs themselves.
  ordered_json configs = ordered_json::array();
  for (const NamedReport& in : inputs) {
    const ordered_json& c = in.report.at("config");
    if (c.is_array()) {
      configs.insert(configs.end(), c.begin(), c.end());
    } else {
      configs.push_back(c);
    }
  }
  ordered_json merged_from = ordered_json::array();
  for (const Part& p : parts) merged_from.push_back({{"report", p.name}, {"shard", p.shard}});
  ordered_json out = to_json(merged);
  out["config"] = std::move(configs);
  out["shard"] = nullptr;
  out["timeline"] = merge_timelines(inputs);
  return with_merged_from(out, merged_from);
}

}  // namespace hload::reporters
