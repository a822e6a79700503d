#include "tests/support/fake_dialer.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "pool/errors.hpp"

namespace hload::test {

namespace {
constexpr auto kNoEnd = asio::steady_timer::time_point::max();
}

FakeConnState::Outcome FakeConnState::refused() {
  Outcome o;
  o.ec = pool::Errc::refused_stream;
  o.wrote_any = true;
  o.got_any = false;
  o.keep_alive = true;
  return o;
}

void FakeConnState::release_response() {
  for (auto& h : held) {
    h->released = true;
    if (h->gate) h->gate->cancel();
  }
}

void FakeConnState::release_one() {
  for (auto& h : held) {
    if (h->released) continue;
    h->released = true;
    if (h->gate) h->gate->cancel();
    return;
  }
}

void FakeConnState::change_streams(int n) {
  streams = n;
  if (events) events->on_conn_changed();
}

void FakeConnState::send_goaway() {
  goaway = true;
  if (events) events->on_conn_changed();
}

asio::awaitable<pool::ConnResult> FakeConn::round_trip(const pool::Request& req,
                                                       pool::Response& resp) {
  FakeConnState& s = *state_;
  s.in_round_trip = true;
  ++s.round_trips;
  ++s.active;
  s.max_active = std::max(s.max_active, s.active);
  if (s.hold_responses) {
    auto h = std::make_shared<FakeConnState::Held>();
    h->gate = std::make_unique<asio::steady_timer>(co_await asio::this_coro::executor, kNoEnd);
    s.held.push_back(h);
    co_await h->gate->async_wait(
        asio::bind_cancellation_slot(req.cancel, asio::as_tuple(asio::use_awaitable)));
    std::erase(s.held, h);
    if (!h->released) {
      // The request was abandoned mid-response: an HTTP/1.1 connection cannot be reused; an
      // HTTP/2 one resets the stream and goes on.
      --s.active;
      s.in_round_trip = s.active > 0;
      if (s.streams <= 1) reusable_ = false;
      co_return pool::ConnResult{asio::error::operation_aborted, true, false};
    }
  }
  --s.active;
  s.in_round_trip = s.active > 0;
  FakeConnState::Outcome out;
  if (!s.script.empty()) {
    out = s.script.front();
    s.script.pop_front();
  }
  pool::ConnResult r;
  r.ec = out.ec;
  r.wrote_any = out.wrote_any;
  r.got_any = out.ec ? out.got_any : true;
  const bool stream_only = out.ec == pool::Errc::refused_stream;
  reusable_ = reusable_ && (stream_only || (!out.ec && out.keep_alive && !out.junk_after));
  close_reason_ = out.junk_after ? pool::CloseReason::protocol : pool::CloseReason::server_close;
  if (!out.ec) {
    resp.status = 200;
    resp.keep_alive = out.keep_alive;
  }
  co_return r;
}

asio::awaitable<pool::DialResult> FakeDialer::dial(const pool::ConnKey& key,
                                                   asio::cancellation_slot cancel) {
  PendingDial* dp;
  {
    std::lock_guard l(mu_);
    dials_.push_back(std::make_unique<PendingDial>());
    dp = dials_.back().get();
  }
  PendingDial& d = *dp;
  d.key = key;
  if (auto_complete) d.result = error_code{};
  if (!d.result) {
    d.gate = std::make_unique<asio::steady_timer>(co_await asio::this_coro::executor, kNoEnd);
    co_await d.gate->async_wait(
        asio::bind_cancellation_slot(cancel, asio::as_tuple(asio::use_awaitable)));
  }
  d.finished = true;
  if (!d.result) {
    // Nobody completed it: the pool cancelled it.
    d.cancelled = true;
    co_return pool::DialResult{asio::error::operation_aborted, nullptr};
  }
  if (*d.result) co_return pool::DialResult{*d.result, nullptr};
  if (!d.conn) d.conn = new_conn_state();
  co_return pool::DialResult{{}, std::make_unique<FakeConn>(d.conn)};
}

int FakeDialer::pending() const {
  std::lock_guard l(mu_);
  int n = 0;
  for (const auto& d : dials_) n += d->finished ? 0 : 1;
  return n;
}

std::shared_ptr<FakeConnState> FakeDialer::new_conn_state() {
  std::lock_guard l(mu_);
  auto s = std::make_shared<FakeConnState>();
  s->id = static_cast<int>(conns_.size());
  s->streams = streams;
  conns_.push_back(s);
  return s;
}

std::shared_ptr<FakeConnState> FakeDialer::complete(int i) {
  PendingDial& d = at(i);
  d.result = error_code{};
  d.conn = new_conn_state();
  if (d.gate) d.gate->cancel();
  return d.conn;
}

void FakeDialer::fail(int i, error_code ec) {
  PendingDial& d = at(i);
  d.result = ec;
  if (d.gate) d.gate->cancel();
}

}  // namespace hload::test
