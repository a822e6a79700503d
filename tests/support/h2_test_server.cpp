#include "tests/support/h2_test_server.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>
#include <list>
#include <map>
#include <stdexcept>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace hload::test {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kFrameHeader = 9;
constexpr std::size_t kHeaderFramePayload = 16384;

// frame_bytes is what a frame (a header block: with its CONTINUATION frames) of this payload
// length puts on the wire.
std::uint64_t frame_bytes(std::uint8_t type, std::size_t length) {
  const std::size_t frames =
      type == NGHTTP2_HEADERS
          ? std::max<std::size_t>(1, (length + kHeaderFramePayload - 1) / kHeaderFramePayload)
          : 1;
  return length + frames * kFrameHeader;
}

nghttp2_nv field(const std::string& name, const std::string& value) {
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
          value.size(), NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

struct H2TestServer::Impl : std::enable_shared_from_this<Impl> {
  // Stream is a request being received or answered.
  struct Stream {
    H2Request request;
    std::uint64_t body_left = 0;
    bool headers_only = false;
  };

  explicit Impl(boost::beast::test::stream s) : stream(std::move(s)), in(64 * 1024) {}
  ~Impl() { nghttp2_session_del(session); }

  void start(const H2ServerOptions& options) {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_begin_frame_callback(cb, on_begin_frame);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_frame_send);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    const int rv = nghttp2_session_server_new(&session, cb, this);
    nghttp2_session_callbacks_del(cb);
    if (rv != 0) throw std::runtime_error("nghttp2_session_server_new failed");
    std::vector<nghttp2_settings_entry> settings{
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, options.initial_window_size}};
    if (options.limit_streams) {
      settings.push_back({NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, options.max_concurrent_streams});
    }
    nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
    flush();
    asio::co_spawn(stream.get_executor(), read_loop(shared_from_this()), asio::detached);
  }

  static asio::awaitable<void> read_loop(std::shared_ptr<Impl> self) {
    while (!self->closed) {
      const auto [ec, n] = co_await self->stream.async_read_some(
          asio::buffer(self->in), asio::as_tuple(asio::use_awaitable));
      if (n > 0 && !self->closed) {
        if (nghttp2_session_mem_recv(self->session, self->in.data(), n) < 0) self->close();
        self->flush();
      }
      if (ec) {
        self->client_closed = ec == boost::asio::error::eof;
        break;
      }
    }
  }

  // flush writes what nghttp2 queued, at once: the test stream never blocks a writer.
  void flush() {
    if (closed) return;
    for (;;) {
      const std::uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session, &data);
      if (n <= 0) break;
      wire.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
      boost::system::error_code ignored;
      asio::write(stream, asio::buffer(data, static_cast<std::size_t>(n)), ignored);
    }
  }

  void close() {
    if (closed) return;
    closed = true;
    for (auto& t : timers) t.cancel();
    stream.close();
  }

  // answer replies to a request as the script says, now or after its delay.
  void answer(std::int32_t id) {
    const H2Reply reply = script ? script(streams[id].request) : H2Reply{};
    if (reply.delay.count() > 0 && !reply.hold) {
      auto& timer = timers.emplace_back(stream.get_executor(), reply.delay);
      timer.async_wait([self = shared_from_this(), id, reply](boost::system::error_code ec) {
        if (!ec && !self->closed) {
          self->submit(id, reply);
          self->flush();
        }
      });
      return;
    }
    submit(id, reply);
  }

  void submit(std::int32_t id, const H2Reply& reply) {
    if (reply.hold) {
      held.push_back(id);
      return;
    }
    if (reply.reset) {
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, id, *reply.reset);
      return;
    }
    auto it = streams.find(id);
    if (it == streams.end()) return;  // the client reset it
    if (reply.interim) {
      const std::string name = ":status", value = std::to_string(*reply.interim);
      const nghttp2_nv nv = field(name, value);
      nghttp2_submit_headers(session, NGHTTP2_FLAG_NONE, id, nullptr, &nv, 1, nullptr);
    }
    it->second.body_left = reply.body_size;
    it->second.headers_only = reply.headers_only;
    std::vector<std::string> storage{":status", std::to_string(reply.status)};
    for (const auto& [n, v] : reply.headers) {
      storage.push_back(n);
      storage.push_back(v);
    }
    std::vector<nghttp2_nv> nv;
    for (std::size_t i = 0; i < storage.size(); i += 2)
      nv.push_back(field(storage[i], storage[i + 1]));
    nghttp2_data_provider body{};
    body.source.ptr = this;
    body.read_callback = read_body;
    const bool has_body = reply.body_size > 0 || reply.headers_only;
    nghttp2_submit_response(session, id, nv.data(), nv.size(), has_body ? &body : nullptr);
  }

  static Impl& self(void* user) { return *static_cast<Impl*>(user); }

  static ssize_t read_body(nghttp2_session*, std::int32_t id, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source*, void* user) {
    auto it = self(user).streams.find(id);
    if (it == self(user).streams.end()) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    Stream& s = it->second;
    if (s.headers_only) return NGHTTP2_ERR_DEFERRED;
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(length, s.body_left));
    std::memset(buf, 'x', n);
    s.body_left -= n;
    if (s.body_left == 0) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
  static int on_begin_frame(nghttp2_session*, const nghttp2_frame_hd* hd, void* user) {
    if (hd->type == NGHTTP2_HEADERS || hd->type == NGHTTP2_DATA ||
        hd->type == NGHTTP2_CONTINUATION) {
      self(user).received[hd->stream_id] += kFrameHeader + hd->length;
    }
    return 0;
  }
  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      self(user).streams[frame->hd.stream_id].request.stream_id = frame->hd.stream_id;
    }
    return 0;
  }
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t, void* user) {
    auto it = self(user).streams.find(frame->hd.stream_id);
    if (it == self(user).streams.end()) return 0;
    H2Request& r = it->second.request;
    const std::string n(reinterpret_cast<const char*>(name), namelen);
    std::string v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":method") {
      r.method = std::move(v);
    } else if (n == ":scheme") {
      r.scheme = std::move(v);
    } else if (n == ":authority") {
      r.authority = std::move(v);
    } else if (n == ":path") {
      r.path = std::move(v);
    } else {
      r.headers.emplace_back(n, std::move(v));
    }
    return 0;
  }
  static int on_data(nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t*,
                     std::size_t len, void* user) {
    auto it = self(user).streams.find(id);
    if (it != self(user).streams.end()) it->second.request.body_bytes += len;
    return 0;
  }
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    Impl& s = self(user);
    if (frame->hd.type == NGHTTP2_RST_STREAM) {
      s.resets.emplace_back(frame->hd.stream_id, frame->rst_stream.error_code);
    }
    const bool ends = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) && ends) {
      auto it = s.streams.find(frame->hd.stream_id);
      if (it != s.streams.end()) {
        s.requests.push_back(it->second.request);
        s.answer(frame->hd.stream_id);
      }
    }
    return 0;
  }
  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) {
      self(user).sent[frame->hd.stream_id] += frame_bytes(frame->hd.type, frame->hd.length);
    }
    return 0;
  }
  static int on_stream_close(nghttp2_session*, std::int32_t id, std::uint32_t, void* user) {
    self(user).streams.erase(id);
    return 0;
  }

  boost::beast::test::stream stream;
  nghttp2_session* session = nullptr;
  std::vector<std::uint8_t> in;
  bool closed = false;
  bool client_closed = false;
  Script script;
  std::map<std::int32_t, Stream> streams;
  std::vector<H2Request> requests;
  std::vector<std::int32_t> held;
  std::vector<std::pair<std::int32_t, std::uint32_t>> resets;
  std::map<std::int32_t, std::uint64_t> sent, received;
  std::list<asio::steady_timer> timers;
  std::string wire;
};

