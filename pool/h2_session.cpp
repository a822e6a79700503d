#include "pool/h2_session.hpp"

#include <algorithm>
#include <cstring>

#include <boost/asio/append.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/error.hpp>

#include "pool/bug.hpp"
#include "pool/errors.hpp"
#include "pool/h2_errors.hpp"
#include "pool/in_place_op.hpp"
#include "pool/trace.hpp"

namespace hload::pool {

using h2_detail::H2Stream;

namespace {

// kFrameHeader is the size of every HTTP/2 frame's header (RFC 9113 §4.1).
constexpr std::size_t kFrameHeader = 9;
// nghttp2 cuts a header block it sends into frames of at most this much payload.
constexpr std::size_t kHeaderFramePayload = 16384;

// parse_status reads a :status value: three digits, else 0 (nghttp2 refuses such a response).
unsigned parse_status(std::string_view v) {
  if (v.size() != 3) return 0;
  unsigned n = 0;
  for (const char c : v) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  return n;
}

std::uint8_t* bytes_of(std::string_view s) {
  // nghttp2 copies header fields it is given without NGHTTP2_NV_FLAG_NO_COPY_*; it never
  // writes to them.
  return reinterpret_cast<std::uint8_t*>(const_cast<char*>(s.data()));
}

}  // namespace

// Callbacks adapts nghttp2's C callbacks to H2Session's members. Each returns 0: nothing a
// server sends is a reason for the callbacks themselves to fail the session; nghttp2 decides
// what is a protocol error.
struct H2Session::Callbacks {
  static H2Session& self(void* user) { return *static_cast<H2Session*>(user); }

  static int begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    return self(user).on_begin_headers(frame->hd.stream_id);
  }
  static int header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                    std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                    std::uint8_t /*flags*/, void* user) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    return self(user).on_header(frame->hd.stream_id, {reinterpret_cast<const char*>(name), namelen},
                                {reinterpret_cast<const char*>(value), valuelen});
  }
  static int data_chunk(nghttp2_session*, std::uint8_t /*flags*/, std::int32_t stream_id,
                        const std::uint8_t* /*data*/, std::size_t len, void* user) {
    return self(user).on_data(stream_id, len);
  }
  static std::uint32_t code_of(const nghttp2_frame* frame) {
    switch (frame->hd.type) {
      case NGHTTP2_RST_STREAM:
        return frame->rst_stream.error_code;
      case NGHTTP2_GOAWAY:
        return frame->goaway.error_code;
      default:
        return NGHTTP2_NO_ERROR;
    }
  }
  static int frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    return self(user).on_frame_recv(frame->hd.stream_id, frame->hd.type, frame->hd.flags,
                                    code_of(frame));
  }
  static int frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    return self(user).on_frame_send(frame->hd.stream_id, frame->hd.type, frame->hd.flags,
                                    frame->hd.length, code_of(frame));
  }
  static int stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t code,
                          void* user) {
    return self(user).on_stream_close(stream_id, code);
  }
  // read_body copies the next part of the request body into nghttp2's frame.
  static ssize_t read_body(nghttp2_session*, std::int32_t /*stream_id*/, std::uint8_t* buf,
                           std::size_t length, std::uint32_t* data_flags,
                           nghttp2_data_source* source, void* /*user*/) {
    auto& s = *static_cast<H2Stream*>(source->ptr);
    // A cancelled round trip's body may be gone; its RST_STREAM is queued ahead of DATA and
    // closes the stream.
    if (s.done) return NGHTTP2_ERR_DEFERRED;
    const std::size_t n = std::min(length, s.body.size() - s.body_sent);
    std::memcpy(buf, s.body.data() + s.body_sent, n);
    s.body_sent += n;
    if (s.body_sent == s.body.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  // table is built once: nghttp2 copies it into each session.
  static const nghttp2_session_callbacks* table() {
    static const nghttp2_session_callbacks* const kCallbacks = [] {
      nghttp2_session_callbacks* c = nullptr;
      HLOAD_CHECK(nghttp2_session_callbacks_new(&c) == 0, "nghttp2 is out of memory");
      nghttp2_session_callbacks_set_on_begin_headers_callback(c, begin_headers);
      nghttp2_session_callbacks_set_on_header_callback(c, header);
      nghttp2_session_callbacks_set_on_data_chunk_recv_callback(c, data_chunk);
      nghttp2_session_callbacks_set_on_frame_recv_callback(c, frame_recv);
      nghttp2_session_callbacks_set_on_frame_send_callback(c, frame_send);
      nghttp2_session_callbacks_set_on_stream_close_callback(c, stream_close);
      return c;
    }();
    return kCallbacks;
  }
};

H2Session::H2Session(asio::any_io_executor executor) : executor_(std::move(executor)) {}

H2Session::~H2Session() {
  // nghttp2_session_del calls no callback: the streams' round trips are over by now.
  nghttp2_session_del(session_);
}

error_code H2Session::begin() {
  nghttp2_mem mem = memory_.mem();
  if (nghttp2_session_client_new3(&session_, Callbacks::table(), this, nullptr, &mem) != 0) {
    return Errc::h2_protocol;
  }
  // No server push (hload never asked for it), and windows large enough that flow control
  // does not throttle a response; the connection preface goes out with these SETTINGS.
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<std::uint32_t>(h2_detail::kStreamWindow)},
  };
  if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0 ||
      nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                            h2_detail::kConnWindow) != 0) {
    return Errc::h2_protocol;
  }
  flush();
  return failure_;
}

