// `hload merge` on the reports of shards that ran at once: three hload processes, -shard 0/3,
// 1/3 and 2/3, load one nginx together; their merged report counts what nginx counted, and its
// percentiles are those of the three histograms added up, not averages. `hload check` judges
// the merged report.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/e2e.hpp"
#include "tests/support/nginx_server.hpp"

namespace hload::test::e2e {
namespace {

constexpr std::uint64_t kRequests = 9000;
constexpr int kShards = 3;

// Buckets is a histogram as the report writes it, by bucket index, with the exact extremes.
struct Buckets {
  std::map<int, std::uint64_t> counts;
  std::map<int, std::pair<double, double>> edges;  // lower, upper (infinity for the overflow)
  std::uint64_t count = 0;
  double min_ms = std::numeric_limits<double>::infinity();
  double max_ms = -std::numeric_limits<double>::infinity();

  void add(const json& h) {
    for (std::size_t i = 0; i < h["index"].size(); ++i) {
      const int index = h["index"][i].get<int>();
      const std::uint64_t n = h["counts"][i].get<std::uint64_t>();
      counts[index] += n;
      count += n;
      edges[index] = {h["lower_ms"][i].get<double>(), h["bounds_ms"][i].is_null()
                                                          ? std::numeric_limits<double>::infinity()
                                                          : h["bounds_ms"][i].get<double>()};
    }
    if (!h["index"].empty()) {
      min_ms = std::min(min_ms, h["min_ms"].get<double>());
      max_ms = std::max(max_ms, h["max_ms"].get<double>());
    }
  }

  // percentile_ms is the geometric middle of the bucket that holds rank q, clamped to the
  // extremes (the extreme itself for the underflow and overflow buckets), as
  // docs/architecture.md#json-report says the report reads its histograms.
  double percentile_ms(double q) const {
    const double rank = q * static_cast<double>(count);
    double seen = 0;
    for (const auto& [index, n] : counts) {
      seen += static_cast<double>(n);
      if (seen < rank) continue;
      const auto [lower, upper] = edges.at(index);
      if (lower == 0) return min_ms;
      if (std::isinf(upper)) return max_ms;
      return std::clamp(std::sqrt(lower * upper), min_ms, max_ms);
    }
    return max_ms;
  }
};

double rounded_ms(double ms) { return std::round(ms * 1000) / 1000; }

class HloadMergeNginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NginxServer::available()) GTEST_SKIP() << NginxServer::kNotInstalled;
  }
};

TEST_F(HloadMergeNginxTest, ShardsRunAtOnceMergeToWhatNginxCounted) {
  NginxServer nginx;
  TempDir dir;
  const StubStatus before = nginx.counters();
  std::vector<std::unique_ptr<Process>> shards;
  for (int i = 0; i < kShards; ++i) {
    shards.push_back(std::make_unique<Process>(
        kHload, std::vector<std::string>{
                    "-shard", std::to_string(i) + "/" + std::to_string(kShards), "-n",
                    std::to_string(kRequests), "-c", "30", "-max-conns-per-host", "2", "-o", "json",
                    "-output", dir.file("shard-" + std::to_string(i) + ".json"),
                    url(nginx.keepalive_port())}));
  }
  std::vector<json> inputs;
  for (int i = 0; i < kShards; ++i) {
    const ProcessResult r = shards[static_cast<std::size_t>(i)]->wait(kRunLimit);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    inputs.push_back(parse_json(read_file(dir.file("shard-" + std::to_string(i) + ".json"))));
    ASSERT_FALSE(inputs.back().is_discarded());
  }
  const StubDelta d = delta(before, nginx.counters());

  const ProcessResult m = hload({"merge", "-output", dir.file("all.json"), dir.file("shard-0.json"),
                                 dir.file("shard-1.json"), dir.file("shard-2.json")});
  ASSERT_EQ(m.exit_code, 0) << m.describe();
  const json merged = parse_json(read_file(dir.file("all.json")));
  ASSERT_FALSE(merged.is_discarded()) << m.describe();

  std::uint64_t sum = 0;
  Buckets latency;
  for (int i = 0; i < kShards; ++i) {
    const json& in = inputs[static_cast<std::size_t>(i)];
    EXPECT_EQ(in["shard"], (json{{"index", i}, {"count", kShards}}));
    EXPECT_EQ(in["config"]["concurrency"], 10);
    EXPECT_EQ(in["config"]["requests"], kRequests / kShards);
    sum += in["summary"]["requests"].get<std::uint64_t>();
    latency.add(in["latency"]["histogram"]);
  }
  EXPECT_EQ(sum, kRequests);
  EXPECT_EQ(merged["summary"]["requests"], kRequests);
  EXPECT_EQ(merged["summary"]["ok"], kRequests);
  EXPECT_EQ(d.requests, static_cast<std::int64_t>(kRequests)) << "nginx served what hload sent";
  const json& h = merged["hosts"][host_key(nginx.keepalive_port())];
  EXPECT_EQ(h["requests"], kRequests);
  EXPECT_EQ(h["dials"].get<std::int64_t>(), d.accepts) << "nginx accepted what the shards dialed";
  EXPECT_EQ(h["dials"], 2 * kShards) << "each shard its own pool of 2";
  EXPECT_EQ(merged["latency"]["count"], kRequests);
  EXPECT_EQ(merged["latency"]["p99_ms"].get<double>(), rounded_ms(latency.percentile_ms(0.99)));
  EXPECT_EQ(merged["latency"]["p50_ms"].get<double>(), rounded_ms(latency.percentile_ms(0.50)));
  EXPECT_EQ(merged["latency"]["max_ms"].get<double>(), rounded_ms(latency.max_ms));
  ASSERT_EQ(merged["config"].size(), 3u);
  EXPECT_EQ(merged["merged_from"][2]["report"], dir.file("shard-2.json"));

  // The shards' timelines, laid over one clock, add up to the merged totals.
  const json& t = merged["timeline"];
  ASSERT_TRUE(t.is_object()) << merged.dump().substr(0, 2000);
  std::uint64_t in_timeline = 0;
  std::uint64_t ok_in_timeline = 0;
  std::uint64_t dials_in_timeline = 0;
  for (const json& iv : t["intervals"]) {
    in_timeline += iv["requests"].get<std::uint64_t>();
    ok_in_timeline += iv["ok"].get<std::uint64_t>();
    for (const auto& [key, hi] : iv["hosts"].items()) {
      dials_in_timeline += hi["dials"].get<std::uint64_t>();
    }
  }
  EXPECT_EQ(in_timeline, kRequests);
  EXPECT_EQ(ok_in_timeline, kRequests);
  EXPECT_EQ(dials_in_timeline, h["dials"].get<std::uint64_t>());
  std::int64_t earliest = inputs[0]["timeline"]["start_unix_ms"].get<std::int64_t>();
  for (const json& in : inputs) {
    earliest = std::min(earliest, in["timeline"]["start_unix_ms"].get<std::int64_t>());
  }
  EXPECT_EQ(t["start_unix_ms"], earliest) << "the merged timeline starts with the first shard";

  // The merged report draws as any report does.
  const ProcessResult page = hload({"report", dir.file("all.json"), "-o", "html"});
  ASSERT_EQ(page.exit_code, 0) << page.describe();
  EXPECT_NE(page.out.find("<html"), std::string::npos);

  // hload check judges the merged report as it would a run's.
  const ProcessResult pass =
      hload({"check", dir.file("all.json"), "-min-requests", std::to_string(kRequests), "-assert",
             "hosts.*.dials<=6", "-assert", "error_rate==0"});
  EXPECT_EQ(pass.exit_code, 0) << pass.describe();
  const ProcessResult fail = hload({"check", dir.file("all.json"), "-assert", "hosts.*.dials<6"});
  EXPECT_EQ(fail.exit_code, 1) << fail.describe();
}

