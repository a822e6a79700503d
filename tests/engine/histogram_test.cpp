#include "engine/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <vector>

namespace hload::engine {
namespace {

// Log-uniform values from `from_ms` to `to_ms`: every decade gets the same number of samples,
// so each part of the range is tested as hard as the others.
std::vector<double> log_uniform(double from_ms, double to_ms, int n) {
  std::vector<double> v;
  const double decades = std::log10(to_ms / from_ms);
  for (int i = 0; i < n; ++i) v.push_back(from_ms * std::pow(10.0, decades * i / (n - 1)));
  return v;
}

// exact_percentile is the value the histogram's rank rule selects from the sorted samples.
double exact_percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::max<std::size_t>(rank, 1) - 1];
}

TEST(HistogramTest, PercentilesWithinOnePercentFromTenMicrosecondsToHundredSeconds) {
  const auto values = log_uniform(0.01, 100'000.0, 100'000);
  Histogram h;
  for (double v : values) h.record_ms(v);
  for (double q : {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999}) {
    const double want = exact_percentile(values, q);
    EXPECT_NEAR(h.percentile_ms(q), want, want * 0.01) << "q=" << q;
  }
}

TEST(HistogramTest, MedianWithinOnePercentInEveryDecade) {
  for (double from = 0.01; from < 100'000.0; from *= 10) {
    Histogram h;
    std::vector<double> values;
    // Uniform, not log-uniform, inside the decade: most samples near its top.
    for (int i = 0; i < 1000; ++i) values.push_back(from + from * 9.0 * i / 999.0);
    for (double v : values) h.record_ms(v);
    const double want = exact_percentile(values, 0.5);
    EXPECT_NEAR(h.percentile_ms(0.5), want, want * 0.01) << "decade from " << from << " ms";
  }
}

TEST(HistogramTest, UniformOneToTenThousandMilliseconds) {
  Histogram h;
  for (int ms = 1; ms <= 10'000; ++ms) h.record_ms(ms);
  EXPECT_EQ(h.count(), 10'000u);
  EXPECT_NEAR(h.percentile_ms(0.50), 5000.0, 50.0);
  EXPECT_NEAR(h.percentile_ms(0.90), 9000.0, 90.0);
  EXPECT_NEAR(h.percentile_ms(0.99), 9900.0, 99.0);
  EXPECT_NEAR(h.percentile_ms(0.999), 9990.0, 99.9);
  EXPECT_DOUBLE_EQ(h.mean_ms(), 5000.5);
  EXPECT_DOUBLE_EQ(h.sum_ms(), 50'005'000.0);
}

TEST(HistogramTest, MinAndMaxAreExactNotBucketEdges) {
  Histogram h;
  h.record_ms(3.14159);
  h.record_ms(2718.28);
  h.record_ms(42.0);
  EXPECT_DOUBLE_EQ(h.min_ms(), 3.14159);
  EXPECT_DOUBLE_EQ(h.max_ms(), 2718.28);
  // A bucket's middle never reads outside them.
  EXPECT_GE(h.percentile_ms(0.0), 3.14159);
  EXPECT_LE(h.percentile_ms(1.0), 2718.28);
}

TEST(HistogramTest, RecordsDurations) {
  Histogram h;
  h.record(std::chrono::microseconds(1500));
  EXPECT_DOUBLE_EQ(h.min_ms(), 1.5);
}

TEST(HistogramTest, EmptyHistogramReadsAsZero) {
  const Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min_ms(), 0.0);
  EXPECT_EQ(h.max_ms(), 0.0);
  EXPECT_EQ(h.mean_ms(), 0.0);
  EXPECT_EQ(h.percentile_ms(0.5), 0.0);
  EXPECT_TRUE(h.buckets().empty());
}

TEST(HistogramTest, MergeEqualsRecordingIntoOne) {
  const auto values = log_uniform(0.05, 50'000.0, 20'000);
  Histogram one;
  Histogram a;
  Histogram b;
  for (std::size_t i = 0; i < values.size(); ++i) {
    one.record_ms(values[i]);
    (i % 3 == 0 ? a : b).record_ms(values[i]);
  }
  Histogram merged;
  merged.merge(a);
  merged.merge(b);
  merged.merge(Histogram{});  // merging an empty one changes nothing

  EXPECT_EQ(merged.count(), one.count());
  EXPECT_DOUBLE_EQ(merged.min_ms(), one.min_ms());
  EXPECT_DOUBLE_EQ(merged.max_ms(), one.max_ms());
  EXPECT_NEAR(merged.sum_ms(), one.sum_ms(), one.sum_ms() * 1e-12);  // summed in another order
  const auto got = merged.buckets();
  const auto want = one.buckets();
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].lower_ms, want[i].lower_ms);
    EXPECT_EQ(got[i].upper_ms, want[i].upper_ms);
    EXPECT_EQ(got[i].count, want[i].count);
  }
  for (double q : {0.0, 0.5, 0.99, 0.999, 1.0}) {
    EXPECT_EQ(merged.percentile_ms(q), one.percentile_ms(q)) << "q=" << q;
  }
}

