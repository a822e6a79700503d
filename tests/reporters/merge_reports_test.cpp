#include "reporters/merge_reports.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "reporters/json_reader.hpp"
#include "reporters/json_report.hpp"
#include "tests/reporters/sample_result.hpp"

namespace hload::reporters {
namespace {

using nlohmann::ordered_json;
using testing::kHost;
using testing::rate_mode_result;
using testing::sample_result;

constexpr const char* kOtherHost = "http://127.0.0.1:18081";

// Shards is three runs with known, different latency samples, and a run that recorded every
// sample of the three: what merging the three must come to.
struct Shards {
  std::vector<engine::RunResult> parts;
  engine::RunResult whole;
};

engine::RunResult part(int index) {
  engine::RunResult r;
  r.config.url = std::string(kHost) + "/";
  r.config.concurrency = 10 + index;
  r.config.requests = 1000;
  r.config.shard = engine::Shard{index, 3};
  r.elapsed_s = 1.0 + index;
  return r;
}

Shards three_shards() {
  Shards s;
  std::mt19937 rng(20261202);
  // Each shard its own spread, so that the merged percentiles differ from every shard's.
  const std::vector<std::lognormal_distribution<double>> spreads = {
      std::lognormal_distribution<double>(0.0, 0.5), std::lognormal_distribution<double>(2.0, 1.0),
      std::lognormal_distribution<double>(4.0, 0.2)};
  for (int i = 0; i < 3; ++i) {
    engine::RunResult r = part(i);
    auto spread = spreads[static_cast<std::size_t>(i)];
    for (int n = 0; n < 1000 * (i + 1); ++n) {
      const double ms = spread(rng);
      r.latency.record_ms(ms);
      s.whole.latency.record_ms(ms);
      r.phases.first_byte.record_ms(ms / 2);
      s.whole.phases.first_byte.record_ms(ms / 2);
    }
    r.requests = r.ok = r.latency.count();
    r.status_codes[200] = r.requests;
    engine::HostResult& h = r.hosts[kHost];
    h.requests = r.requests;
    h.dials = 2 + i;
    h.max_open_conns = 2;
    h.wait_idle.record_ms(1.0 + i);
    s.whole.hosts[kHost].wait_idle.record_ms(1.0 + i);
    s.parts.push_back(r);
  }
  // The second shard also saw errors, and another host.
  engine::RunResult& second = s.parts[1];
  second.errors = 5;
  second.requests += 5;
  second.errors_by_kind["connect_refused"] = 5;
  second.error_examples["connect_refused"] = "dial 127.0.0.1:18081: connection refused";
  second.status_codes[503] = 7;
  second.hosts[kOtherHost].dials = 5;
  second.hosts[kOtherHost].dial_errors = 5;
  s.parts[2].errors_by_kind["connect_refused"] = 1;
  s.parts[2].error_examples["connect_refused"] = "a later message";
  s.parts[2].errors = 1;
  s.parts[2].requests += 1;
  return s;
}

std::vector<NamedReport> named(const std::vector<engine::RunResult>& results) {
  std::vector<NamedReport> out;
  for (std::size_t i = 0; i < results.size(); ++i) {
    out.push_back({"shard-" + std::to_string(i) + ".json", to_json(results[i])});
  }
  return out;
}

// expect_refused checks that merging in throws a MergeError whose message has text.
void expect_refused(const std::vector<NamedReport>& in, const std::string& text) {
  try {
    merge_reports(in);
    ADD_FAILURE() << "merged, but should be refused for " << text;
  } catch (const MergeError& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

TEST(MergeReportsTest, PercentilesComeFromTheMergedBuckets) {
  const Shards s = three_shards();
  const ordered_json merged = merge_reports(named(s.parts));
  const ordered_json whole = to_json(s.whole);
  EXPECT_EQ(merged["latency"]["count"], 6000);
  for (const char* p : {"p50_ms", "p90_ms", "p95_ms", "p99_ms", "p999_ms", "min_ms", "max_ms"}) {
    EXPECT_EQ(merged["latency"][p], whole["latency"][p]) << p;
  }
  EXPECT_EQ(merged["latency"]["histogram"]["index"], whole["latency"]["histogram"]["index"]);
  EXPECT_EQ(merged["latency"]["histogram"]["counts"], whole["latency"]["histogram"]["counts"]);
  EXPECT_NEAR(merged["latency"]["mean_ms"].get<double>(), whole["latency"]["mean_ms"].get<double>(),
              0.0011);
  EXPECT_EQ(merged["phases"]["first_byte"]["p99_ms"], whole["phases"]["first_byte"]["p99_ms"]);
  EXPECT_EQ(merged["hosts"][kHost]["wait_idle"]["p99_ms"],
            whole["hosts"][kHost]["wait_idle"]["p99_ms"]);
  // Not an average of the shards' p99s: the third shard's alone is far above the first's.
  double mean_of_p99s = 0;
  for (const auto& r : s.parts) mean_of_p99s += to_json(r)["latency"]["p99_ms"].get<double>() / 3;
  EXPECT_NE(merged["latency"]["p99_ms"].get<double>(), mean_of_p99s);
}

TEST(MergeReportsTest, CountersStatusCodesAndErrorsAreSummed) {
  const Shards s = three_shards();
  const ordered_json m = merge_reports(named(s.parts));
  EXPECT_EQ(m["summary"]["requests"], 6006);
  EXPECT_EQ(m["summary"]["ok"], 6000);
  EXPECT_EQ(m["summary"]["errors"], 6);
  EXPECT_EQ(m["status_codes"]["200"], 6000);
  EXPECT_EQ(m["status_codes"]["503"], 7);
  EXPECT_EQ(m["errors_by_kind"]["connect_refused"], 6);
  EXPECT_EQ(m["error_examples"]["connect_refused"], "dial 127.0.0.1:18081: connection refused")
      << "the first example is kept";
  // elapsed is the longest shard's (they ran at once), so rps is the shards' rates together.
  EXPECT_DOUBLE_EQ(m["summary"]["elapsed_s"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(m["summary"]["rps"].get<double>(), 6006.0 / 3.0);
}

TEST(MergeReportsTest, HostsAreMergedByKey) {
  const Shards s = three_shards();
  const ordered_json m = merge_reports(named(s.parts));
  ASSERT_EQ(m["hosts"].size(), 2u);
  EXPECT_EQ(m["hosts"][kHost]["requests"], 6000);
  EXPECT_EQ(m["hosts"][kHost]["dials"], 2 + 3 + 4);
  EXPECT_EQ(m["hosts"][kHost]["max_open_conns"], 6) << "the shards' connections were open at once";
  EXPECT_EQ(m["hosts"][kHost]["wait_idle"]["count"], 3);
  EXPECT_EQ(m["hosts"][kOtherHost]["dials"], 5);
  EXPECT_EQ(m["hosts"][kOtherHost]["dial_errors"], 5);
}

TEST(MergeReportsTest, ConfigIsKeptPerInputAndShardsListed) {
  const Shards s = three_shards();
  const ordered_json m = merge_reports(named(s.parts));
  ASSERT_TRUE(m["config"].is_array());
  ASSERT_EQ(m["config"].size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(m["config"][i]["concurrency"], 10 + i);
  EXPECT_TRUE(m["shard"].is_null());
  ASSERT_EQ(m["merged_from"].size(), 3u);
  EXPECT_EQ(m["merged_from"][1]["report"], "shard-1.json");
  EXPECT_EQ(m["merged_from"][1]["shard"], (ordered_json{{"index", 1}, {"count", 3}}));
  EXPECT_EQ(m["schema"], "hload.report/v1");
}

TEST(MergeReportsTest, GatesOfTheInputsAreDropped) {
  std::vector<NamedReport> in = named(three_shards().parts);
  in[0].report["gates"] = {{"passed", false}};
  EXPECT_FALSE(merge_reports(in).contains("gates"));
}

TEST(MergeReportsTest, AMergedReportMergesAgainAsItsRuns) {
  const Shards s = three_shards();
  std::vector<NamedReport> in = named(s.parts);
  const ordered_json all = merge_reports(in);
  const ordered_json again = merge_reports({{"ab.json", merge_reports({in[0], in[1]})}, in[2]});
  for (const char* field : {"summary", "latency", "phases", "status_codes", "errors_by_kind",
                            "error_examples", "hosts", "config", "merged_from"}) {
    EXPECT_EQ(again[field], all[field]) << field;
  }
  // The runs of a merged input count as the inputs': shard 1 twice is refused.
  expect_refused({{"ab.json", merge_reports({in[0], in[1]})}, in[1]},
                 R"("shard-1.json" is shard 1/3 again (so is "shard-1.json"))");
}

TEST(MergeReportsTest, ReadingBackGivesTheSameReport) {
  engine::RunResult r = testing::two_host_result();
  r.hosts[kHost].tls_handshake.record_ms(3.5);
  r.hosts[kHost].http2_conns = 2;
  r.hosts[kHost].streams_started = 10;
  r.hosts[kHost].streams_in_flight_sum = 25;
  r.unfinished = 3;
  r.unfinished_oldest_ms = 12.5;
  ordered_json written = to_json(r);
  ordered_json again = to_json(result_from_json(written));
  written.erase("config");
  again.erase("config");
  EXPECT_EQ(again, written);
  ordered_json rate = to_json(rate_mode_result());
  ordered_json rate_again = to_json(result_from_json(rate));
  EXPECT_EQ(rate_again["service_time"], rate["service_time"]);
  EXPECT_EQ(rate_again["summary"]["late_starts"], 17);
}

TEST(MergeReportsTest, RefusesAnotherSchema) {
  std::vector<NamedReport> in = named(three_shards().parts);
  in[2].report["schema"] = "hload.report/v2";
  expect_refused(in, R"("shard-2.json": report is of schema "hload.report/v2")");
}

TEST(MergeReportsTest, RefusesAnotherHistogramLayout) {
  std::vector<NamedReport> in = named(three_shards().parts);
  in[1].report["histogram_layout"]["buckets"] = 700;
  expect_refused(in, "\"shard-1.json\": report's histogram_layout");
  in[1].report.erase("histogram_layout");
  expect_refused(in, "\"shard-1.json\": report has no histogram_layout");
}

TEST(MergeReportsTest, RefusesABucketOutsideTheLayout) {
  std::vector<NamedReport> in = named(three_shards().parts);
  in[0].report["latency"]["histogram"]["index"][0] = engine::Histogram::kSlots;
  expect_refused(in, "report.latency.histogram has a bucket index");
}

TEST(MergeReportsTest, RefusesRateRunsMixedWithOthers) {
  std::vector<NamedReport> in = named(three_shards().parts);
  in.push_back({"rate.json", to_json(rate_mode_result())});
  expect_refused(in, "\"rate.json\" is a -rate run");
}

TEST(MergeReportsTest, RefusesTheSameShardTwiceAndMixedCounts) {
  std::vector<NamedReport> in = named(three_shards().parts);
  in.push_back(in[1]);
  in.back().name = "copy.json";
  expect_refused(in, R"("copy.json" is shard 1/3 again (so is "shard-1.json"))");
  in.back().report["shard"] = {{"index", 0}, {"count", 4}};
  expect_refused(in, "\"copy.json\" is a shard of 4, the reports before it of 3");
}

TEST(MergeReportsTest, OneReportMergesToItself) {
  const engine::RunResult r = sample_result();
  ordered_json m = merge_reports({{"one.json", to_json(r)}});
  ordered_json j = to_json(r);
  EXPECT_EQ(m["latency"], j["latency"]);
  EXPECT_EQ(m["hosts"], j["hosts"]);
  EXPECT_EQ(m["summary"], j["summary"]);
}

}  // namespace
}  // namespace hload::reporters
