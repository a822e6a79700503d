#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <nghttp2/nghttp2.h>

#include "pool/conn.hpp"
#include "pool/error.hpp"
#include "pool/h2_allocator.hpp"
#include "pool/h2_frame_meter.hpp"

namespace hload::pool {

namespace h2_detail {

// kMaxStreams caps what max_concurrent_streams reports: a server that allows unlimited streams
// (no SETTINGS_MAX_CONCURRENT_STREAMS) counts as allowing this many.
inline constexpr int kMaxStreams = 1000;
// Each stream's receive window (SETTINGS_INITIAL_WINDOW_SIZE) and the connection's: large
// enough that a response is never held back waiting for a WINDOW_UPDATE on a fast network.
inline constexpr std::int32_t kStreamWindow = 16 * 1024 * 1024;
inline constexpr std::int32_t kConnWindow = 256 * 1024 * 1024;
// One read takes at most this much; one write sends at most this much of what is queued.
inline constexpr std::size_t kReadSize = 64 * 1024;
inline constexpr std::size_t kMaxBatch = 64 * 1024;

// H2Stream is one round trip on the connection. The round trip's coroutine creates it; from
// then on only the connection's executor touches it, until the round trip is resumed, after
// which nothing on the connection's side reads or writes it again (done).
struct H2Stream : std::enable_shared_from_this<H2Stream> {
  // The request. Read only while !done: the caller keeps it alive until the round trip ends.
  std::span<const HeaderField> fields;
  std::string_view body;
  std::size_t body_sent = 0;
  RequestTrace* trace = nullptr;

  // Where the round trip runs, and how it is resumed.
  asio::any_io_executor requester;
  bool same_executor = false;  // requester is the connection's own executor
  asio::any_io_executor work;  // keeps requester's context running while it waits (tracked)
  asio::any_completion_handler<void(ConnResult)> handler;

  std::int32_t id = 0;    // the HTTP/2 stream id; 0 until submitted
  std::size_t index = 0;  // its place in H2Session::open_
  Response resp;          // moved to the caller's Response when the round trip resumes
  ConnResult result;
  unsigned block_status = 0;       // :status of the header block being read
  bool response_complete = false;  // END_STREAM arrived and nghttp2 accepted the response
  bool peer_reset = false;         // the server sent RST_STREAM
  bool wrote_end = false;          // the frame with END_STREAM reached the socket
  bool done = false;               // the round trip's result is decided; see above
};

}  // namespace h2_detail

// H2Session is the HTTP/2 client side of one connection, on nghttp2, apart from its byte
// stream: a subclass (Http2Io, for each stream type) reads into receive(), writes what write()
// is given and calls on_written, and closes the socket in close_transport(). Everything but
// the functions marked "any thread" runs on the connection's executor. Expected failures are
// values; nothing on the data path throws.
class H2Session : public std::enable_shared_from_this<H2Session> {
 public:
  H2Session(const H2Session&) = delete;
  H2Session& operator=(const H2Session&) = delete;
  virtual ~H2Session();

  // round_trip (any executor) sends req on a new stream and waits for its response to end,
  // then resumes on the caller's executor with resp filled. See BasicHttp2Conn::round_trip.
  asio::awaitable<ConnResult> round_trip(const Request& req, Response& resp);

  // shutdown (any thread) closes the connection on its executor: open streams end with
  // operation_aborted, and nothing is read or written afterwards.
  void shutdown();

  // Any thread: see Conn.
  int max_concurrent_streams() const noexcept {
    return max_streams_.load(std::memory_order_relaxed);
  }
  bool reusable() const noexcept { return accepting_.load(std::memory_order_acquire); }
  CloseReason close_reason() const noexcept {
    return close_reason_.load(std::memory_order_acquire);
  }
  // set_events registers who hears of changes; a call already under way on another thread may
  // still reach the events set before, which ConnEvents allows.
  void set_events(std::shared_ptr<ConnEvents> events);

  // executor is the connection's own executor.
  const asio::any_io_executor& executor() const noexcept { return executor_; }

 protected:
  explicit H2Session(asio::any_io_executor executor);

  // begin creates the nghttp2 session and queues the client's SETTINGS (the preface comes
  // with them); nonzero when nghttp2 could not be set up.
  error_code begin();
  // receive feeds bytes read off the connection to nghttp2 and acts on what they said.
  void receive(const std::uint8_t* data, std::size_t size);
  // hold_writes: the stream holds more input than its last read returned (a TLS stream returns
  // a record a read), so requests submitted meanwhile wait until release_writes, after the
  // reads that input takes, and leave in one write.
  void hold_writes() noexcept { holding_ = true; }
  void release_writes();
  // read_failed ends the connection after a read failed with ec (eof, a reset, an abort).
  void read_failed(error_code ec);
  // on_written is called once per write() when it completed.
  void on_written(error_code ec);

  // settings_received: the server's first SETTINGS arrived.
  bool settings_received() const noexcept { return settings_received_; }
  // closed: the connection ended; failure() says why.
  bool closed() const noexcept { return closed_; }
  error_code failure() const noexcept { return failure_; }