asio::awaitable<ConnResult> H2Session::round_trip(const Request& req, Response& resp) {
  HLOAD_CHECK(!req.fields.empty(), "an HTTP/2 request without header fields");
  auto s = std::make_shared<H2Stream>();
  s->fields = req.fields;
  s->body = req.body;
  s->trace = req.trace;
  s->requester = co_await asio::this_coro::executor;
  asio::cancellation_slot cancel = req.cancel;
  // Awaited in place (no frame for the initiation). The start holds references only: GCC 12
  // may destroy a temporary of a co_await twice. The session outlives it, as the pool holds
  // the connection until the round trip is over.
  const auto [result] = co_await in_place_op<ConnResult>(
      [this, &s, cancel](auto handler) { initiate(s, std::move(handler), cancel); });
  // The cancellation handler holds the stream: no cancel may reach it once the round trip is
  // over. The round trip resumed here, on the executor cancels are emitted on.
  if (cancel.is_connected()) cancel.clear();
  resp = std::move(s->resp);
  co_return result;
}

void H2Session::initiate(const StreamPtr& s, asio::any_completion_handler<void(ConnResult)> handler,
                         asio::cancellation_slot cancel) {
  // swap, not move assignment: Boost 1.81's any_completion_handler::operator=(&&) copies
  // itself into itself without end.
  s->handler.swap(handler);
  s->same_executor = s->requester == executor_;
  // A context that runs nothing but this waiting round trip must not run out of work.
  if (!s->same_executor) {
    s->work = asio::prefer(s->requester, asio::execution::outstanding_work.tracked);
  }
  if (cancel.is_connected()) {
    // Posted even on the same executor: the reset must not run inside the signal's emit, whose
    // handler the resumed round trip clears.
    cancel.assign([weak = weak_from_this(), s](asio::cancellation_type) {
      if (const auto self = weak.lock()) {
        asio::post(self->executor_, [self, s] { self->abandon(s); });
      }
    });
  }
  if (s->same_executor) {
    submit(s);
  } else {
    asio::post(executor_, [self = shared_from_this(), s] { self->submit(s); });
  }
}

