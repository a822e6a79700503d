#include "pool/dial_plan.hpp"

#include <gtest/gtest.h>

namespace hload::pool {
namespace {

TEST(DialPlanTest, NoDialWhileThereIsRoom) {
  EXPECT_EQ(connections_to_create({.waiting = 0}), 0);
  EXPECT_EQ(connections_to_create({.waiting = 5, .free_streams = 5}), 0);
  EXPECT_EQ(connections_to_create({.waiting = 5, .free_streams = 2, .dialing_room = 3}), 0);
  EXPECT_EQ(connections_to_create({.waiting = 90, .dialing_room = 100, .streams_per_dial = 100}),
            0);
}

TEST(DialPlanTest, OneDialPerConnectionsWorthOfUncoveredWaiters) {
  EXPECT_EQ(connections_to_create({.waiting = 1}), 1);
  EXPECT_EQ(connections_to_create({.waiting = 7}), 7) << "HTTP/1.1: one each";
  EXPECT_EQ(connections_to_create({.waiting = 250, .streams_per_dial = 100}), 3);
  EXPECT_EQ(connections_to_create({.waiting = 250, .free_streams = 50, .streams_per_dial = 100}),
            2);
  EXPECT_EQ(connections_to_create({.waiting = 10, .streams_per_dial = 0}), 10)
      << "a dial carries at least one stream";
}

TEST(DialPlanTest, NeverPastThePermits) {
  EXPECT_EQ(connections_to_create({.waiting = 2000, .streams_per_dial = 100, .permits = 2}), 2);
  EXPECT_EQ(connections_to_create({.waiting = 5, .permits = 0}), 0);
  EXPECT_EQ(connections_to_create({.waiting = 5, .permits = -1}), 5);
}

// Exhaustively over small numbers: the dials wanted, with the room they bring, cover every
// waiter, and one fewer would not (unless the permits ran out).
TEST(DialPlanTest, JustEnoughDials) {
  for (int waiting = 0; waiting <= 30; ++waiting) {
    for (int room = 0; room <= 10; ++room) {
      for (int per = 1; per <= 12; ++per) {
        for (int permits = -1; permits <= 4; ++permits) {
          const DialDemand d{.waiting = waiting,
                             .free_streams = room / 2,
                             .dialing_room = room - room / 2,
                             .streams_per_dial = per,
                             .permits = permits};
          const int n = connections_to_create(d);
          const int left = waiting - room;
          ASSERT_GE(n, 0);
          if (permits < 0 || n < permits) {
            ASSERT_GE(room + n * per, waiting);
          }
          if (n > 0) {
            ASSERT_LT(room + (n - 1) * per, waiting);
          }
          if (permits >= 0) {
            ASSERT_LE(n, permits);
          }
          if (left <= 0) {
            ASSERT_EQ(n, 0);
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace hload::pool