TEST(HistogramTest, ValuesBelowTheFirstBucketLandInAnUnderflowBucket) {
  Histogram h;
  h.record_ms(0.0);
  h.record_ms(0.0002);
  h.record_ms(1.0);
  const auto b = h.buckets();
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b.front().lower_ms, 0.0);
  EXPECT_NEAR(b.front().upper_ms, Histogram::kMinMs, Histogram::kMinMs * 1e-9);
  EXPECT_EQ(b.front().count, 2u);
  EXPECT_EQ(h.min_ms(), 0.0);
  EXPECT_EQ(h.percentile_ms(0.5), 0.0);  // the underflow bucket reads as the exact minimum
}

TEST(HistogramTest, ValuesFromTheLastEdgeOnLandInAnOverflowBucket) {
  Histogram h;
  h.record_ms(1.0);
  h.record_ms(Histogram::kMaxMs);
  h.record_ms(5'000'000.0);
  const auto b = h.buckets();
  ASSERT_EQ(b.size(), 2u);
  EXPECT_TRUE(std::isinf(b.back().upper_ms));
  EXPECT_NEAR(b.back().lower_ms, Histogram::kMaxMs, Histogram::kMaxMs * 1e-9);
  EXPECT_EQ(b.back().count, 2u);
  EXPECT_EQ(h.max_ms(), 5'000'000.0);
  EXPECT_EQ(h.percentile_ms(1.0), 5'000'000.0);  // the overflow bucket reads as the exact maximum
}

TEST(HistogramTest, BucketCountsAddUpToCount) {
  Histogram h;
  for (double v : log_uniform(0.0001, 2'000'000.0, 5000)) h.record_ms(v);
  std::uint64_t sum = 0;
  double previous_upper = 0;
  for (const auto& b : h.buckets()) {
    sum += b.count;
    EXPECT_LT(b.lower_ms, b.upper_ms);
    EXPECT_GE(b.lower_ms, previous_upper);
    previous_upper = b.upper_ms;
  }
  EXPECT_EQ(sum, h.count());
}

// The bucket search works from the bits of a double rather than its logarithm; every value
// must still land in the bucket whose edges enclose it, at the edges themselves too.
TEST(HistogramTest, EveryValueLandsInTheBucketWhoseEdgesEncloseIt) {
  const double ratio = std::pow(Histogram::kMaxMs / Histogram::kMinMs, 1.0 / Histogram::kBuckets);
  for (int i = 1; i <= Histogram::kBuckets + 1; ++i) {
    const double edge = Histogram::lower_edge_ms(i);
    ASSERT_EQ(Histogram::index_of(edge), i) << "edge " << i;
    ASSERT_EQ(Histogram::index_of(std::nextafter(edge, 0.0)), i - 1) << "below edge " << i;
    if (i > 1) {
      ASSERT_NEAR(edge / Histogram::lower_edge_ms(i - 1), ratio, 1e-9) << i;
    }
  }
  for (double v : log_uniform(Histogram::kMinMs, Histogram::kMaxMs * 0.999999, 1'000'003)) {
    const int i = Histogram::index_of(v);
    ASSERT_GE(i, 1) << v;
    ASSERT_LE(i, Histogram::kBuckets) << v;
    ASSERT_LE(Histogram::lower_edge_ms(i), v);
    ASSERT_LT(v, Histogram::lower_edge_ms(i + 1));
  }
  EXPECT_EQ(Histogram::index_of(std::nan("")), 0);
  EXPECT_EQ(Histogram::index_of(-1.0), 0);
  EXPECT_EQ(Histogram::index_of(std::numeric_limits<double>::infinity()), Histogram::kBuckets + 1);
}

}  // namespace
}  // namespace hload::engine
