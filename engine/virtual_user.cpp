#include "engine/virtual_user.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/worker.hpp"

namespace hload::engine {

namespace asio = boost::asio;

namespace {

pool::Duration period_of(double per_second) {
  return std::chrono::duration_cast<pool::Duration>(
      std::chrono::duration<double>(1.0 / per_second));
}

}  // namespace

VirtualUser::VirtualUser(Worker& worker, const pool::Request& request)
    : worker_(worker), request_(request) {
  request_.trace = this;
  request_.cancel = cancel_.slot();
}

asio::awaitable<void> VirtualUser::run() {
  const RunConfig& cfg = worker_.config();
  const pool::Clock& clock = worker_.clock();
  const bool paced = cfg.qps_per_user > 0;
  const pool::Duration pace = paced ? period_of(cfg.qps_per_user) : pool::Duration::zero();
  pool::TimePoint next_allowed = clock.now();
  pool::Response response;

  while (!interrupted_) {
    if (paced && !co_await sleep_until(next_allowed)) break;
    const auto due = worker_.schedule().next(clock.now());
    if (!due) break;
    if (*due > clock.now() && !co_await sleep_until(*due)) break;

    record_ = RequestRecord{};
    record_.due = *due;
    record_.start = clock.now();
    next_allowed = record_.start + pace;
    timed_out_ = false;
    deadline_ =
        cfg.timeout > pool::Duration::zero() ? record_.start + cfg.timeout : pool::TimePoint::max();
    const pool::error_code ec = co_await worker_.transport().round_trip(request_, response);
    deadline_ = pool::TimePoint::max();
    if (interrupted_ && ec == asio::error::operation_aborted) break;  // Ctrl-C: not finished
    record_.ec = ec;
    record_.timed_out = timed_out_;
    record_.response = &response;
    record_.end = clock.now();
    worker_.record(record_);
  }
  worker_.user_done();
}

asio::awaitable<bool> VirtualUser::sleep_until(pool::TimePoint t) {
  if (!pacer_) pacer_.emplace(co_await asio::this_coro::executor);
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

void VirtualUser::on_permit_wait(pool::Duration queued) { worker_.record_permit_wait(queued); }

void VirtualUser::on_got_conn(const pool::GotConnInfo& info) {
  // After a retry the last connection is the one that served the request.
  record_.conn = info;
  record_.got_conn_at = worker_.clock().now();
}

void VirtualUser::on_wrote_request() { record_.written_at = worker_.clock().now(); }

void VirtualUser::on_first_response_byte() { record_.first_byte_at = worker_.clock().now(); }

void VirtualUser::on_retry() { worker_.record_retry(); }

}  // namespace hload::engine
