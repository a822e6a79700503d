#include "engine/virtual_user.hpp"

#include <algorithm>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/engine_errors.hpp"
#include "engine/redirect.hpp"
#include "engine/target_ring.hpp"
#include "engine/worker.hpp"

namespace hload::engine {

namespace asio = boost::asio;

namespace {

pool::Duration period_of(double per_second) {
  return std::chrono::duration_cast<pool::Duration>(
      std::chrono::duration<double>(1.0 / per_second));
}

// A user that ran out of local resources (descriptors, ports) waits before its next request,
// from kFirstBackoff doubling up to kMaxBackoff, instead of failing in a tight loop that only
// makes the shortage worse.
constexpr pool::Duration kFirstBackoff = std::chrono::milliseconds(10);
constexpr pool::Duration kMaxBackoff = std::chrono::milliseconds(200);

bool is_local_shortage(ErrorKind k) {
  return k == ErrorKind::fd_limit || k == ErrorKind::no_local_port;
}

}  // namespace

VirtualUser::VirtualUser(Worker& worker, TargetRing& targets, std::uint32_t seed)
    : worker_(worker), targets_(targets), rng_(seed) {
  request_.trace = this;
  request_.cancel = cancel_.slot();
  request_.parked = &parked_;
}

void VirtualUser::start() {
  // A closed-model user without pacing begins its first request outside any coroutine: one
  // that waits for a connection parks at once, and 10,000 users waiting for two connections
  // never hold a frame each (docs/performance.md#memory). Others sleep first, in drive.
  if (worker_.config().qps_per_user > 0 || worker_.schedule().open_model()) {
    worker_.spawn(drive(false));
    return;
  }
  const auto due = worker_.schedule().next(worker_.clock().now());
  if (!due) {
    worker_.user_done();
    return;
  }
  begin(*due);
  if (park(worker_.io().get_executor())) worker_.spawn(drive(true));
}

bool VirtualUser::park(const asio::any_io_executor& executor) {
  return worker_.transport().park(request_, executor, &wake, this);
}

asio::awaitable<void> VirtualUser::drive(bool begun) {
  const RunConfig& cfg = worker_.config();
  const pool::Clock& clock = worker_.clock();
  const bool paced = cfg.qps_per_user > 0;
  const pool::Duration pace = paced ? period_of(cfg.qps_per_user) : pool::Duration::zero();
  if (!begun) next_allowed_ = clock.now();

  // A request begun is finished whatever happened meanwhile: it holds a stream, or why not.
  while (begun || !interrupted_) {
    if (!begun) {
      if (paced && !co_await sleep_until(next_allowed_)) break;
      if (backoff_ > pool::Duration::zero() && !co_await sleep_until(clock.now() + backoff_)) break;
      const auto due = worker_.schedule().next(clock.now());
      if (!due) break;
      if (*due > clock.now() && !co_await sleep_until(*due)) break;
      next_allowed_ = clock.now() + pace;
      begin(*due);
      // Parked, the request waits as an entry of the pool's queues, and this frame ends: the
      // user is spawned again (wake) once it was delivered a connection or cancelled.
      if (!park(co_await asio::this_coro::executor)) co_return;
    }
    begun = false;
    // The request's hops are awaited in this frame: a coroutine of their own was one more
    // frame to make, resume and free on every request (docs/performance.md#memory).
    HopEnd end;
    do {
      hop_.ec = co_await worker_.transport().round_trip(request_, response_);
      end = end_hop();
    } while (end == HopEnd::redirect);
    if (end == HopEnd::interrupted) break;
  }
  worker_.user_done();
}

void VirtualUser::wake(void* user) {
  auto* self = static_cast<VirtualUser*>(user);
  self->worker_.spawn(self->drive(true));
}

void VirtualUser::begin(pool::TimePoint due) {
  const RunConfig& cfg = worker_.config();
  record_ = RequestRecord{};
  record_.due = due;
  record_.start = worker_.clock().now();
  timed_out_ = false;
  deadline_ =
      cfg.timeout > pool::Duration::zero() ? record_.start + cfg.timeout : pool::TimePoint::max();
  response_ = pool::Response{};
  begin_hop(targets_.next(rng_), record_.start);
}

VirtualUser::HopEnd VirtualUser::end_hop() {
  const pool::Clock& clock = worker_.clock();
  hop_.end = clock.now();
  if (interrupted_ && hop_.ec == asio::error::operation_aborted) {
    // The run ended with this request under way: it is reported as unfinished, with its age.
    deadline_ = pool::TimePoint::max();
    const pool::TimePoint since = worker_.schedule().open_model() ? record_.due : record_.start;
    worker_.record_unfinished(hop_.end - since);
    return HopEnd::interrupted;
  }
  record_.bytes_in += response_.bytes_in;
  record_.bytes_out += response_.bytes_out;
  worker_.record_hop(hop_);
  if (follow_redirect()) return HopEnd::redirect;
  end_request();
  return HopEnd::done;
}

bool VirtualUser::follow_redirect() {
  if (hop_.ec || worker_.config().disable_redirects || !is_followed_redirect(response_.status) ||
      response_.location.empty()) {
    return false;
  }
  if (record_.redirects == kMaxRedirects) {
    record_.ec = make_error_code(EngineErrc::too_many_redirects);
    return false;
  }
  auto next = worker_.redirect(*hop_.to, response_.status, response_.location, scratch_);
  if (const auto* ec = std::get_if<pool::error_code>(&next)) {
    record_.ec = *ec;
    return false;
  }
  ++record_.redirects;
  begin_hop(*std::get<const HopTarget*>(next), worker_.clock().now());
  return true;
}

void VirtualUser::end_request() {
  deadline_ = pool::TimePoint::max();
  if (!record_.ec) record_.ec = hop_.ec;
  record_.timed_out = timed_out_;
  record_.status = record_.ec ? 0 : response_.status;
  record_.body_bytes = response_.body_bytes;
  // The request ends with its last hop: the bookkeeping since is hload's, not the server's.
  record_.end = hop_.end;
  record_.last_hop = &hop_;
  const auto kind = worker_.record_request(record_);
  if (kind && is_local_shortage(*kind)) {
    backoff_ =
        backoff_ > pool::Duration::zero() ? std::min(backoff_ * 2, kMaxBackoff) : kFirstBackoff;
  } else {
    backoff_ = pool::Duration::zero();
  }
}

void VirtualUser::begin_hop(const HopTarget& to, pool::TimePoint start) {
  hop_ = HopRecord{};
  hop_.to = &to;
  hop_.response = &response_;
  hop_.start = start;
  request_.host = to.host;
  request_.wire = to.target.wire;
  request_.fields = to.target.h2_fields;
  request_.body = to.target.body();
  request_.head = to.target.head;
  request_.replayable = to.target.replayable;
}

asio::awaitable<bool> VirtualUser::sleep_until(pool::TimePoint t) {
  if (!pacer_) pacer_ = std::make_unique<asio::steady_timer>(co_await asio::this_coro::executor);
  pacer_->expires_at(t);
  co_await pacer_->async_wait(
      asio::bind_cancellation_slot(cancel_.slot(), asio::as_tuple(asio::use_awaitable)));
  co_return !interrupted_;
}

void VirtualUser::expire() {
  timed_out_ = true;
  deadline_ = pool::TimePoint::max();
  cancel_.emit(asio::cancellation_type::terminal);
}

void VirtualUser::interrupt() {
  interrupted_ = true;
  cancel_.emit(asio::cancellation_type::terminal);
}

void VirtualUser::on_permit_wait(pool::Duration queued) {
  worker_.record_queued_at_limit(*hop_.to, queued);
}

void VirtualUser::on_got_conn(const pool::GotConnInfo& info) {
  // After a retry the last connection is the one that served the request.
  hop_.conn = info;
  hop_.got_conn_at = info.at;
}

void VirtualUser::on_wrote_request() { hop_.written_at = worker_.clock().now(); }

void VirtualUser::on_first_response_byte() { hop_.first_byte_at = worker_.clock().now(); }

void VirtualUser::on_retry() { worker_.record_retry(*hop_.to); }

}  // namespace hload::engine