H2TestServer::H2TestServer(boost::beast::test::stream stream, H2ServerOptions options)
    : impl_(std::make_shared<Impl>(std::move(stream))) {
  impl_->start(options);
}

H2TestServer::~H2TestServer() { impl_->close(); }

void H2TestServer::set_script(Script script) { impl_->script = std::move(script); }

void H2TestServer::send_settings(std::uint32_t max_concurrent_streams) {
  const nghttp2_settings_entry e{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, max_concurrent_streams};
  nghttp2_submit_settings(impl_->session, NGHTTP2_FLAG_NONE, &e, 1);
  impl_->flush();
}

void H2TestServer::send_goaway(std::int32_t last_stream_id, std::uint32_t code) {
  nghttp2_submit_goaway(impl_->session, NGHTTP2_FLAG_NONE, last_stream_id, code, nullptr, 0);
  impl_->flush();
}

void H2TestServer::reset_stream(std::int32_t stream_id, std::uint32_t code) {
  nghttp2_submit_rst_stream(impl_->session, NGHTTP2_FLAG_NONE, stream_id, code);
  impl_->flush();
}

void H2TestServer::release(std::int32_t stream_id, H2Reply reply) {
  auto& held = impl_->held;
  held.erase(std::remove(held.begin(), held.end(), stream_id), held.end());
  reply.hold = false;
  impl_->submit(stream_id, reply);
  impl_->flush();
}

void H2TestServer::close() { impl_->close(); }

bool H2TestServer::client_closed() const { return impl_->client_closed; }

const std::vector<H2Request>& H2TestServer::requests() const { return impl_->requests; }

std::vector<std::int32_t> H2TestServer::held() const { return impl_->held; }

const std::vector<std::pair<std::int32_t, std::uint32_t>>& H2TestServer::resets() const {
  return impl_->resets;
}

std::uint64_t H2TestServer::bytes_sent(std::int32_t stream_id) const {
  const auto it = impl_->sent.find(stream_id);
  return it == impl_->sent.end() ? 0 : it->second;
}

std::uint64_t H2TestServer::bytes_received(std::int32_t stream_id) const {
  const auto it = impl_->received.find(stream_id);
  return it == impl_->received.end() ? 0 : it->second;
}

std::uint32_t H2TestServer::client_window() const {
  return nghttp2_session_get_remote_settings(impl_->session, NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE);
}

const std::string& H2TestServer::wire() const { return impl_->wire; }

}  // namespace hload::test
