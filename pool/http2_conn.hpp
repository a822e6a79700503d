#pragma once

#include <memory>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "pool/conn.hpp"

namespace hload::pool {

namespace h2_detail {
template <class Stream>
class Http2Io;
}  // namespace h2_detail

// BasicHttp2Conn carries many HTTP/2 requests at once over a connected stream, on nghttp2. It
// is a template over the stream so that codec tests run it over an in-memory stream and TLS
// over TlsSocket; the pool uses Http2Conn (cleartext, prior knowledge). Its definitions are in
// http2_conn_impl.hpp, compiled once per stream type.
//
// The connection does its I/O on its stream's executor: one reader, one write at a time, the
// nghttp2 session touched nowhere else. Round trips may run on any executor; each is handed
// to the connection's executor (inline when it runs there already) and resumed on its own.
// Every failure is returned as a value.
template <class Stream>
class BasicHttp2Conn final : public Conn {
 public:
  // stream must be connected (for TCP, with TCP_NODELAY already set by the dialer). Call
  // start() before anything else.
  explicit BasicHttp2Conn(Stream stream);
  // The destructor (any thread) closes the connection on its executor: the reader and a write
  // in flight end there, and nghttp2's state lives until they have.
  ~BasicHttp2Conn() override;

  // start sends the connection preface and hload's SETTINGS, then reads until the server's
  // SETTINGS arrived, so that max_concurrent_streams is the server's from the first request
  // on; then it starts the reader. Runs on the stream's executor. Emitting on cancel aborts it
  // (operation_aborted); a server that does not speak HTTP/2 ends it in Errc::h2_protocol, a
  // close in eof. After a failure the connection is of no use.
  asio::awaitable<error_code> start(asio::cancellation_slot cancel = {});

  // round_trip sends req (req.fields, and req.body as DATA) on a new stream and waits for the
  // response to end, counting its body. It may be called from any executor, for up to
  // max_concurrent_streams() requests at once (nghttp2 queues any beyond that), and resumes
  // on the caller's executor; req.trace is called there too. Emitting on req.cancel resets the
  // stream (CANCEL) and ends the round trip at once with operation_aborted; the connection
  // stays usable. A stream the server refused (REFUSED_STREAM, or above a GOAWAY's last stream
  // id) ends in Errc::refused_stream, one it reset otherwise in an error of h2_category
  // (equivalent to Errc::stream_reset), one nghttp2 reset because the response broke the
  // protocol in Errc::h2_protocol. When the connection fails, a stream that got no response
  // byte ends in eof; one cut short in partial_message (a close), h2_protocol (a protocol
  // error) or the I/O error.
  asio::awaitable<ConnResult> round_trip(const Request& req, Response& resp) override;

  // max_concurrent_streams is the server's SETTINGS_MAX_CONCURRENT_STREAMS, at most 1000 (an
  // unlimited server counts as 1000). Any thread.
  int max_concurrent_streams() const noexcept override;

  // reusable is true while the connection takes new streams: no GOAWAY received or sent, not
  // broken, stream ids left. Any thread.
  bool reusable() const noexcept override;

  // close_reason is server_close after a GOAWAY with NO_ERROR or a close, protocol after a
  // protocol error either side found, error otherwise. Any thread.
  CloseReason close_reason() const noexcept override;

  // peer_closed is !reusable(): the reader sees a close or GOAWAY as it comes, so no system
  // call is needed.
  bool peer_closed() noexcept override { return !reusable(); }

  std::string_view protocol() const noexcept override { return "h2"; }

  // set_events registers who hears of SETTINGS changes to max_concurrent_streams, GOAWAY and
  // the connection's end: on_conn_changed runs on the connection's executor, never inside
  // nghttp2. Any thread; a call already under way may still reach the events set before.
  void set_events(std::shared_ptr<ConnEvents> events) override;

 private:
  std::shared_ptr<h2_detail::Http2Io<Stream>> io_;
};

using Http2Conn = BasicHttp2Conn<asio::ip::tcp::socket>;

extern template class BasicHttp2Conn<asio::ip::tcp::socket>;

}  // namespace hload::pool
