#include "reporters/json_reader.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "reporters/json_report.hpp"

namespace hload::reporters {
namespace {

using engine::Histogram;
using nlohmann::ordered_json;

// Field is a place in the report, with its path for messages.
struct Field {
  const ordered_json& value;
  std::string path;

  [[noreturn]] void fail(const std::string& why) const {
    throw ReportFormatError(path + " " + why);
  }

  Field at(const std::string& name) const {
    if (!value.is_object()) fail("is not an object");
    const auto it = value.find(name);
    if (it == value.end()) throw ReportFormatError(path + "." + name + " is missing");
    return {*it, path + "." + name};
  }
  bool has(const std::string& name) const { return value.is_object() && value.contains(name); }

  std::uint64_t count() const {
    if (!value.is_number_unsigned() &&
        !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
      fail("is not a count");
    }
    return value.get<std::uint64_t>();
  }
  // number reads a double; null (written for a value JSON has none for) reads as 0.
  double number() const {
    if (value.is_null()) return 0.0;
    if (!value.is_number()) fail("is not a number");
    return value.get<double>();
  }
  bool boolean() const {
    if (!value.is_boolean()) fail("is not true or false");
    return value.get<bool>();
  }
  // text reads a string; null reads as "".
  std::string text() const {
    if (value.is_null()) return {};
    if (!value.is_string()) fail("is not text");
    return value.get<std::string>();
  }
  const ordered_json& array() const {
    if (!value.is_array()) fail("is not a list");
    return value;
  }
};

Histogram histogram_of(const Field& owner) {
  const Field h = owner.at("histogram");
  const ordered_json& index = h.at("index").array();
  const ordered_json& counts = h.at("counts").array();
  if (index.size() != counts.size()) h.fail("has index and counts of different lengths");
  std::vector<Histogram::Bucket> buckets;
  for (std::size_t i = 0; i < index.size(); ++i) {
    const Field slot{index[i], h.path + ".index[" + std::to_string(i) + "]"};
    const Field n{counts[i], h.path + ".counts[" + std::to_string(i) + "]"};
    if (!index[i].is_number_integer()) slot.fail("is not a bucket number");
    buckets.push_back({index[i].get<int>(), 0, 0, n.count()});
  }
  try {
    return Histogram::restored(buckets, h.at("sum_ms").number(), h.at("min_ms").number(),
                               h.at("max_ms").number());
  } catch (const std::invalid_argument& e) {
    h.fail(std::string("has a ") + e.what());
  }
}

engine::HostResult host_of(const Field& f) {
  engine::HostResult h;
  h.requests = f.at("requests").count();
  h.dials = f.at("dials").count();
  h.dial_errors = f.at("dial_errors").count();
  h.tls_handshakes = f.at("tls_handshakes").count();
  h.tls_resumed = f.at("tls_resumed").count();
  h.tls_handshake = histogram_of(f.at("tls_handshake"));
  h.tls_version = f.at("tls_version").text();
  h.tls_cipher = f.at("tls_cipher").text();
  h.alpn = f.at("alpn").text();
  // A fallback is the only way the report shows that HTTP/2 was asked for, and the only thing
  // the asking changes.
  h.asked_http2 = f.at("http2_fallback").boolean();
  h.http1_conns = f.at("http1_conns").count();
  h.http2_conns = f.at("http2_conns").count();
  h.max_streams_per_conn = static_cast<int>(f.at("streams_max").count());
  h.streams_started = f.at("streams_started").count();
  h.streams_in_flight_sum = f.at("streams_in_flight_sum").count();
  h.goaways = f.at("goaways").count();
  h.refused_retries = f.at("refused_retries").count();
  h.reused = f.at("reused").count();
  h.retries = f.at("retries").count();
  h.dials_cancelled = f.at("dials_cancelled").count();
  h.max_open_conns = static_cast<int>(f.at("max_open_conns").count());
  const Field acquire = f.at("acquire");
  for (int i = 0; i < pool::kAcquireOutcomes; ++i) {
    h.acquire[i] = acquire.at(pool::to_string(static_cast<pool::AcquireOutcome>(i))).count();
  }
  const Field closes = f.at("closes");
  for (int i = 0; i < pool::kCloseReasons; ++i) {
    h.closes[i] = closes.at(pool::to_string(static_cast<pool::CloseReason>(i))).count();
  }
  h.wait_idle = histogram_of(f.at("wait_idle"));
  h.wait_permit = histogram_of(f.at("wait_permit"));
  h.queued_at_limit = histogram_of(f.at("queued_at_limit"));
  return h;
}

engine::Duration warmup_of(const Field& config) {
  return std::chrono::duration_cast<engine::Duration>(
      std::chrono::duration<double>(config.at("warmup_s").number()));
}

// read_config reads a run's config, or a merged report's list of its inputs' configs: their
// rates together and the longest warm-up.
void read_config(const Field& report, engine::RunResult& r) {
  const Field c = report.at("config");
  if (!c.value.is_array()) {
    r.config.rate = c.at("rate").number();
    r.config.warmup = warmup_of(c);
  }
  for (std::size_t i = 0; c.value.is_array() && i < c.value.size(); ++i) {
    const Field one{c.value[i], c.path + "[" + std::to_string(i) + "]"};
    r.config.rate += one.at("rate").number();
    r.config.warmup = std::max(r.config.warmup, warmup_of(one));
  }
  const Field shard = report.at("shard");
  if (!shard.value.is_null()) {
    r.config.shard = engine::Shard{static_cast<int>(shard.at("index").count()),
                                   static_cast<int>(shard.at("count").count())};
  }
}

void read_summary(const Field& report, engine::RunResult& r) {
  const Field s = report.at("summary");
  r.requests = s.at("requests").count();
  r.ok = s.at("ok").count();
  r.errors = s.at("errors").count();
  r.redirects = s.at("redirects").count();
  r.unfinished = s.at("unfinished").count();
  r.unfinished_oldest_ms = s.at("unfinished_oldest_ms").number();
  r.dropped = s.at("dropped").count();
  r.elapsed_s = s.at("elapsed_s").number();
  r.bytes_in = s.at("bytes_in").count();
  r.bytes_out = s.at("bytes_out").count();
  r.body_bytes = s.at("body_bytes").count();
  r.interrupted = s.at("interrupted").boolean();
  r.abandoned = s.at("abandoned").boolean();
  r.warmup_requests = s.at("warmup_requests").count();
  if (r.config.rate > 0) r.late_starts = s.at("late_starts").count();
}

}  // namespace

engine::RunResult result_from_json(const ordered_json& report) {
  const Field root{report, "report"};
  if (!report.is_object()) root.fail("is not a JSON object");
  if (root.at("schema").text() != kSchema) {
    throw ReportFormatError("report is of schema " + root.at("schema").value.dump() + ", not \"" +
                            std::string(kSchema) + "\"");
  }
  if (!root.has("histogram_layout")) {
    throw ReportFormatError("report has no histogram_layout (an older hload wrote it)");
  }
  if (root.at("histogram_layout").value != histogram_layout()) {
    throw ReportFormatError("report's histogram_layout " +
                            root.at("histogram_layout").value.dump() + " is not this hload's " +
                            histogram_layout().dump());
  }
  engine::RunResult r;
  read_config(root, r);
  read_summary(root, r);
  r.latency = histogram_of(root.at("latency"));
  if (r.config.rate > 0) r.service_time = histogram_of(root.at("service_time"));
  const Field phases = root.at("phases");
  r.phases.wait_conn = histogram_of(phases.at("wait_conn"));
  r.phases.dial = histogram_of(phases.at("dial"));
  r.phases.tls = histogram_of(phases.at("tls"));
  r.phases.write = histogram_of(phases.at("write"));
  r.phases.first_byte = histogram_of(phases.at("first_byte"));
  r.phases.body = histogram_of(phases.at("body"));
  for (const auto& [code, n] : root.at("status_codes").value.items()) {
    const Field f{n, "report.status_codes." + code};
    try {
      r.status_codes[std::stoi(code)] = f.count();
    } catch (const std::logic_error&) {
      f.fail("is not a status code");
    }
  }
  for (const auto& [kind, n] : root.at("errors_by_kind").value.items()) {
    const std::uint64_t count = Field{n, "report.errors_by_kind." + kind}.count();
    if (count > 0) r.errors_by_kind[kind] = count;
  }
  for (const auto& [kind, message] : root.at("error_examples").value.items()) {
    r.error_examples[kind] = Field{message, "report.error_examples." + kind}.text();
  }
  const Field hosts = root.at("hosts");
  for (const auto& [key, h] : hosts.value.items()) {
    r.hosts[key] = host_of(Field{h, "report.hosts." + key});
  }
  return r;
}

}  // namespace hload::reporters
