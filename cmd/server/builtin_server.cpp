#include "cmd/server/builtin_server.hpp"

#include <stdexcept>
#include <string>
#include <system_error>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "cmd/server/server_state.hpp"
#include "cmd/server/session.hpp"

namespace hload::server {
namespace {

using boost::system::error_code;
using tcp = asio::ip::tcp;

void validate(const ServerOptions& o) {
  if (o.status < 200 || o.status > 999) {
    throw std::invalid_argument("built-in server: status must be 200-999");
  }
  if (o.threads < 1) throw std::invalid_argument("built-in server: threads must be at least 1");
  if (o.fail_status < 200 || o.fail_status > 999) {
    throw std::invalid_argument("built-in server: fail_status must be 200-999");
  }
  for (std::size_t i = 1; i < o.delay_changes.size(); ++i) {
    if (o.delay_changes[i].after < o.delay_changes[i - 1].after) {
      throw std::invalid_argument("built-in server: delay changes must come in order");
    }
  }
  if (o.fault == Fault::close_mid_body &&
      (o.body_size == 0 || o.status == 204 || o.status == 304)) {
    throw std::invalid_argument("built-in server: close_mid_body needs a response body");
  }
}

// accept_loop accepts connections until the listening socket is closed, placing each on the
// next executor in turn.
asio::awaitable<void> accept_loop(std::shared_ptr<ServerState> state) {
  for (std::size_t next = 0;; ++next) {
    const asio::any_io_executor& ex = state->executors[next % state->executors.size()];
    auto [ec, socket] =
        co_await state->acceptor.async_accept(ex, asio::as_tuple(asio::use_awaitable));
    if (!state->acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors, or a connection reset while in the backlog: try again shortly
      // rather than spin.
      asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(10));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    state->on_open();
    asio::co_spawn(ex, Session::serve(std::make_shared<Session>(state, std::move(socket))),
                   asio::detached);
  }
}

}  // namespace

BuiltinServer::BuiltinServer(const ServerOptions& options) {
  validate(options);
  std::vector<asio::any_io_executor> executors;
  for (int i = 0; i < options.threads; ++i) {
    // One io_context per thread, as the client does (docs/performance.md#hot-path).
    contexts_.push_back(std::make_unique<asio::io_context>(1));
    guards_.push_back(asio::make_work_guard(*contexts_.back()));
    executors.emplace_back(contexts_.back()->get_executor());
  }
  start(std::move(executors), options);
  for (auto& ctx : contexts_) threads_.emplace_back([c = ctx.get()] { c->run(); });
}

BuiltinServer::BuiltinServer(asio::io_context& ioc, const ServerOptions& options) {
  validate(options);
  start({ioc.get_executor()}, options);
}

// NOLINTNEXTLINE(bugprone-exception-escape): a stop() that throws is fatal anyway.
BuiltinServer::~BuiltinServer() { stop(); }

void BuiltinServer::start(std::vector<asio::any_io_executor> executors,
                          const ServerOptions& options) {
  state_ = std::make_shared<ServerState>(options, std::move(executors));
  tcp::acceptor& a = state_->acceptor;
  const tcp::endpoint at(asio::ip::make_address_v4("127.0.0.1"), options.port);
  // std::system_error, as promised: Boost's own exception appends the location in Asio's
  // headers to its message, which `hload serve` would then show the user.
  const auto check = [&at](const error_code& ec, const char* step) {
    if (ec) {
      throw std::system_error(
          std::error_code(ec),
          std::string(step) + " " + at.address().to_string() + ":" + std::to_string(at.port()));
    }
  };
  error_code ec;
  a.open(at.protocol(), ec);
  check(ec, "open a socket for");
  a.set_option(tcp::acceptor::reuse_address(true), ec);
  check(ec, "set SO_REUSEADDR for");
  if (options.fault == Fault::reject_body) {
    // A small receive window (inherited by accepted sockets) keeps a large request body
    // mostly unsent when the answer comes, so the client's write is still under way.
    a.set_option(asio::socket_base::receive_buffer_size(16 * 1024), ec);
    check(ec, "set SO_RCVBUF for");
  }
  a.bind(at, ec);
  check(ec, "bind");
  a.listen(tcp::acceptor::max_listen_connections, ec);
  check(ec, "listen on");
  port_ = a.local_endpoint(ec).port();
  check(ec, "read the port of");
  asio::co_spawn(state_->executors.front(), accept_loop(state_), asio::detached);
}

ServerCounters BuiltinServer::counters() const noexcept { return state_->counters(); }

void BuiltinServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  asio::post(state_->executors.front(), [state = state_] {
    error_code ignored;
    state->acceptor.close(ignored);
  });
  for (auto& session : state_->begin_stop()) {
    asio::post(session->executor(), [session] { session->close(); });
  }
  guards_.clear();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace hload::server
