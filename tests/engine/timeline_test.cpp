// The timeline's parts on their own: sparse histograms agree with dense ones, a timeline stays
// bounded however many intervals it is given and keeps every count, a thread's accumulator puts
// each record in its interval, and the recorder closes intervals in order with exact totals.

#include "engine/timeline.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

#include "engine/sparse_histogram.hpp"
#include "engine/timeline_accumulator.hpp"
#include "engine/timeline_recorder.hpp"

namespace hload::engine {
namespace {

using namespace std::chrono_literals;

TEST(SparseHistogram, AgreesWithTheDenseHistogramItWasMadeFrom) {
  std::mt19937 rng(7);
  std::lognormal_distribution<double> ms(1.0, 1.5);
  Histogram a;
  Histogram b;
  for (int i = 0; i < 5000; ++i) a.record_ms(ms(rng));
  for (int i = 0; i < 3000; ++i) b.record_ms(ms(rng) * 10);
  a.record_ms(0.0);          // the underflow bucket
  b.record_ms(2'000'000.0);  // the overflow bucket
  SparseHistogram sa(a);
  const SparseHistogram sb(b);
  EXPECT_EQ(sa.count(), a.count());
  EXPECT_EQ(sa.bucket_count(), a.buckets().size());
  EXPECT_LT(sa.bucket_count(), static_cast<std::size_t>(Histogram::kSlots));
  sa.merge(sb);
  a.merge(b);
  ASSERT_EQ(sa.count(), a.count());
  EXPECT_EQ(sa.min_ms(), a.min_ms());
  EXPECT_EQ(sa.max_ms(), a.max_ms());
  for (double q : {0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    EXPECT_EQ(sa.percentile_ms(q), a.percentile_ms(q)) << q;
  }
  const auto dense = a.buckets();
  const auto sparse = sa.buckets();
  ASSERT_EQ(sparse.size(), dense.size());
  for (std::size_t i = 0; i < dense.size(); ++i) {
    EXPECT_EQ(sparse[i].index, dense[i].index);
    EXPECT_EQ(sparse[i].count, dense[i].count);
  }
}

TEST(SparseHistogram, EmptyHasNoPercentiles) {
  SparseHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile_ms(0.99), 0.0);
  h.merge(SparseHistogram());
  EXPECT_EQ(h.bucket_count(), 0u);
}

// interval_of makes an interval of `requests` requests, one of them at latency_ms.
TimelineInterval interval_of(std::uint64_t requests, double latency_ms) {
  TimelineInterval in;
  in.requests = requests;
  in.ok = requests;
  Histogram h;
  h.record_ms(latency_ms);
  in.latency = SparseHistogram(h);
  in.hosts.resize(1);
  in.hosts[0].dials = 1;
  in.hosts[0].open = static_cast<int>(requests);
  return in;
}

TEST(Timeline, AHundredThousandIntervalsStayBoundedAndKeepEveryCount) {
  Timeline t(1s, 1'700'000'000'000, Timeline::kMaxIntervals);
  std::uint64_t requests = 0;
  std::size_t most_kept = 0;
  for (std::uint64_t k = 0; k < 100'000; ++k) {
    // Latencies that wander over a wide range, so merged intervals gather many buckets.
    t.append(interval_of(k % 97 + 1, 0.5 + static_cast<double>(k % 5000)));
    requests += k % 97 + 1;
    most_kept = std::max(most_kept, t.intervals().size());
  }
  EXPECT_LE(most_kept, Timeline::kMaxIntervals);
  EXPECT_GT(t.intervals().size(), Timeline::kMaxIntervals / 2);
  // 100,000 s in at most 1,024 intervals: each 128 s wide (2^7 s).
  EXPECT_EQ(t.width(), 128s);
  EXPECT_EQ(t.appended(), 100'000u);
  EXPECT_EQ(t.intervals().size(), (100'000u + 127) / 128);
  std::uint64_t kept = 0;
  std::uint64_t dials = 0;
  std::size_t buckets = 0;
  for (std::size_t i = 0; i < t.intervals().size(); ++i) {
    const TimelineInterval& in = t.intervals()[i];
    kept += in.requests;
    dials += in.hosts[0].dials;
    buckets += in.latency.bucket_count();
    EXPECT_EQ(in.latency.count(), std::min<std::uint64_t>(128, 100'000 - 128 * i)) << i;
  }
  EXPECT_EQ(kept, requests);
  EXPECT_EQ(dials, 100'000u);
  // Sparse: no interval holds more than its 128 distinct latencies' buckets.
  EXPECT_LE(buckets, t.intervals().size() * 128);
}

TEST(Timeline, MergingPairsKeepsTheirOrderAndTheLaterEndState) {
  Timeline t(100ms, 0, 4);
  for (std::uint64_t k = 0; k < 9; ++k) t.append(interval_of(k + 1, 1.0));
  // 9 intervals of 100 ms in at most 4: 400 ms each, the last still filling.
  EXPECT_EQ(t.width(), 400ms);
  ASSERT_EQ(t.intervals().size(), 3u);
  EXPECT_EQ(t.intervals()[0].requests, 1u + 2 + 3 + 4);
  EXPECT_EQ(t.intervals()[1].requests, 5u + 6 + 7 + 8);
  EXPECT_EQ(t.intervals()[2].requests, 9u);
  // open is a sample at the interval's end: that of the last part merged.
  EXPECT_EQ(t.intervals()[0].hosts[0].open, 4);
  EXPECT_EQ(t.intervals()[1].hosts[0].open, 8);
  t.extend_last(interval_of(10, 1.0));
  EXPECT_EQ(t.intervals().size(), 3u);
  EXPECT_EQ(t.intervals()[2].requests, 19u);
}

const pool::TimePoint kStart{std::chrono::hours(1)};

pool::GotConnInfo handoff(pool::Duration wait) {
  pool::GotConnInfo c;
  c.outcome = pool::AcquireOutcome::handoff;
  c.wait = wait;
  return c;
}

TEST(TimelineAccumulator, RecordsGoToTheIntervalOfTheirTime) {
  TimelineAccumulator acc(kStart, 1s);
  acc.record_request(kStart + 100ms, true, std::nullopt, 5ms, 100);
  acc.record_request(kStart + 900ms, false, std::nullopt, 7ms, 50);
  acc.record_request(kStart + 2500ms, false, ErrorKind::timeout, 20ms, 0);
  acc.record_got_conn(kStart + 2600ms, 1, handoff(3ms));
  acc.record_queued_at_limit(kStart + 2600ms, 1, 3ms);
  const auto parts = acc.take_all();
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].index, 0u);
  EXPECT_EQ(parts[0].data.requests, 2u);
  EXPECT_EQ(parts[0].data.ok, 1u);
  EXPECT_EQ(parts[0].data.http_errors, 1u);
  EXPECT_EQ(parts[0].data.bytes_in, 150u);
  EXPECT_EQ(parts[0].data.latency.count(), 2u);
  EXPECT_EQ(parts[1].index, 2u);
  EXPECT_EQ(parts[1].data.failed(), 1u);
  EXPECT_EQ(parts[1].data.errors[static_cast<int>(ErrorKind::timeout)], 1u);
  ASSERT_EQ(parts[1].data.hosts.size(), 2u);
  EXPECT_EQ(parts[1].data.hosts[1].wait_idle.count(), 1u);
  EXPECT_EQ(parts[1].data.hosts[1].wait_permit.count(), 0u);
  EXPECT_EQ(parts[1].data.hosts[1].queued_at_limit.count(), 1u);
  EXPECT_TRUE(acc.take_all().empty());
}

TEST(TimelineAccumulator, NothingIsRecordedInAnIntervalAlreadyHandedOver) {
  TimelineAccumulator acc(kStart, 1s);
  acc.record_request(kStart + 1200ms, true, std::nullopt, 1ms, 0);
  acc.record_request(kStart + 2100ms, true, std::nullopt, 1ms, 0);
  auto through1 = acc.take_through(1);
  ASSERT_EQ(through1.size(), 1u);
  EXPECT_EQ(through1[0].index, 1u);
  // Interval 2 was under way and is not handed over; a record that a slow clock places in
  // interval 1 goes to interval 2, after what was handed over.
  acc.record_request(kStart + 1900ms, true, std::nullopt, 1ms, 0);
  const auto rest = acc.take_all();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].index, 2u);
  EXPECT_EQ(rest[0].data.requests, 2u);
}

HostSample host_at(int open, std::uint64_t dials, std::uint64_t run_end_closes) {
  HostSample s;
  s.index = 0;
  s.key = "http://127.0.0.1:1";
  s.open = open;
  s.dials = dials;
  s.closes[static_cast<int>(pool::CloseReason::run_end)] = run_end_closes;
  return s;
}

IntervalPart part(std::uint64_t index, std::uint64_t requests) {
  IntervalPart p;
  p.index = index;
  p.data.requests = requests;
  p.data.ok = requests;
  return p;
}

// Half a day of 1 s intervals, recorded by a thread's accumulator and closed by the recorder as
// a run would: the timeline keeps at most kMaxIntervals, each no bigger than the latencies it
// saw, and loses no request or dial.
TEST(TimelineRecorder, HalfADayOfIntervalsStaysBoundedAndKeepsEveryCount) {
  constexpr std::uint64_t kIntervals = 12 * 3600;
  constexpr std::uint64_t kLatencies = 40;  // distinct latencies, cycled through
  TimelineAccumulator acc(kStart, 1s);
  TimelineRecorder rec(1s, kStart, 0, 1);
  std::uint64_t requests = 0;
  for (std::uint64_t k = 0; k < kIntervals; ++k) {
    const pool::TimePoint at = kStart + std::chrono::seconds(k) + 500ms;
    for (std::uint64_t r = 0; r < k % 3 + 1; ++r) {
      const auto latency = std::chrono::milliseconds(1 + (k + r) % kLatencies);
      acc.record_request(at, true, std::nullopt, latency, 10);
      acc.record_got_conn(at, 0, handoff(latency));
      ++requests;
    }
    rec.on_interval_end(k, {host_at(1, k + 1, 0)});
    rec.deliver(k, acc.take_through(k));
  }
  const Timeline t =
      rec.finish(std::chrono::seconds(kIntervals), {host_at(0, kIntervals, 1)}, acc.take_all());
  EXPECT_LE(t.intervals().size(), Timeline::kMaxIntervals);
  EXPECT_GT(t.intervals().size(), Timeline::kMaxIntervals / 2);
  EXPECT_EQ(t.width(), 64s);  // 43,200 s in at most 1,024 intervals: 2^6 s each
  std::uint64_t kept = 0;
  std::uint64_t dials = 0;
  std::size_t buckets = 0;
  for (const TimelineInterval& in : t.intervals()) {
    kept += in.requests;
    ASSERT_EQ(in.hosts.size(), 1u);
    dials += in.hosts[0].dials;
    buckets += in.latency.bucket_count() + in.hosts[0].wait_idle.bucket_count();
  }
  EXPECT_EQ(kept, requests);
  EXPECT_EQ(dials, kIntervals);
  // Sparse: each interval holds at most a bucket per distinct latency, in each histogram.
  EXPECT_LE(buckets, t.intervals().size() * 2 * kLatencies);
}

TEST(TimelineRecorder, ClosesAnIntervalOnceEveryThreadSealedIt) {
  TimelineRecorder rec(1s, kStart, 1'000, 2);
  EXPECT_EQ(rec.end_of(0), kStart + 1s);
  rec.on_interval_end(0, {host_at(3, 3, 0)});
  rec.deliver(0, {part(0, 10)});
  // Thread 2 answers interval 1 before interval 0 is complete: nothing closes out of order.
  rec.on_interval_end(1, {host_at(4, 5, 0)});
  rec.deliver(1, {part(1, 7)});
  rec.deliver(0, {part(0, 5)});
  // The run ends in interval 2, 2.5 s in; thread 1 never sealed interval 1.
  const Timeline t = rec.finish(2500ms, {host_at(0, 6, 6)}, {part(1, 1), part(2, 4)});
  ASSERT_EQ(t.intervals().size(), 3u);
  EXPECT_EQ(t.intervals()[0].requests, 15u);
  EXPECT_EQ(t.intervals()[1].requests, 8u);
  EXPECT_EQ(t.intervals()[2].requests, 4u);
  // Dials and closes by difference of the pool's counters, so their sum is its total.
  EXPECT_EQ(t.intervals()[0].hosts[0].dials, 3u);
  EXPECT_EQ(t.intervals()[1].hosts[0].dials, 2u);
  EXPECT_EQ(t.intervals()[2].hosts[0].dials, 1u);
  EXPECT_EQ(t.intervals()[2].hosts[0].closes[static_cast<int>(pool::CloseReason::run_end)], 6u);
  EXPECT_EQ(t.intervals()[1].hosts[0].open, 4);
  EXPECT_EQ(t.intervals()[2].hosts[0].open, 0);
  EXPECT_EQ(t.elapsed, 2500ms);
  EXPECT_EQ(t.start_unix_ms(), 1'000);
  ASSERT_EQ(t.host_keys.size(), 1u);
  EXPECT_EQ(t.host_keys[0], "http://127.0.0.1:1");
}

TEST(TimelineRecorder, ASliverAtTheEndIsCountedInTheIntervalBefore) {
  TimelineRecorder rec(1s, kStart, 0, 1);
  rec.on_interval_end(0, {host_at(2, 2, 0)});
  rec.deliver(0, {part(0, 100)});
  rec.on_interval_end(1, {host_at(2, 2, 0)});
  rec.deliver(1, {part(1, 100)});
  // 2.0004 s: interval 2 would last 0.4 ms.
  const Timeline t = rec.finish(2000400us, {host_at(0, 2, 2)}, {part(2, 1)});
  ASSERT_EQ(t.intervals().size(), 2u);
  EXPECT_EQ(t.intervals()[1].requests, 101u);
  EXPECT_EQ(t.intervals()[1].hosts[0].open, 0);
  EXPECT_EQ(t.intervals()[1].hosts[0].closes[static_cast<int>(pool::CloseReason::run_end)], 2u);
}

TEST(TimelineRecorder, ClosesMadeAfterTheLastIntervalClosedAreInIt) {
  TimelineRecorder rec(1s, kStart, 0, 1);
  rec.on_interval_end(0, {host_at(2, 2, 0)});
  rec.deliver(0, {part(0, 9)});
  // The run ended at 0.9 s, but the timer closed interval 0 before the end was seen.
  const Timeline t = rec.finish(900ms, {host_at(0, 2, 2)}, {});
  ASSERT_EQ(t.intervals().size(), 1u);
  EXPECT_EQ(t.intervals()[0].requests, 9u);
  EXPECT_EQ(t.intervals()[0].hosts[0].dials, 2u);
  EXPECT_EQ(t.intervals()[0].hosts[0].closes[static_cast<int>(pool::CloseReason::run_end)], 2u);
}

}  // namespace
}  // namespace hload::engine
