#include "reporters/json_report.hpp"

#include <chrono>
#include <cmath>
#include <string>

#include "engine/error_kind.hpp"
#include "reporters/format.hpp"
#include "reporters/timeline_json.hpp"

namespace hload::reporters {

namespace {

using engine::Histogram;
using nlohmann::ordered_json;

// Milliseconds and seconds both keep 1 us; ratios keep 6 places so that a gate on an error rate
// of 1e-5 still sees a single error in 100,000 requests.
constexpr int kMsDecimals = 3;
constexpr int kSecondsDecimals = 6;
constexpr int kRatioDecimals = 6;
constexpr int kPerSecondDecimals = 3;

// number is the one way doubles enter the report: rounded, and null where JSON has no value.
ordered_json number(double v, int decimals) {
  if (!std::isfinite(v)) return nullptr;
  return rounded(v, decimals);
}

double seconds(engine::Duration d) { return std::chrono::duration<double>(d).count(); }

// Bucket edges are written unrounded: rounding would merge the narrow low buckets and break the
// exact merge that is the point of shipping buckets.
// The exact sum, min and max travel with the buckets, unrounded too, so that a histogram read
// back (reporters/json_reader.hpp) gives the same mean and the same clamped percentiles.
ordered_json histogram_buckets(const Histogram& h) {
  ordered_json index = ordered_json::array();
  ordered_json lower = ordered_json::array();
  ordered_json upper = ordered_json::array();
  ordered_json counts = ordered_json::array();
  for (const auto& b : h.buckets()) {
    index.push_back(b.index);
    lower.push_back(b.lower_ms);
    upper.push_back(std::isfinite(b.upper_ms) ? ordered_json(b.upper_ms) : ordered_json());
    counts.push_back(b.count);
  }
  ordered_json out;
  out["index"] = std::move(index);
  out["lower_ms"] = std::move(lower);
  out["bounds_ms"] = std::move(upper);
  out["counts"] = std::move(counts);
  out["sum_ms"] = h.sum_ms();
  out["min_ms"] = h.min_ms();
  out["max_ms"] = h.max_ms();
  return out;
}

ordered_json latency(const Histogram& h) {
  ordered_json out;
  out["count"] = h.count();
  out["min_ms"] = number(h.min_ms(), kMsDecimals);
  out["mean_ms"] = number(h.mean_ms(), kMsDecimals);
  out["p50_ms"] = number(h.percentile_ms(0.50), kMsDecimals);
  out["p90_ms"] = number(h.percentile_ms(0.90), kMsDecimals);
  out["p95_ms"] = number(h.percentile_ms(0.95), kMsDecimals);
  out["p99_ms"] = number(h.percentile_ms(0.99), kMsDecimals);
  out["p999_ms"] = number(h.percentile_ms(0.999), kMsDecimals);
  out["max_ms"] = number(h.max_ms(), kMsDecimals);
  out["histogram"] = histogram_buckets(h);
  return out;
}

ordered_json phase(const Histogram& h) {
  ordered_json out;
  out["count"] = h.count();
  out["mean_ms"] = number(h.mean_ms(), kMsDecimals);
  out["p50_ms"] = number(h.percentile_ms(0.50), kMsDecimals);
  out["p99_ms"] = number(h.percentile_ms(0.99), kMsDecimals);
  out["max_ms"] = number(h.max_ms(), kMsDecimals);
  out["histogram"] = histogram_buckets(h);
  return out;
}

ordered_json wait(const Histogram& h) {
  ordered_json out;
  out["count"] = h.count();
  out["total_ms"] = number(h.sum_ms(), kMsDecimals);
  out["p50_ms"] = number(h.percentile_ms(0.50), kMsDecimals);
  out["p99_ms"] = number(h.percentile_ms(0.99), kMsDecimals);
  out["max_ms"] = number(h.max_ms(), kMsDecimals);
  out["histogram"] = histogram_buckets(h);
  return out;
}

// text_or_null is text, or null when there is none (a host without TLS has no version).
ordered_json text_or_null(const std::string& text) {
  return text.empty() ? ordered_json() : ordered_json(text);
}

ordered_json config(const engine::RunConfig& c) {
  ordered_json out;
  out["url"] = c.url;
  out["concurrency"] = c.concurrency;
  const auto limit = c.request_limit();
  out["requests"] = limit ? ordered_json(*limit) : ordered_json();
  out["duration_s"] = c.duration ? number(seconds(*c.duration), kSecondsDecimals) : nullptr;
  out["rate"] = c.rate > 0 ? number(c.rate, kPerSecondDecimals) : nullptr;
  out["max_conns_per_host"] = c.max_conns_per_host;
  // 0 means "the concurrency" (docs/architecture.md#knobs): the report states what the pool
  // really used.
  out["max_idle_conns_per_host"] =
      c.max_idle_conns_per_host > 0 ? c.max_idle_conns_per_host : c.concurrency;
  out["max_idle_conns"] = c.max_idle_conns;
  out["max_conns"] = c.max_conns;
  out["idle_conn_timeout_s"] = number(seconds(c.idle_conn_timeout), kSecondsDecimals);
  out["disable_keepalive"] = c.disable_keepalive;
  out["http2"] = c.http2;
  out["threads"] = c.threads;
  out["method"] = c.method;
  out["timeout_s"] =
      c.timeout > engine::Duration::zero() ? number(seconds(c.timeout), kSecondsDecimals) : nullptr;
  out["qps_per_user"] = c.qps_per_user > 0 ? number(c.qps_per_user, kPerSecondDecimals) : nullptr;
  out["warmup_s"] = number(seconds(c.warmup), kSecondsDecimals);
  return out;
}

ordered_json summary(const engine::RunResult& r, bool rate_mode) {
  ordered_json out;
  out["requests"] = r.requests;
  out["ok"] = r.ok;
  out["failed"] = r.failed();
  out["http_errors"] = r.http_errors();
  out["errors"] = r.errors;
  out["error_rate"] = number(r.error_rate(), kRatioDecimals);
  out["unfinished"] = r.unfinished;
  out["unfinished_oldest_ms"] = number(r.unfinished_oldest_ms, kMsDecimals);
  out["dropped"] = r.dropped;
  out["redirects"] = r.redirects;
  out["elapsed_s"] = number(r.elapsed_s, kSecondsDecimals);
  out["rps"] = number(r.rps(), kPerSecondDecimals);
  out["bytes_in"] = r.bytes_in;
  out["bytes_out"] = r.bytes_out;
  out["body_bytes"] = r.body_bytes;
  out["interrupted"] = r.interrupted;
  out["abandoned"] = r.abandoned;
  out["warmup_requests"] = r.warmup_requests;
  out["measured_s"] = number(r.measured_s(), kSecondsDecimals);
  if (rate_mode) {
    out["late_starts"] = r.late_starts;
    out["sent_rps"] = number(r.sent_rate(), kPerSecondDecimals);
  }
  return out;
}

ordered_json host(const engine::HostResult& h) {
  ordered_json out;
  out["requests"] = h.requests;
  out["dials"] = h.dials;
  out["dial_errors"] = h.dial_errors;
  out["tls_handshakes"] = h.tls_handshakes;
  out["tls_resumed"] = h.tls_resumed;
  out["tls_handshake"] = wait(h.tls_handshake);
  out["tls_version"] = text_or_null(h.tls_version);
  out["tls_cipher"] = text_or_null(h.tls_cipher);
  out["alpn"] = text_or_null(h.alpn);
  out["protocol"] = text_or_null(h.protocol());
  // -h2 asked for HTTP/2 and the server's ALPN chose HTTP/1.1 for some connection.
  out["http2_fallback"] = h.asked_http2 && h.http1_conns > 0;
  out["streams_max"] = h.max_streams_per_conn;
  out["streams_mean"] = number(h.mean_streams_in_flight(), kRatioDecimals);
  // What protocol, http2_fallback and streams_mean are made of, for hload merge.
  out["http1_conns"] = h.http1_conns;
  out["http2_conns"] = h.http2_conns;
  out["streams_started"] = h.streams_started;
  out["streams_in_flight_sum"] = h.streams_in_flight_sum;
  out["goaways"] = h.goaways;
  out["refused_retries"] = h.refused_retries;
  out["reused"] = h.reused;
  out["reuse_ratio"] = number(h.reuse_ratio(), kRatioDecimals);
  out["retries"] = h.retries;
  out["dials_cancelled"] = h.dials_cancelled;
  out["max_open_conns"] = h.max_open_conns;
  ordered_json acquire = ordered_json::object();
  for (int i = 0; i < pool::kAcquireOutcomes; ++i) {
    acquire[pool::to_string(static_cast<pool::AcquireOutcome>(i))] = h.acquire[i];
  }
  out["acquire"] = std::move(acquire);
  ordered_json closes = ordered_json::object();
  for (int i = 0; i < pool::kCloseReasons; ++i) {
    closes[pool::to_string(static_cast<pool::CloseReason>(i))] = h.closes[i];
  }
  out["closes"] = std::move(closes);
  out["wait_idle"] = wait(h.wait_idle);
  out["wait_permit"] = wait(h.wait_permit);
  out["queued_at_limit"] = wait(h.queued_at_limit);
  return out;
}

}  // namespace

ordered_json histogram_layout() {
  ordered_json out;
  out["scale"] = "log";
  out["min_ms"] = Histogram::kMinMs;
  out["max_ms"] = Histogram::kMaxMs;
  out["buckets"] = Histogram::kBuckets;
  return out;
}

ordered_json to_json(const engine::RunResult& r) {
  const bool rate_mode = r.config.rate > 0;
  ordered_json out;
  out["schema"] = std::string(kSchema);
  out["histogram_layout"] = histogram_layout();
  out["config"] = config(r.config);
  if (r.config.shard) {
    out["shard"] = {{"index", r.config.shard->index}, {"count", r.config.shard->count}};
  } else {
    out["shard"] = nullptr;
  }
  out["summary"] = summary(r, rate_mode);
  // In rate mode `latency` is response time, measured from when each request was due.
  out["latency"] = latency(r.latency);
  if (rate_mode) {
    out["service_time"] = latency(r.service_time);
    out["gated_on"] = "response_time";
  }
  ordered_json phases;
  phases["wait_conn"] = phase(r.phases.wait_conn);
  phases["dial"] = phase(r.phases.dial);
  phases["tls"] = phase(r.phases.tls);
  phases["write"] = phase(r.phases.write);
  phases["first_byte"] = phase(r.phases.first_byte);
  phases["body"] = phase(r.phases.body);
  out["phases"] = std::move(phases);
  ordered_json codes = ordered_json::object();
  for (const auto& [code, n] : r.status_codes) codes[std::to_string(code)] = n;
  out["status_codes"] = std::move(codes);
  // Every kind is listed, zeros included, so that a gate can read any of them without a check.
  ordered_json kinds = ordered_json::object();
  for (int k = 0; k < engine::kErrorKinds; ++k) {
    kinds[engine::to_string(static_cast<engine::ErrorKind>(k))] = 0;
  }
  for (const auto& [kind, n] : r.errors_by_kind) kinds[kind] = n;
  out["errors_by_kind"] = std::move(kinds);
  // The first message seen for each kind that occurred, as hey shows them.
  ordered_json examples = ordered_json::object();
  for (const auto& [kind, message] : r.error_examples) examples[kind] = message;
  out["error_examples"] = std::move(examples);
  ordered_json hosts = ordered_json::object();
  for (const auto& [key, h] : r.hosts) hosts[key] = host(h);
  out["hosts"] = std::move(hosts);
  out["timeline"] = timeline_json(r.timeline, r.config);
  return out;
}

}  // namespace hload::reporters
