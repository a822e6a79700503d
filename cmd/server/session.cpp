#include "cmd/server/session.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace hload::server {
namespace {

using namespace std::chrono_literals;
using boost::system::error_code;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

constexpr std::size_t kReadSize = 16 * 1024;
// How long a graceful close waits for the client to close its side.
constexpr auto kLinger = 2s;

}  // namespace

Session::Session(std::shared_ptr<ServerState> state, asio::ip::tcp::socket socket)
    : state_(std::move(state)),
      executor_(socket.get_executor()),
      socket_(std::move(socket)),
      timer_(executor_),
      idle_timer_(executor_),
      in_(kReadSize) {
  error_code ignored;
  // Every answer is one write; waiting for an ACK before sending it only adds latency.
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
}

asio::awaitable<void> Session::serve(std::shared_ptr<Session> self) {
  if (self->state_->add(self.get())) {
    co_await self->answer_requests();
    self->state_->remove(self.get());
  }
  self->close();
  self->state_->on_closed();
}

void Session::close() {
  if (closed_) return;
  closed_ = true;
  error_code ignored;
  socket_.close(ignored);
  timer_.cancel();
  idle_timer_.cancel();
}

asio::awaitable<void> Session::answer_requests() {
  const ServerOptions& opt = state_->options;
  const CannedResponses& canned = state_->responses;
  for (;;) {
    FramedRequest req;
    FrameStatus status = framer_.frame(unread(), req);
    if (status == FrameStatus::incomplete && opt.fault == Fault::reject_body &&
        framer_.head_done()) {
      // Answered before the body is read, then closed with the body unread: the client sees
      // its write fail (a reset) with the answer already in its receive buffer.
      state_->requests.fetch_add(1, std::memory_order_relaxed);
      out_ += canned.too_large;
      co_await flush();
      co_return;
    }
    if (status == FrameStatus::incomplete) {
      // Everything buffered is answered: send the batch before waiting for more.
      if (!co_await flush() || !co_await read_more(in_begin_ == in_end_)) co_return;
      continue;
    }
    if (status == FrameStatus::malformed) {
      out_ += canned.bad_request;
      if (co_await flush()) co_await close_gracefully();
      co_return;
    }
    in_begin_ += req.size;
    ++framed_;
    state_->requests.fetch_add(1, std::memory_order_relaxed);

    if (opt.fault != Fault::none && framed_ > opt.fault_after) {
      if (co_await flush()) co_await inject(opt.fault);
      co_return;
    }
    const auto since = state_->since_start();
    if (const auto delay = state_->delay_at(since); delay > 0ms) {
      // A close that came while the request was being read must not be outwaited: the timer
      // is the one wait that a closed socket does not end.
      if (!co_await flush() || closed_) co_return;
      timer_.expires_after(delay);
      co_await timer_.async_wait(kUseTuple);
      if (closed_) co_return;
    }
    if (state_->failing_at(since)) {
      out_.append(canned.failing.bytes, 0,
                  req.head ? canned.failing.head_size : canned.failing.bytes.size());
      ++out_responses_;
      if (req.keep_alive) continue;
      if (co_await flush()) co_await close_gracefully();
      co_return;
    }
    if (!opt.redirect_path.empty() && req.target == opt.redirect_path) {
      out_ += canned.redirect;
      ++out_responses_;
      if (req.keep_alive) continue;
      if (co_await flush()) co_await close_gracefully();
      co_return;
    }
    const bool last = !req.keep_alive || (opt.close_every != 0 && framed_ % opt.close_every == 0);
    const CannedResponse& r = last ? canned.closing : canned.keep_alive;
    out_.append(r.bytes, 0, req.head ? r.head_size : r.bytes.size());
    ++out_responses_;
    if (last) {
      if (co_await flush()) co_await close_gracefully();
      co_return;
    }
  }
}

asio::awaitable<bool> Session::read_more(bool idle) {
  if (in_begin_ == in_end_) {
    in_begin_ = in_end_ = 0;
  } else if (in_end_ == in_.size()) {
    // A request larger than the buffer: make room. The framer caps request sizes.
    if (in_begin_ > 0) {
      std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
      in_end_ -= in_begin_;
      in_begin_ = 0;
    } else {
      in_.resize(in_.size() * 2);
    }
  }
  const bool watch_idle = idle && state_->options.close_idle_after > std::chrono::milliseconds(0);
  if (watch_idle) arm_idle_timer();
  auto [ec, n] = co_await socket_.async_read_some(
      asio::buffer(in_.data() + in_end_, in_.size() - in_end_), kUseTuple);
  if (watch_idle) disarm_idle_timer();
  if (ec) co_return false;
  in_end_ += n;
  co_return true;
}

asio::awaitable<bool> Session::flush() {
  if (out_.empty()) co_return true;
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(out_), kUseTuple);
  if (ec) co_return false;
  state_->responses_written.fetch_add(out_responses_, std::memory_order_relaxed);
  out_responses_ = 0;
  out_.clear();
  co_return true;
}

asio::awaitable<void> Session::inject(Fault fault) {
  const CannedResponses& canned = state_->responses;
  switch (fault) {
    case Fault::none:
      break;
    case Fault::stall:
      co_await discard_until_closed();
      break;
    case Fault::close_mid_body: {
      const CannedResponse& r = canned.keep_alive;
      out_.append(r.bytes, 0, r.head_size + (r.bytes.size() - r.head_size) / 2);
      if (co_await flush()) co_await close_gracefully();
      break;
    }
    case Fault::malformed:
      out_ += canned.garbage;
      if (co_await flush()) co_await close_gracefully();
      break;
    case Fault::reset: {
      error_code ignored;
      socket_.set_option(asio::socket_base::linger(true, 0), ignored);
      close();
      break;
    }
    case Fault::close_before_response:
      co_await close_gracefully();
      break;
    case Fault::junk_after_response:
      out_ += canned.keep_alive.bytes;
      out_ += "junk";
      if (co_await flush()) co_await close_gracefully();
      break;
    case Fault::reject_body:
      // A request without a body; one with a body is answered before it is read whole.
      out_ += canned.too_large;
      co_await flush();
      break;
  }
}

asio::awaitable<void> Session::close_gracefully() {
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  timer_.expires_after(kLinger);
  timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->close();
  });
  co_await discard_until_closed();
  timer_.cancel();
}

asio::awaitable<void> Session::discard_until_closed() {
  std::array<char, 4096> sink;
  for (;;) {
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(sink), kUseTuple);
    if (ec) co_return;
  }
}

void Session::arm_idle_timer() {
  idle_timer_.expires_after(state_->options.close_idle_after);
  idle_timer_.async_wait(
      [self = shared_from_this(), generation = ++idle_generation_](error_code ec) {
        // An expiry already queued when the read completed must not close the now busy connection.
        if (!ec && generation == self->idle_generation_) self->close();
      });
}

void Session::disarm_idle_timer() {
  ++idle_generation_;
  idle_timer_.cancel();
}

std::string_view Session::unread() const noexcept {
  return {in_.data() + in_begin_, in_end_ - in_begin_};
}

}  // namespace hload::server
