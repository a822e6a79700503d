#include "engine/target_ring.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>
#include <vector>

namespace hload::engine {
namespace {

std::vector<HopTarget> three_targets() {
  std::vector<HopTarget> out;
  for (const char* url : {"http://a.test/", "http://b.test/", "http://c.test/"}) {
    HopTarget t;
    t.target.url = url;
    out.push_back(std::move(t));
  }
  return out;
}

TEST(TargetRingTest, RoundRobinTakesTurnsOverEveryThread) {
  TargetRing ring(three_targets(), TargetOrder::round_robin);
  constexpr int kPerThread = 30'000;
  std::vector<std::map<std::string, int>> seen(2);
  std::vector<std::thread> threads;
  for (auto& counts : seen) {
    threads.emplace_back([&ring, &counts] {
      std::minstd_rand rng(1);
      for (int i = 0; i < kPerThread; ++i) ++counts[ring.next(rng).target.url];
    });
  }
  for (auto& t : threads) t.join();
  std::map<std::string, int> total;
  for (const auto& counts : seen) {
    for (const auto& [url, n] : counts) total[url] += n;
  }
  EXPECT_EQ(total, (std::map<std::string, int>{{"http://a.test/", 20'000},
                                               {"http://b.test/", 20'000},
                                               {"http://c.test/", 20'000}}));
}

TEST(TargetRingTest, RoundRobinStartsWithTheFirstInFileOrder) {
  TargetRing ring(three_targets(), TargetOrder::round_robin);
  std::minstd_rand rng(1);
  EXPECT_EQ(ring.next(rng).target.url, "http://a.test/");
  EXPECT_EQ(ring.next(rng).target.url, "http://b.test/");
  EXPECT_EQ(ring.next(rng).target.url, "http://c.test/");
  EXPECT_EQ(ring.next(rng).target.url, "http://a.test/");
}

TEST(TargetRingTest, RandomReachesEveryTargetFromTheCallersGenerator) {
  TargetRing ring(three_targets(), TargetOrder::random);
  std::minstd_rand rng(42);
  std::map<std::string, int> counts;
  for (int i = 0; i < 3000; ++i) ++counts[ring.next(rng).target.url];
  ASSERT_EQ(counts.size(), 3u);
  for (const auto& [url, n] : counts) EXPECT_GT(n, 800) << url;
  // The same generator state gives the same order.
  std::minstd_rand a(7);
  std::minstd_rand b(7);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(&ring.next(a), &ring.next(b));
}

}  // namespace
}  // namespace hload::engine
