#include "pool/head_memo.hpp"

#include <cstring>

namespace hload::pool {

namespace asio = boost::asio;

bool HeadMemo::matches(asio::const_buffer bytes) const noexcept {
  return known_ && bytes.size() >= head_.size() &&
         std::memcmp(bytes.data(), head_.data(), head_.size()) == 0;
}

void HeadMemo::hold(asio::const_buffer head) {
  known_ = false;
  head_.assign(static_cast<const char*>(head.data()), head.size());
}

void HeadMemo::confirm(unsigned status, std::uint64_t body_length) noexcept {
  status_ = status;
  body_length_ = body_length;
  known_ = true;
}

}  // namespace hload::pool