void H2Session::submit(const StreamPtr& s) {
  HLOAD_CHECK(session_, "round_trip on an HTTP/2 connection that was not started");
  if (closed_ || !accepting_.load(std::memory_order_relaxed)) {
    // The pool handed the connection out as the server said GOAWAY or it broke: nothing was
    // sent, so the request may go on another connection.
    finish(*s, goaway_received_ ? error_code(Errc::refused_stream) : error_code(asio::error::eof));
    deliver_later();
    return;
  }
  nv_.clear();
  for (const HeaderField& f : s->fields) {
    nv_.push_back(
        {bytes_of(f.name), bytes_of(f.value), f.name.size(), f.value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  nghttp2_data_provider body{};
  body.source.ptr = s.get();
  body.read_callback = &Callbacks::read_body;
  const std::int32_t id = nghttp2_submit_request(session_, nullptr, nv_.data(), nv_.size(),
                                                 s->body.empty() ? nullptr : &body, s.get());
  if (id < 0) {
    finish(*s, id == NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE ? error_code(Errc::refused_stream)
                                                         : error_code(Errc::h2_protocol));
    deliver_later();
    return;
  }
  s->id = id;
  s->index = open_.size();
  open_.push_back(s);
  // Stream ids are odd and below 2^31: a connection that has used them all takes no more.
  if (nghttp2_session_get_next_stream_id(session_) > 0x7fffffffu) {
    stop_accepting(CloseReason::server_close);
  }
  flush_soon();
  if (!pending_.empty() || changed_) deliver_later();
}

void H2Session::abandon(const StreamPtr& s) {
  if (s->done) return;  // it ended before the cancel reached the connection
  // The stream stays among the open ones until nghttp2 closes it, when RST_STREAM is sent; done
  // keeps its callbacks off the abandoned round trip meanwhile.
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_CANCEL);
  finish(*s, asio::error::operation_aborted);
  flush();
  deliver_events();
}

void H2Session::shutdown() {
  set_events(nullptr);
  asio::post(executor_, [self = shared_from_this()] {
    self->fail(asio::error::operation_aborted);
    self->deliver_events();
  });
}

void H2Session::set_events(std::shared_ptr<ConnEvents> events) {
  const std::lock_guard lock(events_mutex_);
  events_ = std::move(events);
}

void H2Session::receive(const std::uint8_t* data, std::size_t size) {
  if (closed_) return;
  // Charged before nghttp2 reads them, while the streams they are for are still open.
  meter_.feed(data, size, [this](std::int32_t id, std::uint8_t type, std::size_t bytes) {
    on_frame_bytes(id, type, bytes);
  });
  const ssize_t n = nghttp2_session_mem_recv(session_, data, size);
  if (n < 0) {
    // Fatal to the session (a flood nghttp2 refuses to answer, memory): nothing more is sent.
    protocol_error_ = true;
    fail(Errc::h2_protocol);
  } else if (!holding_) {
    // What the bytes call for (a SETTINGS or PING ack, a window update, the GOAWAY of a
    // server that broke the protocol) goes out before the next read; while writes are held
    // it goes with the requests, once the input held is read.
    flush();
  }
  deliver_events();
}

void H2Session::read_failed(error_code ec) {
  fail(ec);
  deliver_events();
}

void H2Session::on_written(error_code ec) {
  writing_ = false;
  if (closed_) return;
  if (ec) {
    fail(ec);
    deliver_events();
    return;
  }
  for (auto& [s, ends_request] : batch_) {
    if (s->done) continue;
    s->result.wrote_any = true;
    if (ends_request && !s->wrote_end) {
      s->wrote_end = true;
      post_event(*s, Event::wrote);
    }
  }
  batch_.clear();
  flush();
  deliver_events();
}

void H2Session::flush_soon() {
  if (holding_ || flush_posted_ || writing_ || closed_) return;
  flush_posted_ = true;
  asio::post(executor_, [self = shared_from_this()] {
    self->flush_posted_ = false;
    self->flush();
    self->deliver_events();
  });
}

void H2Session::release_writes() {
  if (!holding_) return;
  holding_ = false;
  flush();
  deliver_events();
}

void H2Session::flush() {
  if (writing_ || closed_) return;
  out_.clear();
  batch_.clear();
  while (out_.size() < h2_detail::kMaxBatch) {
    const std::uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) {
      protocol_error_ = true;
      fail(Errc::h2_protocol);
      return;
    }
    if (n == 0) break;
    out_.insert(out_.end(), data, data + n);
  }
  if (!out_.empty()) {
    writing_ = true;
    write(out_);
    return;
  }
  if (nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0) {
    // Both sides are done (GOAWAY and no stream left), or nghttp2 gave up on the connection
    // and its GOAWAY is out.
    fail(protocol_error_ ? error_code(Errc::h2_protocol) : error_code(asio::error::eof));
  }
}

void H2Session::fail(error_code ec) {
  if (closed_) return;
  closed_ = true;
  failure_ = ec;
  if (ec == asio::error::eof) {
    stop_accepting(CloseReason::server_close);
  } else {
    stop_accepting(protocol_error_ || ec == Errc::h2_protocol ? CloseReason::protocol
                                                              : CloseReason::error);
  }
  // A stream that got no byte of its response ends as on an HTTP/1.1 connection the server
  // closed: eof, which the pool may retry on another connection. One cut short ends in an
  // error of its own.
  const bool aborted = ec == asio::error::operation_aborted;
  error_code cut_short = ec;
  if (protocol_error_) {
    cut_short = Errc::h2_protocol;
  } else if (ec == asio::error::eof) {
    cut_short = boost::beast::http::error::partial_message;
  }
  for (const StreamPtr& s : open_) {
    if (s->done) continue;
    finish(*s, aborted ? ec : s->result.got_any ? cut_short : error_code(asio::error::eof));
  }
  // nghttp2 still points at the streams, but it is called no more.
  open_.clear();
  batch_.clear();
  close_transport();
}

void H2Session::stop_accepting(CloseReason why) {
  // The first reason stands, unless a protocol error comes after it.
  if (accepting_.load(std::memory_order_relaxed) || why == CloseReason::protocol) {
    close_reason_.store(why, std::memory_order_release);
  }
  if (accepting_.exchange(false, std::memory_order_acq_rel)) changed_ = true;
}

void H2Session::update_max_streams() {
  const std::uint32_t v =
      nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
  const int n = v > static_cast<std::uint32_t>(h2_detail::kMaxStreams) ? h2_detail::kMaxStreams
                                                                       : static_cast<int>(v);
  if (max_streams_.exchange(n, std::memory_order_relaxed) != n) changed_ = true;
}

void H2Session::finish(H2Stream& s, error_code ec) {
  s.done = true;
  s.result.ec = ec;
  if (!ec) s.resp.keep_alive = true;
  post_event(s, Event::finished);
}

void H2Session::post_event(H2Stream& s, Event e) { pending_.emplace_back(s.shared_from_this(), e); }

void H2Session::deliver_later() {
  if (delivery_posted_) return;
  delivery_posted_ = true;
  asio::post(executor_, [self = shared_from_this()] {
    self->delivery_posted_ = false;
    self->deliver_events();
  });
}

void H2Session::deliver_events() {
  // A round trip resumed here may start another, or cancel one, whose events wait for this
  // loop, so that each stream's events keep their order.
  if (delivering_) return;
  delivering_ = true;
  // By index: a round trip resumed in the loop may append to pending_.
  for (std::size_t i = 0; i < pending_.size(); ++i) {  // NOLINT(modernize-loop-convert)
    const StreamPtr s = std::move(pending_[i].first);
    const Event e = pending_[i].second;
    if (e == Event::finished) {
      auto handler = std::move(s->handler);
      const asio::any_io_executor work = std::move(s->work);
      // Inline when the round trip runs here (as dispatch would, without wrapping the handler
      // in a function object for the executor); otherwise queued after its trace events.
      if (s->same_executor) {
        std::move(handler)(s->result);
      } else {
        asio::post(s->requester, asio::append(std::move(handler), s->result));
      }
      continue;
    }
    RequestTrace* trace = s->trace;
    if (!trace) continue;
    const auto call =
        e == Event::wrote ? &RequestTrace::on_wrote_request : &RequestTrace::on_first_response_byte;
    if (s->same_executor) {
      (trace->*call)();
    } else {
      asio::post(s->requester, [trace, call] { (trace->*call)(); });
    }
  }
  pending_.clear();
  delivering_ = false;
  if (changed_) {
    changed_ = false;
    std::shared_ptr<ConnEvents> events;
    {
      const std::lock_guard lock(events_mutex_);
      events = events_;
    }
    if (events != nullptr) events->on_conn_changed();
  }
}

H2Stream* H2Session::stream_of(std::int32_t id) const {
  if (id <= 0) return nullptr;
  return static_cast<H2Stream*>(nghttp2_session_get_stream_user_data(session_, id));
}

void H2Session::remove_open(H2Stream& s) {
  HLOAD_CHECK(s.index < open_.size() && open_[s.index].get() == &s,
              "an HTTP/2 stream is not where the connection keeps it");
  const std::size_t at = s.index;
  if (at + 1 != open_.size()) {
    open_[at] = std::move(open_.back());
    open_[at]->index = at;
  }
  open_.pop_back();
}

void H2Session::on_frame_bytes(std::int32_t stream_id, std::uint8_t type, std::size_t bytes) {
  if (type != NGHTTP2_HEADERS && type != NGHTTP2_DATA && type != NGHTTP2_CONTINUATION) return;
  H2Stream* s = stream_of(stream_id);
  if (!s || s->done) return;
  s->resp.bytes_in += bytes;
  if (!s->result.got_any) {
    s->result.got_any = true;
    post_event(*s, Event::first_byte);
  }
}

int H2Session::on_begin_headers(std::int32_t stream_id) {
  if (H2Stream* s = stream_of(stream_id)) s->block_status = 0;
  return 0;
}

int H2Session::on_header(std::int32_t stream_id, std::string_view name, std::string_view value) {
  H2Stream* s = stream_of(stream_id);
  if (!s || s->done) return 0;
  if (name == ":status") {
    s->block_status = parse_status(value);
    // An interim (1xx) response's status is not the response's.
    if (s->block_status >= 200) s->resp.status = s->block_status;
  } else if (name == "location" && s->block_status / 100 == 3) {
    s->resp.location.assign(value);
  }
  return 0;
}

int H2Session::on_data(std::int32_t stream_id, std::size_t length) {
  H2Stream* s = stream_of(stream_id);
  if (s && !s->done) s->resp.body_bytes += length;
  return 0;
}

int H2Session::on_frame_recv(std::int32_t stream_id, std::uint8_t type, std::uint8_t flags,
                             std::uint32_t code) {
  switch (type) {
    case NGHTTP2_SETTINGS:
      if ((flags & NGHTTP2_FLAG_ACK) == 0) {
        settings_received_ = true;
        update_max_streams();
      }
      break;
    case NGHTTP2_GOAWAY:
      // nghttp2 closes the streams above its last stream id with REFUSED_STREAM itself.
      goaway_received_ = true;
      if (code != NGHTTP2_NO_ERROR) protocol_error_ = true;
      stop_accepting(code == NGHTTP2_NO_ERROR ? CloseReason::server_close : CloseReason::protocol);
      break;
    case NGHTTP2_RST_STREAM:
      if (H2Stream* s = stream_of(stream_id)) s->peer_reset = true;
      break;
    case NGHTTP2_HEADERS:
    case NGHTTP2_DATA:
      if ((flags & NGHTTP2_FLAG_END_STREAM) != 0) {
        if (H2Stream* s = stream_of(stream_id)) s->response_complete = true;
      }
      break;
    default:
      break;
  }
  return 0;
}

int H2Session::on_frame_send(std::int32_t stream_id, std::uint8_t type, std::uint8_t flags,
                             std::size_t length, std::uint32_t code) {
  if (type == NGHTTP2_GOAWAY && code != NGHTTP2_NO_ERROR) {
    // nghttp2 ends the connection: the server broke the protocol.
    protocol_error_ = true;
    stop_accepting(CloseReason::protocol);
    return 0;
  }
  if (type != NGHTTP2_HEADERS && type != NGHTTP2_DATA) return 0;
  H2Stream* s = stream_of(stream_id);
  if (!s || s->done) return 0;
  // A header block is reported once, its CONTINUATION frames included.
  const std::size_t frames =
      type == NGHTTP2_HEADERS
          ? std::max<std::size_t>(1, (length + kHeaderFramePayload - 1) / kHeaderFramePayload)
          : 1;
  s->resp.bytes_out += length + frames * kFrameHeader;
  batch_.emplace_back(s->shared_from_this(), (flags & NGHTTP2_FLAG_END_STREAM) != 0);
  return 0;
}

int H2Session::on_stream_close(std::int32_t stream_id, std::uint32_t code) {
  H2Stream* s = stream_of(stream_id);
  if (!s) return 0;
  const StreamPtr keep = s->shared_from_this();
  remove_open(*s);
  if (s->done) return 0;
  error_code ec;
  if (s->response_complete) {
    // Whole and accepted by nghttp2: how the stream closed after that changes nothing.
  } else if (code == NGHTTP2_REFUSED_STREAM) {
    ec = Errc::refused_stream;  // by RST_STREAM, or above a GOAWAY's last stream id
  } else if (s->peer_reset) {
    ec = stream_reset_error(code);
  } else {
    ec = Errc::h2_protocol;  // nghttp2 reset it: the response broke HTTP/2's rules
  }
  finish(*s, ec);
  return 0;
}

}  // namespace hload::pool