// write_json puts j into the file at path.
void write_json(const std::string& path, const json& j) { std::ofstream(path) << j.dump(); }

class HloadMergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::BuiltinServer srv;
    for (int i = 0; i < 2; ++i) {
      const ProcessResult r =
          hload({"-shard", std::to_string(i) + "/2", "-n", "20", "-c", "2", "-o", "json", "-output",
                 dir_.file(std::to_string(i) + ".json"), url(srv.port())});
      ASSERT_EQ(r.exit_code, 0) << r.describe();
    }
  }

  json report(int i) const { return parse_json(read_file(dir_.file(std::to_string(i) + ".json"))); }

  // refused runs merge on args and expects exit 2 with one line that says says.
  void expect_refused(const std::vector<std::string>& args, const std::string& says) {
    std::vector<std::string> all = {"merge"};
    all.insert(all.end(), args.begin(), args.end());
    const ProcessResult r = hload(all);
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_EQ(r.out, "");
    const std::vector<std::string> err = lines(r.err);
    ASSERT_EQ(err.size(), 1u) << r.describe();
    EXPECT_NE(err[0].find(says), std::string::npos) << err[0];
  }

  TempDir dir_;
};

TEST_F(HloadMergeTest, WritesToStandardOutputByDefault) {
  const ProcessResult r = hload({"merge", dir_.file("0.json"), dir_.file("1.json")});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json merged = parse_json(r.out);
  EXPECT_EQ(merged["summary"]["requests"], 20);
  EXPECT_EQ(merged["summary"]["requests"], report(0)["summary"]["requests"].get<int>() +
                                               report(1)["summary"]["requests"].get<int>());
}

TEST_F(HloadMergeTest, RefusesAnotherSchemaOrLayoutOnOneLine) {
  json other = report(1);
  other["schema"] = "hload.report/v2";
  write_json(dir_.file("v2.json"), other);
  expect_refused({dir_.file("0.json"), dir_.file("v2.json")},
                 "hload: merge: \"" + dir_.file("v2.json") +
                     R"(": report is of schema "hload.report/v2", not "hload.report/v1")");
  other = report(1);
  other["histogram_layout"]["max_ms"] = 60000;
  write_json(dir_.file("layout.json"), other);
  expect_refused({dir_.file("0.json"), dir_.file("layout.json")}, "report's histogram_layout");
  expect_refused({dir_.file("0.json"), dir_.file("0.json")}, "is shard 0/2 again");
  expect_refused({dir_.file("0.json"), dir_.file("missing.json")}, "merge: cannot read");
  expect_refused({}, "merge needs reports");
}

}  // namespace
}  // namespace hload::test::e2e
