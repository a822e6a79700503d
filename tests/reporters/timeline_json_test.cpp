#include "reporters/timeline_json.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

namespace hload::reporters {
namespace {

using namespace std::chrono_literals;
using nlohmann::ordered_json;

std::vector<std::string> keys(const ordered_json& j) {
  std::vector<std::string> out;
  for (const auto& [key, value] : j.items()) out.push_back(key);
  return out;
}

engine::TimelineInterval interval(std::uint64_t ok, std::uint64_t refused, double latency_ms) {
  engine::TimelineInterval in;
  in.requests = ok + refused;
  in.ok = ok;
  in.errors[static_cast<int>(engine::ErrorKind::connect_refused)] = refused;
  engine::Histogram h;
  for (std::uint64_t i = 0; i < in.requests; ++i) h.record_ms(latency_ms);
  in.latency = engine::SparseHistogram(h);
  in.bytes_in = 100 * ok;
  in.hosts.resize(1);
  in.hosts[0].open = 2;
  in.hosts[0].dials = refused + 1;
  in.hosts[0].closes[static_cast<int>(pool::CloseReason::server_close)] = 1;
  engine::Histogram w;
  w.record_ms(3.0);
  in.hosts[0].wait_idle = engine::SparseHistogram(w);
  return in;
}

// A run of 2.5 s in 1 s intervals, 300 ms of it warm-up.
engine::Timeline sample_timeline() {
  engine::Timeline t(1s, 1'700'000'000'000);
  t.append(interval(10, 0, 5.0));
  t.append(interval(20, 3, 7.0));
  t.append(engine::TimelineInterval{});  // nothing finished
  t.host_keys = {"http://127.0.0.1:8080"};
  t.elapsed = 2500ms;
  return t;
}

TEST(TimelineJson, SaysItsIntervalsAndWhereEachStarts) {
  engine::RunConfig cfg;
  cfg.warmup = 300ms;
  const ordered_json j = timeline_json(sample_timeline(), cfg);
  EXPECT_EQ(keys(j), (std::vector<std::string>{"interval_ms", "base_interval_ms", "start_unix_ms",
                                               "elapsed_ms", "warmup_ms", "intervals"}));
  EXPECT_EQ(j["interval_ms"], 1000);
  EXPECT_EQ(j["base_interval_ms"], 1000);
  EXPECT_EQ(j["warmup_ms"], 300);
  ASSERT_EQ(j["intervals"].size(), 3u);
  EXPECT_EQ(j["intervals"][0]["start_unix_ms"], 1'700'000'000'000);
  EXPECT_EQ(j["intervals"][2]["start_unix_ms"], 1'700'000'002'000);
  EXPECT_EQ(j["intervals"][1]["duration_ms"], 1000.0);
  EXPECT_EQ(j["intervals"][2]["duration_ms"], 500.0);  // the run ended half way through it
}

TEST(TimelineJson, AnIntervalsCountsLatenciesAndHosts) {
  const ordered_json j = timeline_json(sample_timeline(), engine::RunConfig{});
  const ordered_json& in = j["intervals"][1];
  EXPECT_EQ(keys(in), (std::vector<std::string>{"start_unix_ms", "duration_ms", "requests", "ok",
                                                "failed", "http_errors", "errors_by_kind",
                                                "latency", "bytes_in", "hosts"}));
  EXPECT_EQ(in["requests"], 23);
  EXPECT_EQ(in["ok"], 20);
  EXPECT_EQ(in["failed"], 3);
  EXPECT_EQ(in["http_errors"], 0);
  // Only the kinds that occurred.
  EXPECT_EQ(in["errors_by_kind"], (ordered_json{{"connect_refused", 3}}));
  EXPECT_EQ(in["bytes_in"], 2000);
  const ordered_json& lat = in["latency"];
  EXPECT_EQ(keys(lat),
            (std::vector<std::string>{"p50_ms", "p90_ms", "p99_ms", "max_ms", "histogram"}));
  EXPECT_EQ(lat["max_ms"], 7.0);
  EXPECT_NEAR(lat["p99_ms"].get<double>(), 7.0, 0.07);
  ASSERT_EQ(lat["histogram"]["counts"].size(), 1u);
  EXPECT_EQ(lat["histogram"]["counts"][0], 23);
  EXPECT_LE(lat["histogram"]["lower_ms"][0].get<double>(), 7.0);
  EXPECT_GT(lat["histogram"]["bounds_ms"][0].get<double>(), 7.0);
  const ordered_json& h = in["hosts"]["http://127.0.0.1:8080"];
  EXPECT_EQ(keys(h), (std::vector<std::string>{"open", "dials", "closes", "waiters",
                                               "permit_waiters", "wait_idle_p99_ms",
                                               "wait_permit_p99_ms", "queued_at_limit_p99_ms"}));
  EXPECT_EQ(h["open"], 2);
  EXPECT_EQ(h["dials"], 4);
  EXPECT_EQ(h["closes"], (ordered_json{{"server_close", 1}}));
  EXPECT_NEAR(h["wait_idle_p99_ms"].get<double>(), 3.0, 0.03);
  EXPECT_TRUE(h["wait_permit_p99_ms"].is_null());
}

TEST(TimelineJson, AnIntervalsHistogramHasCoarseBucketsThatAddUp) {
  // 1,000 latencies from 1 ms to 10 ms: about 150 of the report's buckets, 10 coarse ones.
  engine::Timeline t(1s, 0);
  engine::TimelineInterval in;
  engine::Histogram h;
  for (int i = 0; i < 1000; ++i) h.record_ms(1.0 + 9.0 * i / 1000.0);
  in.requests = in.ok = 1000;
  in.latency = engine::SparseHistogram(h);
  t.append(std::move(in));
  t.elapsed = 1s;
  const ordered_json j = timeline_json(t, engine::RunConfig{});
  const ordered_json& lat = j["intervals"][0]["latency"];
  const ordered_json& hist = lat["histogram"];
  ASSERT_GT(h.buckets().size(), 100u);
  EXPECT_GE(hist["counts"].size(), 10u);
  EXPECT_LE(hist["counts"].size(), 12u);
  std::set<double> fine_edges;
  for (int k = 0; k < engine::Histogram::kSlots; ++k) {
    fine_edges.insert(engine::Histogram::lower_edge_ms(k));
  }
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < hist["counts"].size(); ++i) {
    sum += hist["counts"][i].get<std::uint64_t>();
    EXPECT_LT(hist["lower_ms"][i].get<double>(), hist["bounds_ms"][i].get<double>());
    // Every coarse edge is an edge of the report's buckets, so the two merge exactly.
    const double lower = hist["lower_ms"][i].get<double>();
    EXPECT_EQ(fine_edges.count(lower), 1u) << lower;
    EXPECT_EQ(fine_edges.count(hist["bounds_ms"][i].get<double>()), 1u);
    if (i > 0) {
      EXPECT_LE(hist["bounds_ms"][i - 1].get<double>(), lower);
    }
  }
  EXPECT_EQ(sum, 1000u);
  // The percentiles come from the fine buckets: within 1.5% of the truth.
  EXPECT_NEAR(lat["p50_ms"].get<double>(), 5.5, 5.5 * 0.015);
  EXPECT_NEAR(lat["p90_ms"].get<double>(), 9.1, 9.1 * 0.015);
}

TEST(TimelineJson, AnEmptyIntervalHasNoPercentiles) {
  const ordered_json j = timeline_json(sample_timeline(), engine::RunConfig{});
  const ordered_json& lat = j["intervals"][2]["latency"];
  EXPECT_TRUE(lat["p50_ms"].is_null());
  EXPECT_TRUE(lat["max_ms"].is_null());
  EXPECT_TRUE(lat["histogram"]["counts"].empty());
}

TEST(TimelineJson, MergedIntervalsSayTheirWidth) {
  engine::Timeline t(250ms, 0, 2);
  for (int i = 0; i < 3; ++i) t.append(interval(1, 0, 1.0));
  t.elapsed = 750ms;
  const ordered_json j = timeline_json(t, engine::RunConfig{});
  EXPECT_EQ(j["interval_ms"], 500);
  EXPECT_EQ(j["base_interval_ms"], 250);
  ASSERT_EQ(j["intervals"].size(), 2u);
  EXPECT_EQ(j["intervals"][1]["start_unix_ms"], 500);
  EXPECT_EQ(j["intervals"][1]["duration_ms"], 250.0);
  EXPECT_EQ(j["intervals"][0]["requests"], 2);
}

}  // namespace
}  // namespace hload::reporters
