#include "pool/h2_allocator.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "pool/address_sanitizer.hpp"

namespace hload::pool {
namespace {

TEST(H2Allocator, AFreedBlockIsTheNextOfItsSizeClass) {
  H2Allocator a;
  void* first = a.allocate(40);
  ASSERT_NE(first, nullptr);
  a.release(first);
  // 33 to 64 bytes share a class: the block comes back for any of them.
  EXPECT_EQ(a.allocate(64), first);
  // Another class gets a block of its own.
  void* small = a.allocate(8);
  EXPECT_NE(small, first);
  a.release(small);
  a.release(first);
}

TEST(H2Allocator, BlocksAreAlignedAndHoldTheirWholeSize) {
  H2Allocator a;
  std::vector<void*> blocks;
  for (std::size_t size = 1; size <= 10000; size = size * 3 / 2 + 1) {
    void* b = a.allocate(size);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b) % alignof(std::max_align_t), 0U) << size;
    std::memset(b, 0xab, size);  // the address sanitizer checks the block's bounds
    blocks.push_back(b);
  }
  for (void* b : blocks) a.release(b);
}

TEST(H2Allocator, ZeroedBlocksAreZeroEvenWhenReused) {
  H2Allocator a;
  auto* dirty = static_cast<unsigned char*>(a.allocate(100));
  std::memset(dirty, 0xff, 100);
  a.release(dirty);
  auto* zeroed = static_cast<unsigned char*>(a.allocate_zeroed(10, 10));
  ASSERT_EQ(zeroed, dirty);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(zeroed[i], 0) << i;
  a.release(zeroed);
  EXPECT_EQ(a.allocate_zeroed(std::numeric_limits<std::size_t>::max() / 2, 4), nullptr);
}

TEST(H2Allocator, ReallocateKeepsTheContentsAcrossClassesAndIntoMalloc) {
  H2Allocator a;
  auto* b = static_cast<char*>(a.reallocate(nullptr, 20));
  std::memcpy(b, "0123456789abcdefghi", 20);
  // Within the class's capacity the block stays where it is.
  EXPECT_EQ(a.reallocate(b, 32), b);
  auto* grown = static_cast<char*>(a.reallocate(b, 1000));
  EXPECT_STREQ(grown, "0123456789abcdefghi");
  auto* huge = static_cast<char*>(a.reallocate(grown, 100000));
  EXPECT_STREQ(huge, "0123456789abcdefghi");
  huge[99999] = 'z';
  auto* huger = static_cast<char*>(a.reallocate(huge, 200000));
  EXPECT_STREQ(huger, "0123456789abcdefghi");
  EXPECT_EQ(huger[99999], 'z');
  a.release(huger);
  // The class block given up on the way is reused.
  EXPECT_EQ(a.allocate(30), b);
  a.release(b);
  a.release(nullptr);
}

#if HLOAD_ADDRESS_SANITIZER
// A block kept on a free list is poisoned: nghttp2 touching a stream it freed still fails.
TEST(H2AllocatorDeathTest, AUseAfterFreeIsCaughtOnTheFreeList) {
  H2Allocator a;
  auto* b = static_cast<volatile char*>(a.allocate(100));
  a.release(const_cast<char*>(b));
  EXPECT_DEATH(b[50] = 1, "use-after-poison");
}
#endif

}  // namespace
}  // namespace hload::pool
