// merge_timelines: shards' timelines laid over one wall clock, counts summed, latency buckets
// merged and read anew, end-of-interval samples summed over the shards.

#include "reporters/merge_timelines.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hload::test {
namespace {

using nlohmann::ordered_json;
using reporters::merge_timelines;
using reporters::MergeError;
using reporters::NamedReport;

// Bucket is a coarse latency bucket of an interval: [lower, upper) ms, count.
struct Bucket {
  double lower;
  double upper;
  std::uint64_t count;
};

// interval is one interval of a timeline as the JSON report writes it: `requests` of which
// `failed` timed out, all in `buckets` (one bucket [1, 2) ms by default), for host "h" with
// `open` connections at its end and `dials` made in it.
ordered_json interval(std::int64_t start_ms, std::uint64_t requests, std::int64_t open = 1,
                      std::uint64_t dials = 0, std::uint64_t failed = 0,
                      std::vector<Bucket> buckets = {}) {
  if (buckets.empty()) buckets.push_back({1.0, 2.0, requests});
  ordered_json lower = ordered_json::array();
  ordered_json upper = ordered_json::array();
  ordered_json counts = ordered_json::array();
  double max = 0;
  for (const Bucket& b : buckets) {
    lower.push_back(b.lower);
    upper.push_back(b.upper);
    counts.push_back(b.count);
    max = b.upper - 0.5;
  }
  ordered_json kinds = ordered_json::object();
  if (failed > 0) kinds["timeout"] = failed;
  return {{"start_unix_ms", start_ms},
          {"duration_ms", 1000.0},
          {"requests", requests},
          {"ok", requests - failed},
          {"failed", failed},
          {"http_errors", 0},
          {"errors_by_kind", kinds},
          {"latency",
           {{"p50_ms", 1.5},
            {"p90_ms", 1.5},
            {"p99_ms", 1.5},
            {"max_ms", max},
            {"histogram", {{"lower_ms", lower}, {"bounds_ms", upper}, {"counts", counts}}}}},
          {"bytes_in", requests * 10},
          {"hosts",
           {{"h",
             {{"open", open},
              {"dials", dials},
              {"closes", ordered_json::object()},
              {"waiters", 0},
              {"permit_waiters", 0},
              {"wait_idle_p99_ms", nullptr},
              {"wait_permit_p99_ms", nullptr},
              {"queued_at_limit_p99_ms", nullptr}}}}}};
}

// report is a report whose timeline starts at start_ms with intervals width_ms wide.
NamedReport report(const std::string& name, std::int64_t start_ms, std::int64_t width_ms,
                   std::vector<ordered_json> intervals) {
  const double elapsed = static_cast<double>(width_ms) * static_cast<double>(intervals.size());
  ordered_json t = {{"interval_ms", width_ms},
                    {"base_interval_ms", width_ms},
                    {"start_unix_ms", start_ms},
                    {"elapsed_ms", elapsed},
                    {"warmup_ms", 0},
                    {"intervals", intervals}};
  return {name, {{"schema", "hload.report/v1"}, {"timeline", t}}};
}

std::uint64_t total(const ordered_json& t, const char* field) {
  std::uint64_t n = 0;
  for (const ordered_json& iv : t["intervals"]) n += iv[field].get<std::uint64_t>();
  return n;
}

// Two shards started 400 ms apart: each interval counts where its start falls, and nothing is
// lost or counted twice.
TEST(MergeTimelines, ShardsStartedApartShareTheIntervalTheirStartsFallIn) {
  const ordered_json t = merge_timelines(
      {report("a.json", 10'000, 1000,
              {interval(10'000, 3, 2, 2), interval(11'000, 3, 2), interval(12'000, 3, 2)}),
       report("b.json", 10'400, 1000, {interval(10'400, 5, 3, 3), interval(11'400, 5, 3)})});
  ASSERT_TRUE(t.is_object());
  EXPECT_EQ(t["start_unix_ms"], 10'000) << "the earliest shard's start";
  EXPECT_EQ(t["interval_ms"], 1000);
  ASSERT_EQ(t["intervals"].size(), 3u);
  EXPECT_EQ(t["intervals"][0]["start_unix_ms"], 10'000);
  EXPECT_EQ(t["intervals"][0]["requests"], 8);
  EXPECT_EQ(t["intervals"][1]["requests"], 8);
  EXPECT_EQ(t["intervals"][2]["requests"], 3);
  EXPECT_EQ(total(t, "requests"), 19u);
  EXPECT_EQ(total(t, "ok"), 19u);
  EXPECT_EQ(total(t, "bytes_in"), 190u);
  EXPECT_EQ(t["intervals"][0]["hosts"]["h"]["open"], 5) << "both shards' connections were open";
  EXPECT_EQ(t["intervals"][0]["hosts"]["h"]["dials"], 5);
  EXPECT_EQ(t["intervals"][2]["hosts"]["h"]["open"], 2) << "only a's interval falls there";
  EXPECT_DOUBLE_EQ(t["elapsed_ms"].get<double>(), 3000.0);
}

// A timeline coarsened to 2 s merges with one of 1 s: the merged intervals are 2 s wide, and
// the finer shard's two intervals in one of them give their counts and their later samples.
TEST(MergeTimelines, TheWidestIntervalsSetTheWidth) {
  const ordered_json t = merge_timelines(
      {report(
           "fine.json", 0, 1000,
           {interval(0, 1, 1), interval(1000, 1, 4), interval(2000, 1, 1), interval(3000, 1, 6)}),
       report("coarse.json", 0, 2000, {interval(0, 10, 10), interval(2000, 10, 20)})});
  EXPECT_EQ(t["interval_ms"], 2000);
  ASSERT_EQ(t["intervals"].size(), 2u);
  EXPECT_EQ(t["intervals"][0]["requests"], 12);
  EXPECT_EQ(t["intervals"][1]["requests"], 12);
  EXPECT_EQ(t["intervals"][0]["hosts"]["h"]["open"], 14) << "fine's sample at 2 s, and coarse's";
  EXPECT_EQ(t["intervals"][1]["hosts"]["h"]["open"], 26);
}

TEST(MergeTimelines, WidthsThatDoNotDivideAreRefused) {
  try {
    merge_timelines(
        {report("a.json", 0, 1000, {interval(0, 1)}), report("b.json", 0, 1500, {interval(0, 1)})});
    FAIL() << "intervals of 1 s and 1.5 s were laid together";
  } catch (const MergeError& e) {
    EXPECT_NE(std::string(e.what()).find("\"a.json\" has intervals of 1000 ms"), std::string::npos)
        << e.what();
  }
}

// Buckets add up bucket by bucket, and the percentiles come from the sum: 99 fast requests in
// one shard and 2 slow ones in another put the merged p99 among the slow ones.
TEST(MergeTimelines, LatencyBucketsAddUpAndPercentilesAreReadAnew) {
  const ordered_json t =
      merge_timelines({report("fast.json", 0, 1000, {interval(0, 99, 1, 0, 0, {{1.0, 2.0, 99}})}),
                       report("slow.json", 0, 1000, {interval(0, 2, 1, 0, 0, {{10.0, 20.0, 2}})})});
  const ordered_json& lat = t["intervals"][0]["latency"];
  EXPECT_EQ(lat["histogram"]["lower_ms"], (ordered_json{1.0, 10.0}));
  EXPECT_EQ(lat["histogram"]["counts"], (ordered_json{99, 2}));
  EXPECT_DOUBLE_EQ(lat["max_ms"].get<double>(), 19.5);
  EXPECT_DOUBLE_EQ(lat["p50_ms"].get<double>(), 1.414) << "the middle of [1, 2) ms";
  EXPECT_DOUBLE_EQ(lat["p99_ms"].get<double>(), 14.142) << "the middle of [10, 20) ms";
}

TEST(MergeTimelines, ErrorsByKindAddUp) {
  const ordered_json t = merge_timelines({report("a.json", 0, 1000, {interval(0, 4, 1, 0, 3)}),
                                          report("b.json", 0, 1000, {interval(0, 4, 1, 0, 1)})});
  EXPECT_EQ(t["intervals"][0]["failed"], 4);
  EXPECT_EQ(t["intervals"][0]["errors_by_kind"]["timeout"], 4);
}

TEST(MergeTimelines, NoTimelineMergesToNull) {
  EXPECT_TRUE(merge_timelines({{"a.json", {{"schema", "hload.report/v1"}}}}).is_null());
}

}  // namespace
}  // namespace hload::test