  // write starts one write of bytes, which stay valid until on_written; never called while
  // one is in flight.
  virtual void write(std::span<const std::uint8_t> bytes) = 0;
  // close_transport closes the socket: a pending read or write ends.
  virtual void close_transport() = 0;

 private:
  using StreamPtr = std::shared_ptr<h2_detail::H2Stream>;
  // Event is what the connection owes a round trip once nghttp2 has returned.
  enum class Event : std::uint8_t { wrote, first_byte, finished };
  struct Callbacks;

  // initiate (on the requester's executor) registers the cancellation and hands the stream to
  // the connection's executor.
  void initiate(const StreamPtr& s, asio::any_completion_handler<void(ConnResult)> handler,
                asio::cancellation_slot cancel);
  // submit opens the stream; abandon resets it after the requester cancelled.
  void submit(const StreamPtr& s);
  void abandon(const StreamPtr& s);

  // fail ends the connection: ec is why (a read's or write's error, eof, Errc::h2_protocol,
  // or operation_aborted). Open round trips end, resumed by the caller's deliver_events.
  void fail(error_code ec);
  // flush writes what nghttp2 has queued, one write at a time, then closes the connection if
  // the session is over (both sides said GOAWAY, or nghttp2 gave up on the connection).
  void flush();
  // flush_soon has flush run from the executor's queue, once for all the requests submitted
  // before it runs: users whose round trips ended together start their next ones in turn, and
  // their requests leave in one write instead of one each. While writes are held it waits for
  // release_writes.
  void flush_soon();
  // finish decides s's result; the round trip resumes in deliver_events.
  void finish(h2_detail::H2Stream& s, error_code ec);
  // post_event queues e for deliver_events.
  void post_event(h2_detail::H2Stream& s, Event e);
  // deliver_later has deliver_events run from the executor's queue, for events raised where
  // resuming a round trip inline is not allowed (inside the start of a round trip).
  void deliver_later();
  // deliver_events runs what the callbacks deferred: trace events, round trips that ended,
  // then on_conn_changed. Called only outside nghttp2, never inside itself.
  void deliver_events();
  // stream_of returns the round trip of stream id, or null when there is none (any more).
  h2_detail::H2Stream* stream_of(std::int32_t id) const;
  // remove_open forgets s once nghttp2 closed its stream.
  void remove_open(h2_detail::H2Stream& s);
  // update_max_streams reads the server's SETTINGS_MAX_CONCURRENT_STREAMS.
  void update_max_streams();
  // stop_accepting: no new stream goes on this connection; why is its close_reason.
  void stop_accepting(CloseReason why);

  // The nghttp2 callbacks (h2_session.cpp), as members so that they reach the state.
  // on_frame_bytes charges a stream the bytes of its frames that arrived (H2FrameMeter).
  void on_frame_bytes(std::int32_t stream_id, std::uint8_t type, std::size_t bytes);
  int on_begin_headers(std::int32_t stream_id);
  int on_header(std::int32_t stream_id, std::string_view name, std::string_view value);
  int on_data(std::int32_t stream_id, std::size_t length);
  int on_frame_recv(std::int32_t stream_id, std::uint8_t type, std::uint8_t flags,
                    std::uint32_t code);
  int on_frame_send(std::int32_t stream_id, std::uint8_t type, std::uint8_t flags,
                    std::size_t length, std::uint32_t code);
  int on_stream_close(std::int32_t stream_id, std::uint32_t code);

  const asio::any_io_executor executor_;
  H2Allocator memory_;  // the session's, so it outlives nghttp2_session_del in the destructor
  nghttp2_session* session_ = nullptr;

  // Round trips whose streams nghttp2 may still call back for, each at its index.
  std::vector<StreamPtr> open_;
  // Streams with frames in the write in flight, and whether that frame ended the request.
  std::vector<std::pair<StreamPtr, bool>> batch_;
  std::vector<std::uint8_t> out_;  // the write in flight
  std::vector<nghttp2_nv> nv_;     // the header fields of the request being submitted
  H2FrameMeter meter_;
  std::vector<std::pair<StreamPtr, Event>> pending_;  // for deliver_events
  bool delivering_ = false;
  bool delivery_posted_ = false;
  bool flush_posted_ = false;
  bool holding_ = false;  // hold_writes
  bool writing_ = false;
  bool closed_ = false;
  bool settings_received_ = false;
  bool changed_ = false;  // on_conn_changed is due
  bool goaway_received_ = false;
  // why streams that had response bytes fail when the connection ends: nghttp2 found the
  // server breaking the protocol, or the server said GOAWAY with an error code.
  bool protocol_error_ = false;
  error_code failure_;

  std::atomic<int> max_streams_{0};
  std::atomic<bool> accepting_{true};
  std::atomic<CloseReason> close_reason_{CloseReason::server_close};
  std::mutex events_mutex_;  // guards events_, never held while it is called
  std::shared_ptr<ConnEvents> events_;
};

}  // namespace hload::pool
