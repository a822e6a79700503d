#include "reporters/json_report.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "engine/error_kind.hpp"
#include "tests/reporters/sample_result.hpp"

namespace hload::reporters {
namespace {

using nlohmann::ordered_json;
using testing::kHost;
using testing::rate_mode_result;
using testing::sample_result;

std::vector<std::string> keys(const ordered_json& j) {
  std::vector<std::string> out;
  for (const auto& [key, value] : j.items()) out.push_back(key);
  return out;
}

// expect_histogram checks the exact-merge shape: parallel arrays of the non-empty buckets, in
// ascending order, whose counts add up to the samples.
void expect_histogram(const ordered_json& h, std::uint64_t count) {
  ASSERT_TRUE(h["lower_ms"].is_array());
  ASSERT_TRUE(h["bounds_ms"].is_array());
  ASSERT_TRUE(h["counts"].is_array());
  ASSERT_EQ(h["bounds_ms"].size(), h["counts"].size());
  ASSERT_EQ(h["lower_ms"].size(), h["counts"].size());
  std::uint64_t sum = 0;
  double previous = -1;
  for (std::size_t i = 0; i < h["counts"].size(); ++i) {
    EXPECT_GT(h["counts"][i].get<std::uint64_t>(), 0u);
    sum += h["counts"][i].get<std::uint64_t>();
    const double lower = h["lower_ms"][i].get<double>();
    EXPECT_GT(lower, previous);
    if (!h["bounds_ms"][i].is_null()) {
      EXPECT_LT(lower, h["bounds_ms"][i].get<double>());
    }
    previous = lower;
  }
  EXPECT_EQ(sum, count);
}

// expect_finite walks j and fails on any number JSON cannot carry.
void expect_finite(const ordered_json& j, const std::string& where) {
  if (j.is_number_float()) {
    EXPECT_TRUE(std::isfinite(j.get<double>())) << where;
  }
  if (j.is_structured()) {
    for (const auto& [key, value] : j.items()) expect_finite(value, where + "/" + key);
  }
}

TEST(JsonReportTest, TopLevelFieldsInContractOrder) {
  const auto j = to_json(sample_result());
  EXPECT_EQ(j["schema"], "hload.report/v1");
  EXPECT_EQ(keys(j),
            (std::vector<std::string>{"schema", "histogram_layout", "config", "shard", "summary",
                                      "latency", "phases", "status_codes", "errors_by_kind",
                                      "error_examples", "hosts", "timeline"}));
  EXPECT_TRUE(j["shard"].is_null()) << "a run without -shard";
}

TEST(JsonReportTest, HistogramLayoutIsTheHistogramClasses) {
  const auto layout = to_json(sample_result())["histogram_layout"];
  EXPECT_EQ(layout["scale"], "log");
  EXPECT_EQ(layout["min_ms"], engine::Histogram::kMinMs);
  EXPECT_EQ(layout["max_ms"], engine::Histogram::kMaxMs);
  EXPECT_EQ(layout["buckets"], engine::Histogram::kBuckets);
}

TEST(JsonReportTest, ShardIsRecorded) {
  engine::RunResult r = sample_result();
  r.config.shard = engine::Shard{2, 5};
  EXPECT_EQ(to_json(r)["shard"], (ordered_json{{"index", 2}, {"count", 5}}));
}

TEST(JsonReportTest, HistogramsCarryBucketIndexesAndExactExtremes) {
  engine::RunResult r = sample_result();
  r.latency = engine::Histogram();
  r.latency.record_ms(0.0004);  // underflow
  r.latency.record_ms(1.23456789);
  r.latency.record_ms(1.23456789);
  const auto h = to_json(r)["latency"]["histogram"];
  EXPECT_EQ(h["index"], (ordered_json{0, engine::Histogram::index_of(1.23456789)}));
  EXPECT_EQ(h["counts"], (ordered_json{1, 2}));
  EXPECT_EQ(h["min_ms"].get<double>(), 0.0004) << "unrounded, unlike latency.min_ms";
  EXPECT_EQ(h["max_ms"].get<double>(), 1.23456789);
  EXPECT_DOUBLE_EQ(h["sum_ms"].get<double>(), 0.0004 + 2 * 1.23456789);
}

TEST(JsonReportTest, ConfigOfACountBoundRun) {
  const auto c = to_json(sample_result())["config"];
  EXPECT_EQ(c["url"], "http://127.0.0.1:18080/");
  EXPECT_EQ(c["concurrency"], 200);
  EXPECT_EQ(c["requests"], 20'000);
  EXPECT_TRUE(c["duration_s"].is_null());
  EXPECT_TRUE(c["rate"].is_null());
  EXPECT_EQ(c["max_conns_per_host"], 2);
  EXPECT_EQ(c["max_idle_conns_per_host"], 200);  // 0 in the config: the concurrency
  EXPECT_EQ(c["max_idle_conns"], 0);
  EXPECT_EQ(c["idle_conn_timeout_s"], 90.0);
  EXPECT_EQ(c["disable_keepalive"], false);
  EXPECT_EQ(c["http2"], false);
  EXPECT_EQ(c["threads"], 1);
  EXPECT_EQ(c["method"], "GET");
  EXPECT_EQ(c["timeout_s"], 20.0);
  EXPECT_TRUE(c["qps_per_user"].is_null());
  EXPECT_TRUE(c["concurrency"].is_number_integer());
  EXPECT_TRUE(c["disable_keepalive"].is_boolean());
}

TEST(JsonReportTest, ConfigOfADurationBoundRateRun) {
  auto r = sample_result();
  r.config.requests.reset();
  r.config.duration = std::chrono::seconds(30);
  r.config.rate = 500;
  r.config.qps_per_user = 2.5;
  r.config.max_idle_conns_per_host = 7;
  r.config.timeout = engine::Duration::zero();
  const auto c = to_json(r)["config"];
  EXPECT_TRUE(c["requests"].is_null());
  EXPECT_EQ(c["duration_s"], 30.0);
  EXPECT_EQ(c["rate"], 500.0);
  EXPECT_EQ(c["qps_per_user"], 2.5);
  EXPECT_EQ(c["max_idle_conns_per_host"], 7);
  EXPECT_TRUE(c["timeout_s"].is_null());
}

TEST(JsonReportTest, RequestsDefaultTo200WithoutNOrZ) {
  auto r = sample_result();
  r.config.requests.reset();
  EXPECT_EQ(to_json(r)["config"]["requests"], 200);
}

TEST(JsonReportTest, Summary) {
  const auto s = to_json(sample_result())["summary"];
  EXPECT_EQ(s["requests"], 20'000);
  EXPECT_EQ(s["ok"], 19'990);
  EXPECT_EQ(s["failed"], 10);      // requests - ok
  EXPECT_EQ(s["http_errors"], 6);  // of which answered with a status of 400 or more
  EXPECT_EQ(s["errors"], 4);       // and without a response
  EXPECT_DOUBLE_EQ(s["error_rate"].get<double>(), 0.0005);  // failed / requests
  EXPECT_EQ(s["unfinished"], 0);
  EXPECT_EQ(s["unfinished_oldest_ms"], 0.0);
  EXPECT_EQ(s["dropped"], 0);
  EXPECT_EQ(s["redirects"], 0);
  EXPECT_EQ(s["abandoned"], false);
  EXPECT_DOUBLE_EQ(s["elapsed_s"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(s["rps"].get<double>(), 10'000.0);
  EXPECT_EQ(s["bytes_in"], 1'700'000);
  EXPECT_EQ(s["body_bytes"], 60'000);
  EXPECT_EQ(s["bytes_out"], 1'000);
  EXPECT_EQ(s["interrupted"], false);
  EXPECT_FALSE(s.contains("late_starts"));  // rate mode only
  EXPECT_TRUE(s["requests"].is_number_unsigned());
}

TEST(JsonReportTest, UnfinishedAndDroppedRequestsAreReported) {
  auto r = sample_result();
  r.unfinished = 5;
  r.unfinished_oldest_ms = 3001.25;
  r.dropped = 17;
  const auto s = to_json(r)["summary"];
  EXPECT_EQ(s["unfinished"], 5);
  EXPECT_DOUBLE_EQ(s["unfinished_oldest_ms"].get<double>(), 3001.25);
  EXPECT_EQ(s["dropped"], 17);
  EXPECT_EQ(s["failed"], 10) << "unfinished requests are not failures";
}

TEST(JsonReportTest, ErrorExamplesByKind) {
  auto r = sample_result();
  r.error_examples["connect_refused"] = "GET http://127.0.0.1:1/: dial: Connection refused";
  const auto j = to_json(r);
  EXPECT_EQ(
      j["error_examples"],
      (ordered_json{{"connect_refused", "GET http://127.0.0.1:1/: dial: Connection refused"}}));
  EXPECT_EQ(to_json(sample_result())["error_examples"], ordered_json::object());
}

TEST(JsonReportTest, ErrorRateKeepsASingleErrorInAHundredThousand) {
  auto r = sample_result();
  r.requests = 100'000;
  r.ok = 99'999;
  EXPECT_DOUBLE_EQ(to_json(r)["summary"]["error_rate"].get<double>(), 0.00001);
}

TEST(JsonReportTest, LatencyPercentilesWithinOnePercent) {
  const auto l = to_json(sample_result())["latency"];
  EXPECT_EQ(keys(l),
            (std::vector<std::string>{"count", "min_ms", "mean_ms", "p50_ms", "p90_ms", "p95_ms",
                                      "p99_ms", "p999_ms", "max_ms", "histogram"}));
  EXPECT_EQ(l["count"], 20'000);
  EXPECT_DOUBLE_EQ(l["min_ms"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(l["mean_ms"].get<double>(), 5000.5);
  EXPECT_DOUBLE_EQ(l["max_ms"].get<double>(), 10'000.0);
  EXPECT_NEAR(l["p50_ms"].get<double>(), 5000.0, 50.0);
  EXPECT_NEAR(l["p90_ms"].get<double>(), 9000.0, 90.0);
  EXPECT_NEAR(l["p95_ms"].get<double>(), 9500.0, 95.0);
  EXPECT_NEAR(l["p99_ms"].get<double>(), 9900.0, 99.0);
  EXPECT_NEAR(l["p999_ms"].get<double>(), 9990.0, 99.9);
  expect_histogram(l["histogram"], 20'000);
}

TEST(JsonReportTest, MillisecondsAreRoundedToMicroseconds) {
  auto r = sample_result();
  r.latency = engine::Histogram{};
  r.latency.record_ms(1.23456789);
  const auto l = to_json(r)["latency"];
  EXPECT_DOUBLE_EQ(l["min_ms"].get<double>(), 1.235);
  // Bucket edges are not rounded: merging needs them exact.
  EXPECT_NE(l["histogram"]["lower_ms"][0].get<double>(),
            std::round(l["histogram"]["lower_ms"][0].get<double>() * 1000) / 1000);
}

TEST(JsonReportTest, OverflowBucketHasANullUpperBound) {
  auto r = sample_result();
  r.latency = engine::Histogram{};
  r.latency.record_ms(2'000'000.0);
  const auto h = to_json(r)["latency"]["histogram"];
  ASSERT_EQ(h["bounds_ms"].size(), 1u);
  EXPECT_TRUE(h["bounds_ms"][0].is_null());
  EXPECT_DOUBLE_EQ(h["lower_ms"][0].get<double>(), engine::Histogram::kMaxMs);
  EXPECT_EQ(h["counts"][0], 1);
}

TEST(JsonReportTest, Phases) {
  const auto p = to_json(sample_result())["phases"];
  EXPECT_EQ(keys(p),
            (std::vector<std::string>{"wait_conn", "dial", "tls", "write", "first_byte", "body"}));
  EXPECT_EQ(keys(p["dial"]), (std::vector<std::string>{"count", "mean_ms", "p50_ms", "p99_ms",
                                                       "max_ms", "histogram"}));
  expect_histogram(p["wait_conn"]["histogram"], 20'000);
  EXPECT_EQ(p["wait_conn"]["count"], 20'000);
  EXPECT_DOUBLE_EQ(p["wait_conn"]["p50_ms"].get<double>(), 12.0);  // one value: exact
  EXPECT_DOUBLE_EQ(p["dial"]["mean_ms"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(p["dial"]["max_ms"].get<double>(), 1.5);
  EXPECT_EQ(p["write"]["count"], 0);
  EXPECT_EQ(p["write"]["max_ms"], 0.0);
}

TEST(JsonReportTest, StatusCodesAndErrorsAreKeyedByStrings) {
  const auto j = to_json(sample_result());
  EXPECT_EQ(j["status_codes"], (ordered_json{{"200", 19'990}, {"503", 6}}));
  const auto& kinds = j["errors_by_kind"];
  EXPECT_EQ(kinds["connect_refused"], 4);
  // Every kind is present, zeros included (docs/architecture.md#json-report).
  EXPECT_EQ(kinds.size(), static_cast<size_t>(engine::kErrorKinds));
  EXPECT_EQ(kinds["timeout"], 0);
  EXPECT_EQ(kinds["dns"], 0);
}

TEST(JsonReportTest, EmptyMapsAreObjectsNotNull) {
  const auto j = to_json(engine::RunResult{});
  EXPECT_TRUE(j["status_codes"].is_object());
  EXPECT_TRUE(j["errors_by_kind"].is_object());
  EXPECT_TRUE(j["hosts"].is_object());
}

TEST(JsonReportTest, HostHttp2Statistics) {
  auto r = sample_result();
  engine::HostResult& h = r.hosts[kHost];
  h.asked_http2 = true;
  h.http2_conns = 2;
  h.max_streams_per_conn = 100;
  h.streams_started = 4;
  h.streams_in_flight_sum = 10;
  h.goaways = 1;
  h.refused_retries = 3;
  const auto j = to_json(r)["hosts"][kHost];
  EXPECT_EQ(j["protocol"], "h2");
  EXPECT_EQ(j["http2_fallback"], false);
  EXPECT_EQ(j["streams_max"], 100);
  EXPECT_DOUBLE_EQ(j["streams_mean"].get<double>(), 2.5);
  EXPECT_EQ(j["goaways"], 1);
  EXPECT_EQ(j["refused_retries"], 3);
  h.http1_conns = 1;  // ALPN chose HTTP/1.1 for one
  const auto mixed = to_json(r)["hosts"][kHost];
  EXPECT_EQ(mixed["protocol"], "mixed");
  EXPECT_EQ(mixed["http2_fallback"], true);
  EXPECT_TRUE(to_json(sample_result())["hosts"][kHost]["protocol"].is_null())
      << "no connection was made in the sample";
}

TEST(JsonReportTest, HostPoolStatistics) {
  const auto h = to_json(sample_result())["hosts"][kHost];
  EXPECT_EQ(keys(h), (std::vector<std::string>{"requests",
                                               "dials",
                                               "dial_errors",
                                               "tls_handshakes",
                                               "tls_resumed",
                                               "tls_handshake",
                                               "tls_version",
                                               "tls_cipher",
                                               "alpn",
                                               "protocol",
                                               "http2_fallback",
                                               "streams_max",
                                               "streams_mean",
                                               "http1_conns",
                                               "http2_conns",
                                               "streams_started",
                                               "streams_in_flight_sum",
                                               "goaways",
                                               "refused_retries",
                                               "reused",
                                               "reuse_ratio",
                                               "retries",
                                               "dials_cancelled",
                                               "max_open_conns",
                                               "acquire",
                                               "closes",
                                               "wait_idle",
                                               "wait_permit",
                                               "queued_at_limit"}));
  // A host without TLS has no version, cipher or protocol to name.
  EXPECT_TRUE(h["tls_version"].is_null());
  EXPECT_TRUE(h["tls_cipher"].is_null());
  EXPECT_TRUE(h["alpn"].is_null());
  EXPECT_EQ(h["tls_handshake"]["count"], 0);
  EXPECT_EQ(h["requests"], 20'000);
  EXPECT_EQ(h["dials"], 2);
  EXPECT_EQ(h["reused"], 19'998);
  EXPECT_DOUBLE_EQ(h["reuse_ratio"].get<double>(), 0.9999);  // 19998 / 20000
  EXPECT_EQ(h["max_open_conns"], 2);
  EXPECT_EQ(h["acquire"], (ordered_json{{"idle", 0}, {"handoff", 19'998}, {"dial", 2}}));
  EXPECT_EQ(h["closes"], (ordered_json{{"server_close", 0},
                                       {"client_close", 0},
                                       {"idle_timeout", 0},
                                       {"idle_overflow", 0},
                                       {"protocol", 0},
                                       {"error", 0},
                                       {"run_end", 2}}));
}

TEST(JsonReportTest, HostTlsHandshakes) {
  auto r = sample_result();
  engine::HostResult& tls = r.hosts[kHost];
  tls.tls_handshakes = 2;
  tls.tls_resumed = 1;
  tls.tls_handshake.record_ms(2.0);
  tls.tls_handshake.record_ms(4.0);
  tls.tls_version = "TLSv1.3";
  tls.tls_cipher = "TLS_AES_256_GCM_SHA384";
  tls.alpn = "http/1.1";
  r.phases.tls.record_ms(2.0);
  r.phases.tls.record_ms(4.0);
  const auto j = to_json(r);
  const auto& h = j["hosts"][kHost];
  EXPECT_EQ(h["tls_handshakes"], 2);
  EXPECT_EQ(h["tls_resumed"], 1);
  EXPECT_EQ(keys(h["tls_handshake"]), (std::vector<std::string>{"count", "total_ms", "p50_ms",
                                                                "p99_ms", "max_ms", "histogram"}));
  EXPECT_EQ(h["tls_handshake"]["count"], 2);
  EXPECT_DOUBLE_EQ(h["tls_handshake"]["total_ms"].get<double>(), 6.0);
  EXPECT_DOUBLE_EQ(h["tls_handshake"]["max_ms"].get<double>(), 4.0);
  EXPECT_EQ(h["tls_version"], "TLSv1.3");
  EXPECT_EQ(h["tls_cipher"], "TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(h["alpn"], "http/1.1");
  EXPECT_EQ(j["phases"]["tls"]["count"], 2);
  EXPECT_DOUBLE_EQ(j["phases"]["tls"]["mean_ms"].get<double>(), 3.0);
}

TEST(JsonReportTest, HostWaits) {
  const auto h = to_json(sample_result())["hosts"][kHost];
  const auto& idle = h["wait_idle"];
  EXPECT_EQ(keys(idle), (std::vector<std::string>{"count", "total_ms", "p50_ms", "p99_ms", "max_ms",
                                                  "histogram"}));
  EXPECT_EQ(idle["count"], 100);
  EXPECT_DOUBLE_EQ(idle["total_ms"].get<double>(), 5050.0);
  EXPECT_NEAR(idle["p50_ms"].get<double>(), 50.0, 0.5);
  EXPECT_NEAR(idle["p99_ms"].get<double>(), 99.0, 0.99);
  EXPECT_DOUBLE_EQ(idle["max_ms"].get<double>(), 100.0);
  expect_histogram(idle["histogram"], 100);
  const auto& permit = h["wait_permit"];
  EXPECT_EQ(permit["count"], 3);
  EXPECT_DOUBLE_EQ(permit["total_ms"].get<double>(), 15.0);
  EXPECT_DOUBLE_EQ(permit["p99_ms"].get<double>(), 5.0);
  expect_histogram(permit["histogram"], 3);
  EXPECT_EQ(h["queued_at_limit"]["count"], 0);

  auto r = sample_result();
  for (int i = 0; i < 4; ++i) r.hosts[kHost].queued_at_limit.record_ms(8.0);
  const auto held = to_json(r)["hosts"][kHost]["queued_at_limit"];
  EXPECT_EQ(keys(held), keys(idle));
  EXPECT_EQ(held["count"], 4);
  EXPECT_DOUBLE_EQ(held["total_ms"].get<double>(), 32.0);
}

TEST(JsonReportTest, ReuseRatioIsZeroWithoutRequests) {
  auto r = sample_result();
  r.hosts[kHost].requests = 0;
  r.hosts[kHost].reused = 0;
  EXPECT_EQ(to_json(r)["hosts"][kHost]["reuse_ratio"], 0.0);
}

TEST(JsonReportTest, RateModeAddsServiceTimeAndLateStarts) {
  const auto j = to_json(rate_mode_result());
  EXPECT_EQ(j["summary"]["late_starts"], 17);
  EXPECT_EQ(j["config"]["rate"], 1000.0);
  EXPECT_EQ(j["gated_on"], "response_time");
  const auto& s = j["service_time"];
  EXPECT_EQ(keys(s), keys(j["latency"]));
  EXPECT_EQ(s["count"], 1000);
  EXPECT_NEAR(s["p50_ms"].get<double>(), 500.0, 5.0);
  expect_histogram(s["histogram"], 1000);
}

TEST(JsonReportTest, NoServiceTimeOutsideRateMode) {
  const auto j = to_json(sample_result());
  EXPECT_FALSE(j.contains("service_time"));
  EXPECT_FALSE(j.contains("gated_on"));
}

TEST(JsonReportTest, NeverNaNOrInfinity) {
  expect_finite(to_json(engine::RunResult{}), "");
  expect_finite(to_json(rate_mode_result()), "");
  auto r = sample_result();
  r.elapsed_s = 0;  // a run that ended at once: no rate to divide by
  r.latency.record_ms(5'000'000.0);
  expect_finite(to_json(r), "");
  EXPECT_EQ(to_json(r)["summary"]["rps"], 0.0);
}

TEST(JsonReportTest, InterruptedRunSaysSo) {
  auto r = sample_result();
  r.interrupted = true;
  EXPECT_EQ(to_json(r)["summary"]["interrupted"], true);
}

}  // namespace
}  // namespace hload::reporters
