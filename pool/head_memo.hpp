#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/asio/buffer.hpp>

namespace hload::pool {

// HeadMemo is what a connection remembers of the last response head (status line to the empty
// line) that Beast parsed in full: its bytes and what they meant. A server under load answers
// the same request with the same head, byte for byte, until its Date changes, and parsing it
// again was most of a keep-alive request's user-space cost (docs/performance.md#hot-path).
// Parsing is a function of the bytes, so a head equal to the remembered one means the same
// status, keep-alive and body length without being parsed again.
class HeadMemo {
 public:
  // kMaxHead bounds what a connection keeps: a head larger than this is parsed every time.
  static constexpr std::size_t kMaxHead = 4096;

  // matches says whether bytes start with the remembered head.
  bool matches(boost::asio::const_buffer bytes) const noexcept;

  // forget drops what is remembered, as a response is being parsed.
  void forget() noexcept { known_ = false; }

  // hold keeps a copy of a head that was just parsed; it is not matched before confirm.
  void hold(boost::asio::const_buffer head);

  // confirm says the held head's response ended with status and body_length bytes of body,
  // on a connection that stays open: from now on the head is matched.
  void confirm(unsigned status, std::uint64_t body_length) noexcept;

  std::size_t head_size() const noexcept { return head_.size(); }
  unsigned status() const noexcept { return status_; }
  std::uint64_t body_length() const noexcept { return body_length_; }

 private:
  std::string head_;
  std::uint64_t body_length_ = 0;
  unsigned status_ = 0;
  bool known_ = false;
};

}  // namespace hload::pool
