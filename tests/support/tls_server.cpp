#include "tests/support/tls_server.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace hload::test {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// How long a close with close_notify waits for the client's close_notify before it just closes.
constexpr auto kShutdownWait = 100ms;

// select_http11 is the ALPN choice: HTTP/1.1 when the client offers it, else no protocol.
int select_http11(SSL*, const unsigned char** out, unsigned char* out_size, const unsigned char* in,
                  unsigned in_size, void*) {
  static const unsigned char kHttp11[] = "\x08http/1.1";
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, out_size, kHttp11, sizeof kHttp11 - 1, in, in_size) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

ssl::context make_context(const TlsServerOptions& o) {
  ssl::context ctx(ssl::context::tls_server);
  try {
    ctx.use_certificate_chain_file(o.cert.cert);
    ctx.use_private_key_file(o.cert.key, ssl::context::pem);
    if (!o.client_ca.empty()) {
      ctx.load_verify_file(o.client_ca);
      ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
      // Sessions are only resumed within a context that names itself.
      static const unsigned char kId[] = "hload-test";
      SSL_CTX_set_session_id_context(ctx.native_handle(), kId, sizeof kId - 1);
    }
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(std::string("TlsServer: ") + e.what());
  }
  if (o.tls12_only) SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_alpn_select_cb(ctx.native_handle(), &select_http11, nullptr);
  return ctx;
}

bool asks_to_close(std::string head) {
  std::transform(head.begin(), head.end(), head.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return head.find("\r\nconnection: close") != std::string::npos;
}

}  // namespace

struct TlsServer::Session {
  Session(tcp::socket socket, ssl::context& ctx) : stream(std::move(socket), ctx) {}
  ssl::stream<tcp::socket> stream;
  bool idle = false;       // waiting for its next request
  bool answering = false;  // writing a response
  bool closing = false;    // close_idle chose it
  bool notify = false;     // send a close_notify first
};

TlsServer::TlsServer(TlsServerOptions options)
    : options_(std::move(options)), context_(make_context(options_)) {
  io_.emplace(1);
  acceptor_.emplace(*io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  acceptor_->listen(1024);
  port_ = acceptor_->local_endpoint().port();
  asio::co_spawn(*io_, accept_loop(), asio::detached);
  thread_ = std::thread([this] { io_->run(); });
}

TlsServer::~TlsServer() {
  io_->stop();
  thread_.join();
  acceptor_.reset();
  sessions_.clear();
  // Destroys the sessions' suspended coroutines, and with them their connections.
  io_.reset();
}

TlsServerCounters TlsServer::counters() const {
  TlsServerCounters c;
  c.accepted = accepted_.load();
  c.handshakes = handshakes_.load();
  c.resumed = resumed_.load();
  c.requests = requests_.load();
  std::lock_guard l(mu_);
  c.open = open_;
  c.max_open = max_open_;
  return c;
}

std::vector<std::string> TlsServer::server_names() const {
  std::lock_guard l(mu_);
  return server_names_;
}

int TlsServer::close_idle(bool notify) {
  int chosen = -1;
  asio::post(*io_, [this, notify, &chosen] {
    int n = 0;
    for (const auto& weak : sessions_) {
      const auto s = weak.lock();
      if (!s || !(s->idle || s->answering)) continue;
      s->closing = true;
      s->notify = notify;
      error_code ignored;
      // Ends the read of its next request; one that is answering closes once it has answered.
      if (s->idle) s->stream.lowest_layer().cancel(ignored);
      ++n;
    }
    std::lock_guard l(mu_);
    chosen = n;
    closing_left_ += n;
    cv_.notify_all();
  });
  std::unique_lock l(mu_);
  cv_.wait(l, [&] { return chosen >= 0; });
  cv_.wait_for(l, 5s, [&] { return closing_left_ == 0; });
  return chosen;
}

asio::awaitable<void> TlsServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_->async_accept(kTuple);
    if (ec) co_return;
    ++accepted_;
    {
      std::lock_guard l(mu_);
      max_open_ = std::max(max_open_, ++open_);
    }
    auto s = std::make_shared<Session>(std::move(socket), context_);
    sessions_.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
    sessions_.push_back(s);
    asio::co_spawn(*io_, serve(std::move(s)), asio::detached);
  }
}

asio::awaitable<void> TlsServer::serve(std::shared_ptr<Session> s) {
  if (!options_.answer_handshake) {
    // Reads and drops what the client sends, so that its close is seen.
    char sink[4096];
    for (;;) {
      auto [ec, n] = co_await s->stream.next_layer().async_read_some(asio::buffer(sink), kTuple);
      if (ec) break;
    }
    closed();
    co_return;
  }
  if (options_.handshake_delay > 0ms) {
    asio::steady_timer delay(co_await asio::this_coro::executor, options_.handshake_delay);
    co_await delay.async_wait(kTuple);
  }
  auto [ec] = co_await s->stream.async_handshake(ssl::stream_base::server, kTuple);
  if (!ec) {
    SSL* native = s->stream.native_handle();
    ++handshakes_;
    if (SSL_session_reused(native) == 1) ++resumed_;
    const char* name = SSL_get_servername(native, TLSEXT_NAMETYPE_host_name);
    {
      std::lock_guard l(mu_);
      server_names_.emplace_back(name ? name : "");
    }
    co_await answer(s);
  }
  closed();
}

asio::awaitable<void> TlsServer::answer(std::shared_ptr<Session> s) {
  std::string buffer;
  while (!s->closing) {
    s->idle = true;
    auto [ec, n] = co_await asio::async_read_until(s->stream, asio::dynamic_buffer(buffer),
                                                   "\r\n\r\n", kTuple);
    s->idle = false;
    if (s->closing || ec) break;
    const bool close = asks_to_close(buffer.substr(0, n));
    buffer.erase(0, n);
    ++requests_;
    const std::string_view response =
        close ? "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"
              : "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
    // From its last byte on, the client may take the connection for idle: so does close_idle.
    s->answering = true;
    auto [write_ec, written] =
        co_await asio::async_write(s->stream, asio::buffer(response), kTuple);
    s->answering = false;
    if (write_ec || close) break;
  }
  if (s->closing) co_await close_chosen(s);
}

asio::awaitable<void> TlsServer::close_chosen(std::shared_ptr<Session> s) {
  error_code ignored;
  if (s->notify) {
    // The client does not answer the close_notify while it is idle: its send is enough.
    asio::steady_timer wait(co_await asio::this_coro::executor, kShutdownWait);
    wait.async_wait([s](error_code e) {
      error_code ignored_too;
      if (!e) s->stream.lowest_layer().close(ignored_too);
    });
    co_await s->stream.async_shutdown(kTuple);
  }
  s->stream.lowest_layer().close(ignored);
  std::lock_guard l(mu_);
  --closing_left_;
  cv_.notify_all();
}

void TlsServer::closed() {
  std::lock_guard l(mu_);
  --open_;
  cv_.notify_all();
}

}  // namespace hload::test
