#include "pool/h2_allocator.hpp"

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

// Its poisoning macros do nothing in a build without the address sanitizer.
#include <sanitizer/asan_interface.h>

namespace hload::pool {

namespace {

// Every block starts with a header that says its class, so that free, which nghttp2 calls with
// the pointer alone, knows where the block goes. 16 bytes keep the payload aligned as malloc's.
constexpr std::size_t kHeader = alignof(std::max_align_t);
constexpr std::size_t kSmallest = 32;
constexpr std::size_t kLargest = kSmallest << (H2Allocator::kClasses - 1);
// kMalloced marks a block too large for any class: it came from malloc and goes back to free.
constexpr std::uint8_t kMalloced = std::numeric_limits<std::uint8_t>::max();

constexpr std::uint8_t class_of(std::size_t size) {
  if (size <= kSmallest) return 0;
  return static_cast<std::uint8_t>(std::bit_width(size - 1) - std::bit_width(kSmallest - 1));
}

constexpr std::size_t capacity_of(std::uint8_t cls) { return kSmallest << cls; }

static_assert(class_of(kLargest) == H2Allocator::kClasses - 1 && class_of(kSmallest + 1) == 1);

std::uint8_t& class_tag(void* block) { return *(static_cast<std::uint8_t*>(block) - kHeader); }

void* payload_of(void* raw) { return static_cast<std::uint8_t*>(raw) + kHeader; }
void* raw_of(void* block) { return static_cast<std::uint8_t*>(block) - kHeader; }

}  // namespace

H2Allocator::~H2Allocator() {
  for (std::size_t cls = 0; cls < kClasses; ++cls) {
    for (FreeBlock* head = free_[cls]; head != nullptr;) {
      ASAN_UNPOISON_MEMORY_REGION(head, capacity_of(static_cast<std::uint8_t>(cls)));
      FreeBlock* next = head->next;
      std::free(raw_of(head));
      head = next;
    }
  }
}

nghttp2_mem H2Allocator::mem() noexcept {
  nghttp2_mem m{};
  m.mem_user_data = this;
  m.malloc = [](std::size_t size, void* self) {
    return static_cast<H2Allocator*>(self)->allocate(size);
  };
  m.free = [](void* block, void* self) { static_cast<H2Allocator*>(self)->release(block); };
  m.calloc = [](std::size_t count, std::size_t size, void* self) {
    return static_cast<H2Allocator*>(self)->allocate_zeroed(count, size);
  };
  m.realloc = [](void* block, std::size_t size, void* self) {
    return static_cast<H2Allocator*>(self)->reallocate(block, size);
  };
  return m;
}

void* H2Allocator::allocate(std::size_t size) {
  if (size > kLargest) {
    if (size > std::numeric_limits<std::size_t>::max() - kHeader) return nullptr;
    void* raw = std::malloc(kHeader + size);
    if (raw == nullptr) return nullptr;
    void* block = payload_of(raw);
    class_tag(block) = kMalloced;
    return block;
  }
  const std::uint8_t cls = class_of(size);
  if (FreeBlock* head = free_[cls]) {
    ASAN_UNPOISON_MEMORY_REGION(head, capacity_of(cls));
    free_[cls] = head->next;
    return head;
  }
  void* raw = std::malloc(kHeader + capacity_of(cls));
  if (raw == nullptr) return nullptr;
  void* block = payload_of(raw);
  class_tag(block) = cls;
  return block;
}

void* H2Allocator::allocate_zeroed(std::size_t count, std::size_t size) {
  if (size != 0 && count > std::numeric_limits<std::size_t>::max() / size) return nullptr;
  void* block = allocate(count * size);
  if (block != nullptr) std::memset(block, 0, count * size);
  return block;
}

void* H2Allocator::reallocate(void* block, std::size_t size) {
  if (block == nullptr) return allocate(size);
  const std::uint8_t cls = class_tag(block);
  if (cls == kMalloced) {
    if (size > std::numeric_limits<std::size_t>::max() - kHeader) return nullptr;
    void* raw = std::realloc(raw_of(block), kHeader + size);
    return raw == nullptr ? nullptr : payload_of(raw);
  }
  if (size <= capacity_of(cls)) return block;
  void* grown = allocate(size);
  if (grown == nullptr) return nullptr;  // block stays valid, as with realloc
  std::memcpy(grown, block, capacity_of(cls));
  release(block);
  return grown;
}

void H2Allocator::release(void* block) noexcept {
  if (block == nullptr) return;
  const std::uint8_t cls = class_tag(block);
  if (cls == kMalloced) {
    std::free(raw_of(block));
    return;
  }
  // The tag sits in the header, before the payload the list link overwrites. A block on a free
  // list is poisoned under the address sanitizer, so that a use after free still shows
  // although the block never went back to malloc.
  free_[cls] = ::new (block) FreeBlock{free_[cls]};
  ASAN_POISON_MEMORY_REGION(block, capacity_of(cls));
}

}  // namespace hload::pool
