#pragma once

#include <array>
#include <cstddef>

#include <nghttp2/nghttp2.h>

namespace hload::pool {

// H2Allocator is the memory of one nghttp2 session. nghttp2 allocates a dozen small blocks per
// stream (the stream, its outbound items, the copied request header fields, the decoded
// response header fields) and frees them when the stream closes; through malloc, with hundreds
// of streams in flight, most of them miss the thread cache. Here a freed block goes onto a
// free list of its size class and the next stream takes it back. A session's streams all run
// on its connection's executor, so no lock is needed. Blocks above the largest class go to
// malloc. The free lists grow to the session's peak and are returned when it is destroyed,
// which must come after nghttp2_session_del.
class H2Allocator {
 public:
  H2Allocator() = default;
  H2Allocator(const H2Allocator&) = delete;
  H2Allocator& operator=(const H2Allocator&) = delete;
  ~H2Allocator();

  // mem is what nghttp2_session_client_new3 takes; it points at this allocator.
  nghttp2_mem mem() noexcept;

  void* allocate(std::size_t size);
  void* allocate_zeroed(std::size_t count, std::size_t size);
  void* reallocate(void* block, std::size_t size);
  void release(void* block) noexcept;

  // Size classes are powers of two from 32 to 4096 bytes of payload.
  static constexpr std::size_t kClasses = 8;

 private:
  struct FreeBlock {
    FreeBlock* next;
  };
  std::array<FreeBlock*, kClasses> free_{};
};

}  // namespace hload::pool
