#pragma once

#include <cstddef>
#include <cstdint>

namespace hload::pool {

// H2FrameMeter follows the frame boundaries of the bytes a server sends, so that a stream is
// charged exactly the bytes of its frames that arrived: a frame's 9-byte header once whole,
// then its payload as it comes, which a connection that breaks mid-frame never delivers in
// full. It reads only frame headers (RFC 9113 §4.1) and never judges them; nghttp2 does.
class H2FrameMeter {
 public:
  // feed walks data, the next bytes off the connection, and calls charge(stream_id, type,
  // bytes) for each part of a frame in it: the header (9 bytes) when it completes, and each
  // run of payload.
  template <class Charge>
  void feed(const std::uint8_t* data, std::size_t size, Charge&& charge) {
    while (size > 0) {
      if (header_have_ < kHeader) {
        const std::size_t n = take(kHeader - header_have_, size);
        for (std::size_t i = 0; i < n; ++i) header_[header_have_ + i] = data[i];
        header_have_ += n;
        data += n;
        size -= n;
        if (header_have_ < kHeader) return;
        payload_left_ = (std::size_t{header_[0]} << 16) | (std::size_t{header_[1]} << 8) |
                        std::size_t{header_[2]};
        type_ = header_[3];
        stream_ = static_cast<std::int32_t>(
            ((std::uint32_t{header_[5]} & 0x7f) << 24) | (std::uint32_t{header_[6]} << 16) |
            (std::uint32_t{header_[7]} << 8) | std::uint32_t{header_[8]});
        charge(stream_, type_, kHeader);
      }
      const std::size_t n = take(payload_left_, size);
      if (n > 0) charge(stream_, type_, n);
      payload_left_ -= n;
      data += n;
      size -= n;
      if (payload_left_ == 0) header_have_ = 0;
    }
  }

 private:
  static constexpr std::size_t kHeader = 9;
  static std::size_t take(std::size_t want, std::size_t have) { return want < have ? want : have; }

  std::uint8_t header_[kHeader] = {};
  std::size_t header_have_ = 0;
  std::size_t payload_left_ = 0;
  std::uint8_t type_ = 0;
  std::int32_t stream_ = 0;
};

}  // namespace hload::pool
