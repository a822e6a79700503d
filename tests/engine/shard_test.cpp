#include "engine/shard.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace hload::engine {
namespace {

// shares returns every shard's part of total, for `count` shards.
template <typename T>
std::vector<T> shares(T total, int count) {
  std::vector<T> out;
  for (int i = 0; i < count; ++i) out.push_back(share_of(total, Shard{i, count}));
  return out;
}

TEST(ShardTest, CountSharesSumToTheTotalAndDifferByAtMostOne) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::uint64_t> small(0, 1000);
  std::uniform_int_distribution<std::uint64_t> large(0, std::uint64_t{1} << 40);
  for (int count = 1; count <= 64; ++count) {
    for (int round = 0; round < 50; ++round) {
      const std::uint64_t total = round % 2 ? small(rng) : large(rng);
      const auto parts = shares(total, count);
      std::uint64_t sum = 0;
      for (auto p : parts) sum += p;
      EXPECT_EQ(sum, total) << total << " in " << count;
      const auto [lo, hi] = std::minmax_element(parts.begin(), parts.end());
      EXPECT_LE(*hi - *lo, 1u) << total << " in " << count;
    }
  }
}

TEST(ShardTest, RateSharesSumToTheTotalAndDifferByAtMostOne) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> rates(0.0, 100'000.0);
  for (int count = 1; count <= 64; ++count) {
    for (int round = 0; round < 50; ++round) {
      const double total = round == 0 ? 2.5 : rates(rng);
      const auto parts = shares(total, count);
      double sum = 0;
      for (double p : parts) sum += p;
      EXPECT_NEAR(sum, total, 1e-9 * total) << total << " in " << count;
      const auto [lo, hi] = std::minmax_element(parts.begin(), parts.end());
      EXPECT_LE(*hi - *lo, 1.0) << total << " in " << count;
      EXPECT_GE(*lo, 0.0);
    }
  }
}

TEST(ShardTest, RemaindersGoToTheFirstShards) {
  EXPECT_EQ(shares<std::uint64_t>(10, 3), (std::vector<std::uint64_t>{4, 3, 3}));
  EXPECT_EQ(shares<std::uint64_t>(2, 3), (std::vector<std::uint64_t>{1, 1, 0}));
  // The fraction of a rate goes to the last shard, which has the smallest whole part.
  EXPECT_EQ(shares(10.5, 3), (std::vector<double>{4, 3, 3.5}));
}

TEST(ShardTest, OneShardIsTheWhole) {
  EXPECT_EQ(share_of(std::uint64_t{12345}, Shard{0, 1}), 12345u);
  EXPECT_DOUBLE_EQ(share_of(99.25, Shard{0, 1}), 99.25);
}

}  // namespace
}  // namespace hload::engine
