#include "reporters/timeline_json.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "engine/error_kind.hpp"
#include "reporters/format.hpp"

namespace hload::reporters {

namespace {

using engine::Histogram;
using engine::SparseHistogram;
using nlohmann::ordered_json;

constexpr int kMsDecimals = 3;  // 1 us, as the rest of the report
// kCoarse is how many of Histogram's buckets an interval's histogram puts in one: about 27%
// wide, ten a decade, so that a thousand intervals stay small in the report.
constexpr int kCoarse = 16;

std::int64_t whole_ms(engine::Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// ms is a duration read from a histogram, null when it holds nothing.
ordered_json ms(const SparseHistogram& h, double value) {
  if (h.count() == 0 || !std::isfinite(value)) return nullptr;
  return rounded(value, kMsDecimals);
}

// coarse_of is the coarse bucket of Histogram's bucket `index`, as the index of the first fine
// bucket in it; the underflow and overflow buckets stay their own.
int coarse_of(int index) {
  if (index <= 0 || index >= Histogram::kSlots - 1) return index;
  return 1 + (index - 1) / kCoarse * kCoarse;
}

// coarse_upper is where the coarse bucket that starts at fine bucket `first` ends; null for the
// overflow bucket.
ordered_json coarse_upper(int first) {
  if (first >= Histogram::kSlots - 1) return nullptr;
  if (first == 0) return Histogram::lower_edge_ms(1);
  return Histogram::lower_edge_ms(std::min(first + kCoarse, Histogram::kSlots - 1));
}

// histogram has the shape of the report's other histograms, in coarse buckets whose edges are
// edges of the fine ones, written unrounded: intervals merge exactly with one another, and the
// report's fine histograms can be summed into the same buckets exactly.
ordered_json histogram(const SparseHistogram& h) {
  ordered_json lower = ordered_json::array();
  ordered_json upper = ordered_json::array();
  ordered_json counts = ordered_json::array();
  int open = -1;  // the coarse bucket being summed
  std::uint64_t sum = 0;
  const auto flush = [&] {
    if (open < 0) return;
    lower.push_back(Histogram::lower_edge_ms(open));
    upper.push_back(coarse_upper(open));
    counts.push_back(sum);
  };
  for (const auto& b : h.buckets()) {
    const int c = coarse_of(b.index);
    if (c != open) {
      flush();
      open = c;
      sum = 0;
    }
    sum += b.count;
  }
  flush();
  ordered_json out;
  out["lower_ms"] = std::move(lower);
  out["bounds_ms"] = std::move(upper);
  out["counts"] = std::move(counts);
  return out;
}

ordered_json latency(const SparseHistogram& h) {
  ordered_json out;
  out["p50_ms"] = ms(h, h.percentile_ms(0.50));
  out["p90_ms"] = ms(h, h.percentile_ms(0.90));
  out["p99_ms"] = ms(h, h.percentile_ms(0.99));
  out["max_ms"] = ms(h, h.max_ms());
  out["histogram"] = histogram(h);
  return out;
}

ordered_json host(const engine::HostInterval& h) {
  ordered_json out;
  out["open"] = h.open;
  out["dials"] = h.dials;
  ordered_json closes = ordered_json::object();
  for (int i = 0; i < pool::kCloseReasons; ++i) {
    if (h.closes[i]) closes[pool::to_string(static_cast<pool::CloseReason>(i))] = h.closes[i];
  }
  out["closes"] = std::move(closes);
  out["waiters"] = h.waiters;
  out["permit_waiters"] = h.permit_waiters;
  out["wait_idle_p99_ms"] = ms(h.wait_idle, h.wait_idle.percentile_ms(0.99));
  out["wait_permit_p99_ms"] = ms(h.wait_permit, h.wait_permit.percentile_ms(0.99));
  out["queued_at_limit_p99_ms"] = ms(h.queued_at_limit, h.queued_at_limit.percentile_ms(0.99));
  return out;
}

ordered_json interval(const engine::Timeline& t, std::size_t i, engine::Duration length) {
  const engine::TimelineInterval& in = t.intervals()[i];
  ordered_json out;
  out["start_unix_ms"] = t.start_unix_ms() + static_cast<std::int64_t>(i) * whole_ms(t.width());
  out["duration_ms"] = rounded(std::chrono::duration<double, std::milli>(length).count(), 3);
  out["requests"] = in.requests;
  out["ok"] = in.ok;
  out["failed"] = in.failed();
  out["http_errors"] = in.http_errors;
  ordered_json kinds = ordered_json::object();
  for (int k = 0; k < engine::kErrorKinds; ++k) {
    if (in.errors[k]) kinds[engine::to_string(static_cast<engine::ErrorKind>(k))] = in.errors[k];
  }
  out["errors_by_kind"] = std::move(kinds);
  out["latency"] = latency(in.latency);
  out["bytes_in"] = in.bytes_in;
  ordered_json hosts = ordered_json::object();
  for (std::size_t h = 0; h < in.hosts.size() && h < t.host_keys.size(); ++h) {
    hosts[t.host_keys[h]] = host(in.hosts[h]);
  }
  out["hosts"] = std::move(hosts);
  return out;
}

}  // namespace

ordered_json timeline_json(const engine::Timeline& t, const engine::RunConfig& config) {
  ordered_json out;
  out["interval_ms"] = whole_ms(t.width());
  out["base_interval_ms"] = whole_ms(t.base_width());
  out["start_unix_ms"] = t.start_unix_ms();
  out["elapsed_ms"] = rounded(std::chrono::duration<double, std::milli>(t.elapsed).count(), 3);
  out["warmup_ms"] = whole_ms(config.warmup);
  ordered_json intervals = ordered_json::array();
  const std::size_t n = t.intervals().size();
  for (std::size_t i = 0; i < n; ++i) {
    const engine::Duration begin = t.width() * static_cast<std::int64_t>(i);
    const engine::Duration end = i + 1 == n ? t.elapsed : std::min(begin + t.width(), t.elapsed);
    intervals.push_back(interval(t, i, std::max(end - begin, engine::Duration::zero())));
  }
  out["intervals"] = std::move(intervals);
  return out;
}

}  // namespace hload::reporters
