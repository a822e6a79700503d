#pragma once

// H2TestServer is the server end of an in-memory HTTP/2 connection for codec tests: an nghttp2
// server session over one end of a Beast test::stream, answering each request as a script
// says (status, headers, a body of a given size, a delay, a reset, or nothing until released),
// and sending SETTINGS, GOAWAY, RST_STREAM or a close when the test asks. It counts the frame
// bytes it sends and receives on each stream, so tests can check the client's own counts.
//
//   beast::test::stream client(ioc), server_end(ioc);
//   client.connect(server_end);
//   H2TestServer server(std::move(server_end));
//   server.set_script([](const H2Request& r) { return H2Reply{.status = 200, .body_size = 5}; });
//
// It runs on its stream's executor, and every member must be called there (or before that
// executor runs anything).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/beast/_experimental/test/stream.hpp>

namespace hload::test {

// H2Request is a request as the server received it.
struct H2Request {
  std::int32_t stream_id = 0;
  std::string method, scheme, authority, path;
  std::vector<std::pair<std::string, std::string>> headers;  // the regular fields, in order
  std::uint64_t body_bytes = 0;
};

// H2Reply is how the server answers one request.
struct H2Reply {
  // An interim response (103 Early Hints, say) sent before the response.
  std::optional<unsigned> interim{};
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers{};
  std::uint64_t body_size = 0;         // a body of this many 'x'
  std::chrono::milliseconds delay{0};  // wait this long before answering
  // Instead of a response: RST_STREAM with this code.
  std::optional<std::uint32_t> reset{};
  // No answer until release(): the stream stays open.
  bool hold = false;
  // The headers are sent, the body (and the stream's end) never.
  bool headers_only = false;
};

// H2ServerOptions are the server's first SETTINGS.
struct H2ServerOptions {
  std::uint32_t max_concurrent_streams = 100;
  // Unset: the server's SETTINGS carry no SETTINGS_MAX_CONCURRENT_STREAMS (unlimited).
  bool limit_streams = true;
  // The server's receive window per stream; HTTP/2's default is 65,535.
  std::uint32_t initial_window_size = 65'535;
};

class H2TestServer {
 public:
  using Script = std::function<H2Reply(const H2Request&)>;

  // The server reads the client's preface from stream and sends its SETTINGS at once.
  explicit H2TestServer(boost::beast::test::stream stream, H2ServerOptions options = {});
  H2TestServer(const H2TestServer&) = delete;
  H2TestServer& operator=(const H2TestServer&) = delete;
  // Closes the stream; the reader ends when its executor next runs.
  ~H2TestServer();

  // set_script decides the replies to requests whose end arrives from now on; the default
  // answers 200 with no body.
  void set_script(Script script);

  // send_settings announces a new SETTINGS_MAX_CONCURRENT_STREAMS.
  void send_settings(std::uint32_t max_concurrent_streams);
  // send_goaway sends GOAWAY with last_stream_id and code.
  void send_goaway(std::int32_t last_stream_id, std::uint32_t code = 0);
  // reset_stream sends RST_STREAM on stream_id with code.
  void reset_stream(std::int32_t stream_id, std::uint32_t code);
  // release answers a held request with reply (which must not hold again).
  void release(std::int32_t stream_id, H2Reply reply);
  // close closes the server's end: the client reads EOF.
  void close();

  // requests are the requests whose end arrived, in that order.
  const std::vector<H2Request>& requests() const;
  // held are the streams of held requests not yet released, in arrival order.
  std::vector<std::int32_t> held() const;
  // resets are the RST_STREAM frames the client sent: stream id and error code.
  const std::vector<std::pair<std::int32_t, std::uint32_t>>& resets() const;
  // bytes_sent / bytes_received are the frame bytes (HEADERS, CONTINUATION, DATA, 9-byte
  // headers included) sent and received on stream_id.
  std::uint64_t bytes_sent(std::int32_t stream_id) const;
  std::uint64_t bytes_received(std::int32_t stream_id) const;
  // client_closed: the server read the client's close.
  bool client_closed() const;
  // client_window is the client's SETTINGS_INITIAL_WINDOW_SIZE, once its SETTINGS came.
  std::uint32_t client_window() const;
  // wire is everything the server has sent so far, from its SETTINGS on.
  const std::string& wire() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace hload::test
