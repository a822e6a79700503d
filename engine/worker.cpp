#include "engine/worker.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/classify_error.hpp"
#include "pool/bug.hpp"

namespace hload::engine {

namespace asio = boost::asio;

namespace {

// A request starting more than this after it was due counts as a late start (rate mode).
constexpr pool::Duration kLateStart = std::chrono::milliseconds(1);

// sweep_period is how often timeouts are checked: a twentieth of the timeout, within
// [1 ms, 100 ms], so a timeout fires at most 5% late.
pool::Duration sweep_period(pool::Duration timeout) {
  return std::clamp<pool::Duration>(timeout / 20, std::chrono::milliseconds(1),
                                    std::chrono::milliseconds(100));
}

void check_spawned(std::exception_ptr e) {
  if (e) HLOAD_BUG("a virtual user ended with an exception");
}

}  // namespace

Worker::Worker(const RunConfig& cfg, pool::RoundTripper& transport, const pool::Clock& clock,
               Schedule& schedule, const pool::Request& request, int users,
               std::function<void()> on_idle)
    : cfg_(cfg),
      transport_(transport),
      clock_(clock),
      schedule_(schedule),
      on_idle_(std::move(on_idle)) {
  users_.reserve(users);
  for (int i = 0; i < users; ++i) users_.push_back(std::make_unique<VirtualUser>(*this, request));
}

void Worker::start() {
  running_ = static_cast<int>(users_.size());
  for (auto& u : users_) asio::co_spawn(io_, u->run(), check_spawned);
  if (cfg_.timeout > pool::Duration::zero() && !users_.empty()) {
    asio::co_spawn(io_, sweep_timeouts(), check_spawned);
  }
  if (users_.empty()) asio::post(io_, [this] { on_idle_(); });
}

void Worker::interrupt() {
  asio::post(io_, [this] {
    for (auto& u : users_) u->interrupt();
  });
}

void Worker::release() {
  asio::post(io_, [this] { keep_running_.reset(); });
}

asio::awaitable<void> Worker::sweep_timeouts() {
  sweep_timer_.emplace(io_);
  const pool::Duration period = sweep_period(cfg_.timeout);
  while (running_ > 0) {
    sweep_timer_->expires_after(period);
    co_await sweep_timer_->async_wait(asio::as_tuple(asio::use_awaitable));
    const pool::TimePoint now = clock_.now();
    for (auto& u : users_) {
      if (u->deadline() <= now) u->expire();
    }
  }
}

void Worker::user_done() {
  if (--running_ > 0) return;
  if (sweep_timer_) sweep_timer_->cancel();
  on_idle_();
}

void Worker::record(const RequestRecord& r) {
  ++stats_.requests;
  ++host_.requests;
  live_requests_.store(live_requests_.load(kRelaxed) + 1, kRelaxed);
  const pool::Response& resp = *r.response;
  stats_.bytes_out += resp.bytes_out;
  if (r.ec) {
    ++stats_.errors;
    ++error_counts_[static_cast<int>(classify_error(r.ec, r.timed_out))];
    live_errors_.store(live_errors_.load(kRelaxed) + 1, kRelaxed);
  } else {
    ++status_counts_[std::min<unsigned>(resp.status, status_counts_.size() - 1)];
    if (resp.status < 400) ++stats_.ok;
    stats_.bytes_in += resp.bytes_in;
    stats_.body_bytes += resp.body_bytes;
  }

  if (schedule_.open_model()) {
    stats_.latency.record(r.end - r.due);
    stats_.service_time.record(r.end - r.start);
    if (r.start - r.due > kLateStart) ++stats_.late_starts;
  } else {
    stats_.latency.record(r.end - r.start);
  }

  if (!r.conn) return;
  const pool::GotConnInfo& c = *r.conn;
  ++host_.acquire[static_cast<int>(c.outcome)];
  if (c.reused) ++host_.reused;
  if (c.outcome != pool::AcquireOutcome::dial) host_.wait_idle.record(c.wait);
  Phases& p = stats_.phases;
  p.wait_conn.record(c.wait);
  if (c.outcome == pool::AcquireOutcome::dial) p.dial.record(c.dial_time);
  if (r.written_at > r.got_conn_at) p.write.record(r.written_at - r.got_conn_at);
  if (r.first_byte_at > r.written_at && r.written_at != pool::TimePoint{}) {
    p.first_byte.record(r.first_byte_at - r.written_at);
    if (!r.ec) p.body.record(r.end - r.first_byte_at);
  }
}

RunResult Worker::take_result(const std::string& host_name) {
  for (size_t code = 0; code < status_counts_.size(); ++code) {
    if (status_counts_[code]) stats_.status_codes[static_cast<int>(code)] += status_counts_[code];
  }
  for (int k = 0; k < kErrorKinds; ++k) {
    if (error_counts_[k])
      stats_.errors_by_kind[to_string(static_cast<ErrorKind>(k))] += error_counts_[k];
  }
  stats_.hosts[host_name].merge(host_);
  return std::move(stats_);
}

}  // namespace hload::engine
