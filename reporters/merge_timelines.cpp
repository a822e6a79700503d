#include "reporters/merge_timelines.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "reporters/format.hpp"

namespace hload::reporters {
namespace {

using nlohmann::ordered_json;

constexpr int kMsDecimals = 3;  // 1 us, as the rest of the report

// Bucket is one coarse latency bucket of a merged interval: where it ends (null for the
// overflow bucket) and what it counted. Buckets are keyed by where they start; every report
// draws its edges from the same histogram layout, so equal edges are equal numbers.
struct Bucket {
  std::optional<double> upper;
  std::uint64_t count = 0;
};

// Samples are what a host looked like at an interval's end.
struct Samples {
  std::int64_t open = 0;
  std::int64_t waiters = 0;
  std::int64_t permit_waiters = 0;
};

// HostSlot is one host's part of a merged interval.
struct HostSlot {
  Samples samples;
  std::uint64_t dials = 0;
  std::map<std::string, std::uint64_t> closes;
  std::optional<double> wait_idle_p99;
  std::optional<double> wait_permit_p99;
  std::optional<double> queued_at_limit_p99;
};

// Slot is a merged interval as it is summed.
struct Slot {
  std::uint64_t requests = 0;
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t http_errors = 0;
  std::uint64_t bytes_in = 0;
  std::map<std::string, std::uint64_t> errors;
  std::map<double, Bucket> latency;
  std::optional<double> max_ms;
  std::map<std::string, HostSlot> hosts;
};

std::string in_quotes(const std::string& name) { return ordered_json(name).dump(); }

// larger is the larger of a and the duration b, which is null when nothing was measured.
std::optional<double> larger(std::optional<double> a, const ordered_json& b) {
  if (b.is_null()) return a;
  const auto v = b.get<double>();
  return a ? std::max(*a, v) : v;
}

ordered_json or_null(std::optional<double> v) { return v ? ordered_json(*v) : ordered_json(); }

std::optional<double> number_or_empty(const ordered_json& j) {
  if (j.is_null()) return std::nullopt;
  return j.get<double>();
}

void add_counts(const ordered_json& from, std::map<std::string, std::uint64_t>& to) {
  for (const auto& [key, n] : from.items()) to[key] += n.get<std::uint64_t>();
}

void add_latency(const ordered_json& latency, Slot& s) {
  s.max_ms = larger(s.max_ms, latency.at("max_ms"));
  const ordered_json& h = latency.at("histogram");
  const ordered_json& lower = h.at("lower_ms");
  const ordered_json& upper = h.at("bounds_ms");
  const ordered_json& counts = h.at("counts");
  for (std::size_t i = 0; i < counts.size(); ++i) {
    Bucket& b = s.latency[lower.at(i).get<double>()];
    b.upper = number_or_empty(upper.at(i));
    b.count += counts.at(i).get<std::uint64_t>();
  }
}

// add_interval counts interval `iv` of one input in s; its end-of-interval samples go to
// `last`, where a later interval of the same input replaces them.
void add_interval(const ordered_json& iv, Slot& s, std::map<std::string, Samples>& last) {
  s.requests += iv.at("requests").get<std::uint64_t>();
  s.ok += iv.at("ok").get<std::uint64_t>();
  s.failed += iv.at("failed").get<std::uint64_t>();
  s.http_errors += iv.at("http_errors").get<std::uint64_t>();
  s.bytes_in += iv.at("bytes_in").get<std::uint64_t>();
  add_counts(iv.at("errors_by_kind"), s.errors);
  add_latency(iv.at("latency"), s);
  for (const auto& [key, h] : iv.at("hosts").items()) {
    HostSlot& hs = s.hosts[key];
    hs.dials += h.at("dials").get<std::uint64_t>();
    add_counts(h.at("closes"), hs.closes);
    hs.wait_idle_p99 = larger(hs.wait_idle_p99, h.at("wait_idle_p99_ms"));
    hs.wait_permit_p99 = larger(hs.wait_permit_p99, h.at("wait_permit_p99_ms"));
    hs.queued_at_limit_p99 = larger(hs.queued_at_limit_p99, h.at("queued_at_limit_p99_ms"));
    last[key] = {h.at("open").get<std::int64_t>(), h.at("waiters").get<std::int64_t>(),
                 h.at("permit_waiters").get<std::int64_t>()};
  }
}

// percentile reads quantile q from s's merged buckets, as the engine's histograms do: the
// geometric middle of the bucket the rank falls in, never above the largest latency.
ordered_json percentile(const Slot& s, double q) {
  std::uint64_t total = 0;
  for (const auto& [lower, b] : s.latency) total += b.count;
  if (total == 0 || !s.max_ms) return nullptr;
  const double max = *s.max_ms;
  const double rank = q * static_cast<double>(total);
  double seen = 0;
  for (const auto& [lower, b] : s.latency) {
    seen += static_cast<double>(b.count);
    if (seen < rank) continue;
    if (!b.upper) return rounded(max, kMsDecimals);
    const double upper = *b.upper;
    const double mid = lower > 0 ? std::sqrt(lower * upper) : upper;
    return rounded(std::min(mid, max), kMsDecimals);
  }
  return rounded(max, kMsDecimals);
}

ordered_json latency_json(const Slot& s) {
  ordered_json out;
  out["p50_ms"] = percentile(s, 0.50);
  out["p90_ms"] = percentile(s, 0.90);
  out["p99_ms"] = percentile(s, 0.99);
  out["max_ms"] = or_null(s.max_ms);
  ordered_json lower = ordered_json::array();
  ordered_json upper = ordered_json::array();
  ordered_json counts = ordered_json::array();
  for (const auto& [l, b] : s.latency) {
    lower.push_back(l);
    upper.push_back(or_null(b.upper));
    counts.push_back(b.count);
  }
  out["histogram"] = {{"lower_ms", lower}, {"bounds_ms", upper}, {"counts", counts}};
  return out;
}

ordered_json host_json(const HostSlot& h) {
  ordered_json out;
  out["open"] = h.samples.open;
  out["dials"] = h.dials;
  ordered_json closes = ordered_json::object();
  for (const auto& [reason, n] : h.closes) closes[reason] = n;
  out["closes"] = std::move(closes);
  out["waiters"] = h.samples.waiters;
  out["permit_waiters"] = h.samples.permit_waiters;
  out["wait_idle_p99_ms"] = or_null(h.wait_idle_p99);
  out["wait_permit_p99_ms"] = or_null(h.wait_permit_p99);
  out["queued_at_limit_p99_ms"] = or_null(h.queued_at_limit_p99);
  return out;
}

ordered_json interval_json(const Slot& s, std::int64_t start_unix_ms, double duration_ms) {
  ordered_json out;
  out["start_unix_ms"] = start_unix_ms;
  out["duration_ms"] = rounded(duration_ms, kMsDecimals);
  out["requests"] = s.requests;
  out["ok"] = s.ok;
  out["failed"] = s.failed;
  out["http_errors"] = s.http_errors;
  ordered_json kinds = ordered_json::object();
  for (const auto& [kind, n] : s.errors) kinds[kind] = n;
  out["errors_by_kind"] = std::move(kinds);
  out["latency"] = latency_json(s);
  out["bytes_in"] = s.bytes_in;
  ordered_json hosts = ordered_json::object();
  for (const auto& [key, h] : s.hosts) hosts[key] = host_json(h);
  out["hosts"] = std::move(hosts);
  return out;
}

// Input is a report's timeline with its name.
struct Input {
  const std::string* name;
  const ordered_json* timeline;
};

std::int64_t positive_ms(const Input& in, const char* field) {
  const std::int64_t v = in.timeline->at(field).get<std::int64_t>();
  if (v <= 0) {
    throw MergeError(in_quotes(*in.name) + ": its timeline's " + field + " is " +
                     std::to_string(v) + ", not a positive number of milliseconds");
  }
  return v;
}

ordered_json merge(const std::vector<Input>& inputs) {
  std::int64_t width = 0;
  const Input* widest = nullptr;
  std::int64_t start = std::numeric_limits<std::int64_t>::max();
  std::int64_t base = std::numeric_limits<std::int64_t>::max();
  std::int64_t warmup = 0;
  for (const Input& in : inputs) {
    const std::int64_t w = positive_ms(in, "interval_ms");
    if (w > width) {
      width = w;
      widest = &in;
    }
    start = std::min(start, in.timeline->at("start_unix_ms").get<std::int64_t>());
    base = std::min(base, positive_ms(in, "base_interval_ms"));
    warmup = std::max(warmup, in.timeline->at("warmup_ms").get<std::int64_t>());
  }
  for (const Input& in : inputs) {
    const std::int64_t w = in.timeline->at("interval_ms").get<std::int64_t>();
    if (width % w != 0) {
      throw MergeError(in_quotes(*in.name) + " has intervals of " + std::to_string(w) +
                       " ms, which do not divide the " + std::to_string(width) + " ms of " +
                       in_quotes(*widest->name) + ": their timelines cannot be laid together");
    }
  }

  std::vector<Slot> slots;
  double elapsed = 0;
  for (const Input& in : inputs) {
    const ordered_json& t = *in.timeline;
    const auto offset = static_cast<double>(t.at("start_unix_ms").get<std::int64_t>() - start);
    elapsed = std::max(elapsed, offset + t.at("elapsed_ms").get<double>());
    std::map<std::size_t, std::map<std::string, Samples>> last;  // by slot, by host
    for (const ordered_json& iv : t.at("intervals")) {
      const auto k =
          static_cast<std::size_t>((iv.at("start_unix_ms").get<std::int64_t>() - start) / width);
      if (slots.size() <= k) slots.resize(k + 1);
      add_interval(iv, slots[k], last[k]);
    }
    for (const auto& [k, hosts] : last) {
      for (const auto& [key, s] : hosts) {
        Samples& to = slots[k].hosts[key].samples;
        to.open += s.open;
        to.waiters += s.waiters;
        to.permit_waiters += s.permit_waiters;
      }
    }
  }
  const auto covered = static_cast<std::size_t>(std::ceil(elapsed / static_cast<double>(width)));
  if (slots.size() < covered) slots.resize(covered);

  ordered_json out;
  out["interval_ms"] = width;
  out["base_interval_ms"] = base;
  out["start_unix_ms"] = start;
  out["elapsed_ms"] = rounded(elapsed, kMsDecimals);
  out["warmup_ms"] = warmup;
  ordered_json intervals = ordered_json::array();
  for (std::size_t k = 0; k < slots.size(); ++k) {
    const double begin = static_cast<double>(k) * static_cast<double>(width);
    const double length = std::clamp(elapsed - begin, 0.0, static_cast<double>(width));
    intervals.push_back(
        interval_json(slots[k], start + static_cast<std::int64_t>(k) * width, length));
  }
  out["intervals"] = std::move(intervals);
  return out;
}

}  // namespace

ordered_json merge_timelines(const std::vector<NamedReport>& inputs) {
  std::vector<Input> with;
  for (const NamedReport& in : inputs) {
    const auto t = in.report.find("timeline");
    if (t != in.report.end() && t->is_object()) with.push_back({&in.name, &*t});
  }
  if (with.empty()) return nullptr;
  try {
    return merge(with);
  } catch (const nlohmann::json::exception& e) {
    throw MergeError("a timeline cannot be read back: " + std::string(e.what()));
  }
}

}  // namespace hload::reporters
