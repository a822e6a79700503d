#pragma once

// RawClient is a blocking HTTP/1.1 client over a plain POSIX socket, for tests that check
// servers byte by byte: it sends exactly what it is given and reports exactly how the server
// answered or ended the connection. Every wait is bounded.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace hload::test {

// PeerEnd is how a read ended.
enum class PeerEnd : std::uint8_t {
  none,     // the read got what it wanted; the connection is still open
  eof,      // the server closed the connection (FIN)
  reset,    // the server reset the connection (RST)
  timeout,  // nothing more arrived within the client's timeout
};

const char* to_string(PeerEnd e) noexcept;

// RawResponse is one response as read off the wire.
struct RawResponse {
  bool complete = false;  // status line, headers and the whole Content-Length body arrived
  int status = 0;         // 0 when the status line is not HTTP/1.x
  std::string head;       // status line and headers, through the blank line
  std::string body;
  bool connection_close = false;  // "Connection: close" was sent
  PeerEnd end = PeerEnd::none;    // how the read ended when the response is incomplete
};

class RawClient {
 public:
  // Connects to 127.0.0.1:port; throws std::system_error when that fails. `timeout` bounds
  // every later read and write.
  explicit RawClient(std::uint16_t port,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5));
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;
  ~RawClient();

  // send writes all of bytes; throws std::system_error when it cannot.
  void send(std::string_view bytes);

  // read_response reads one response. Bytes after it (pipelined answers) are kept for the
  // next call. A response to HEAD has no body: pass head = true.
  RawResponse read_response(bool head = false);

  // read_to_end reads until the server closes the connection or the timeout expires, and
  // says which came first. What arrived is appended to `data` when given.
  PeerEnd read_to_end(std::string* data = nullptr);

  // get sends "GET path" with "Connection: close" and reads the response.
  RawResponse get(std::string_view path);

  // close closes the socket now (the destructor does it too).
  void close();

  int fd() const noexcept { return fd_; }

 private:
  // fill waits for more bytes into buffered_; returns PeerEnd::none when some arrived.
  PeerEnd fill();

  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string buffered_;  // received, not yet returned
};

}  // namespace hload::test
