#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hload::server {

// FramedRequest is what the built-in server needs to know about one request: where it ends,
// whether the connection may carry another one, and whether the answer may have a body.
struct FramedRequest {
  std::size_t size = 0;     // bytes of the whole request, head and body
  bool keep_alive = true;   // HTTP/1.1 without "Connection: close", or HTTP/1.0 with keep-alive
  bool head = false;        // a HEAD request: the response carries headers only
  std::string_view target;  // the request target as sent ("/path?query"), in frame's bytes
};

// FrameStatus is the outcome of RequestFramer::frame.
enum class FrameStatus : std::uint8_t {
  complete,    // a whole request is buffered; FramedRequest describes it
  incomplete,  // more bytes are needed
  malformed,   // not HTTP/1.x, or over a size limit: answer 400 and close
};

// RequestFramer finds where each HTTP/1.x request ends in a stream of bytes, so that keep-alive
// and pipelined requests are answered one by one. It only frames: it reads the request line and
// the Connection, Content-Length and Transfer-Encoding headers, and stores no header. Bodies are
// skipped whether sent with Content-Length or chunked.
class RequestFramer {
 public:
  // A request head longer than this is malformed (nginx's default large buffer is 8 KB).
  static constexpr std::size_t kMaxHeadSize = 64 * 1024;
  // A request larger than this is malformed: the server buffers each request whole.
  static constexpr std::size_t kMaxRequestSize = 16 * 1024 * 1024;

  // frame looks at `bytes`, which start at the first byte of a request and hold everything
  // received since. Calls for the same request may pass the same bytes extended by new ones;
  // progress is kept between them so that each byte is scanned about once. After `complete`
  // or `malformed` the framer is ready for the next request.
  FrameStatus frame(std::string_view bytes, FramedRequest& out);

  // head_done says whether the request being framed has its whole head buffered, its body
  // perhaps not yet.
  bool head_done() const noexcept { return head_size_ != 0; }

 private:
  FrameStatus parse_head(std::string_view head);
  FrameStatus frame_chunked(std::string_view bytes);
  FrameStatus finish(FrameStatus status, std::size_t size, FramedRequest& out,
                     std::string_view bytes = {});

  enum class Body : std::uint8_t { none, length, chunked };

  std::size_t scanned_ = 0;    // bytes already searched for the end of the head
  std::size_t head_size_ = 0;  // 0 while the head is incomplete
  Body body_ = Body::none;
  std::uint64_t content_length_ = 0;
  std::size_t chunk_cursor_ = 0;  // offset of the next chunk-size line (chunked bodies)
  std::size_t request_size_ = 0;  // total size once known
  bool keep_alive_ = true;
  bool is_head_ = false;
  std::size_t target_begin_ = 0;  // the request target's place in the head
  std::size_t target_size_ = 0;
};

}  // namespace hload::server
