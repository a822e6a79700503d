#pragma once

// CountingDialer wraps a dialer and counts the connections the pool has open as the outside
// world sees them: from the moment a dial starts until the connection it made is destroyed
// (or the dial failed). It is how a test checks the per-host cap at every moment rather than
// the pool's own count: whatever the pool's bookkeeping says, it never holds more at once.

#include <atomic>
#include <cstdint>

#include "pool/dialer.hpp"

namespace hload::test {

class CountingDialer final : public pool::Dialer {
 public:
  explicit CountingDialer(pool::Dialer& inner) : inner_(inner) {}

  boost::asio::awaitable<pool::DialResult> dial(const pool::ConnKey& key,
                                                boost::asio::cancellation_slot cancel) override;

  // open is how many dials are under way or connections alive now; max_open the most at once.
  int open() const noexcept { return open_.load(); }
  int max_open() const noexcept { return max_open_.load(); }
  std::uint64_t dials() const noexcept { return dials_.load(); }

  // opened and closed move the count; the connections CountingDialer hands out call closed.
  void opened() noexcept;
  void closed() noexcept { open_.fetch_sub(1); }

 private:
  pool::Dialer& inner_;
  std::atomic<int> open_{0};
  std::atomic<int> max_open_{0};
  std::atomic<std::uint64_t> dials_{0};
};

}  // namespace hload::test
