#include "engine/worker.hpp"

#include <algorithm>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/classify_error.hpp"
#include "engine/failure_message.hpp"
#include "engine/redirect.hpp"
#include "pool/bug.hpp"
#include "pool/transport.hpp"

namespace hload::engine {

namespace asio = boost::asio;

namespace {

// A request starting more than this after it was due counts as a late start (rate mode).
constexpr pool::Duration kLateStart = std::chrono::milliseconds(1);

// A worker keeps at most this many redirect targets; past it a user builds each one anew,
// so that a server redirecting to ever new URLs cannot grow memory without bound.
constexpr std::size_t kRedirectTargets = 256;

// sweep_period is how often timeouts are checked: a twentieth of the timeout, within
// [1 ms, 100 ms], so a timeout fires at most 5% late.
pool::Duration sweep_period(pool::Duration timeout) {
  return std::clamp<pool::Duration>(timeout / 20, std::chrono::milliseconds(1),
                                    std::chrono::milliseconds(100));
}

void check_spawned(const std::exception_ptr& e) {
  if (e) HLOAD_BUG("a virtual user ended with an exception");
}

double seconds(pool::Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

Worker::Worker(const RunContext& run, TargetRing& targets, int users, std::function<void()> on_idle)
    : run_(run),
      on_idle_(std::move(on_idle)),
      warmup_end_(run.start + run.cfg.warmup),
      timeline_(run.start, run.cfg.timeline_interval) {
  if (run_.make_sink) sink_ = run_.make_sink();
  users_.reserve(users);
  // One draw from the system's entropy per worker, not per user: opening it 10,000 times was
  // a noticeable part of a short run's start.
  std::minstd_rand seeds(std::random_device{}());
  for (int i = 0; i < users; ++i) {
    users_.push_back(std::make_unique<VirtualUser>(*this, targets, seeds()));
  }
}

void Worker::start() {
  running_ = static_cast<int>(users_.size());
  // Started on the worker's own thread, in one handler: every user's first request is under
  // way (dialing, waiting for a dial, or parked) before any response is read, as if they had
  // all started at the same instant.
  asio::post(io_, [this] {
    for (auto& u : users_) u->start();
  });
  if (run_.cfg.timeout > pool::Duration::zero() && !users_.empty()) {
    asio::co_spawn(io_, sweep_timeouts(), check_spawned);
  }
  if (users_.empty()) asio::post(io_, [this] { on_idle_(); });
}

void Worker::spawn(asio::awaitable<void> user) {
  asio::co_spawn(io_, std::move(user), check_spawned);
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
  const pool::Duration period = sweep_period(run_.cfg.timeout);
  while (running_ > 0) {
    sweep_timer_->expires_after(period);
    co_await sweep_timer_->async_wait(asio::as_tuple(asio::use_awaitable));
    const pool::TimePoint now = run_.clock.now();
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

HostResult& Worker::host_stats(const pool::HostPool* host) {
  const auto i = static_cast<std::size_t>(host->index);
  if (i >= hosts_.size()) {
    hosts_.resize(i + 1);
    host_pools_.resize(i + 1, nullptr);
  }
  host_pools_[i] = host;
  return hosts_[i];
}

void Worker::record_hop(const HopRecord& hop) {
  if (hop.end < warmup_end_) return;
  HostResult& h = host_stats(hop.to->host);
  ++h.requests;
  if (!hop.conn) return;
  const pool::GotConnInfo& c = *hop.conn;
  ++h.acquire[static_cast<int>(c.outcome)];
  if (c.reused) ++h.reused;
  // The waits of docs/architecture.md#waits: by how the wait ended.
  if (c.outcome == pool::AcquireOutcome::handoff) h.wait_idle.record(c.wait);
  if (c.outcome == pool::AcquireOutcome::dial && c.queued_at_limit) {
    h.wait_permit.record(c.permit_wait);
  }
  timeline_.record_got_conn(hop.end, hop.to->host->index, c);
  Phases& p = stats_.phases;
  p.wait_conn.record(c.wait);
  if (c.outcome == pool::AcquireOutcome::dial) p.dial.record(c.dial_time);
  if (c.outcome == pool::AcquireOutcome::dial && c.tls) p.tls.record(c.tls_time);
  if (hop.written_at > hop.got_conn_at) p.write.record(hop.written_at - hop.got_conn_at);
  if (hop.first_byte_at > hop.written_at && hop.written_at != pool::TimePoint{}) {
    p.first_byte.record(hop.first_byte_at - hop.written_at);
    if (!hop.ec) p.body.record(hop.end - hop.first_byte_at);
  }
}

std::optional<ErrorKind> Worker::record_request(const RequestRecord& r) {
  if (r.end < warmup_end_) {
    ++stats_.warmup_requests;
    return r.ec ? std::optional(classify_error(r.ec, r.timed_out)) : std::nullopt;
  }
  ++stats_.requests;
  live_requests_.store(live_requests_.load(kRelaxed) + 1, kRelaxed);
  stats_.bytes_out += r.bytes_out;
  stats_.bytes_in += r.bytes_in;
  stats_.redirects += r.redirects;
  std::optional<ErrorKind> kind;
  if (r.ec) {
    ++stats_.errors;
    kind = classify_error(r.ec, r.timed_out);
    const auto k = static_cast<std::size_t>(*kind);
    ++error_counts_[k];
    // One example per kind: the message is built for the first only.
    if (error_examples_[k].empty()) error_examples_[k] = describe_failure(r, run_.cfg);
  } else {
    ++status_counts_[std::min<std::size_t>(r.status, status_counts_.size() - 1)];
    if (r.status < 400) ++stats_.ok;
    stats_.body_bytes += r.body_bytes;
  }
  if (r.ec || r.status >= 400) live_failed_.store(live_failed_.load(kRelaxed) + 1, kRelaxed);

  if (run_.schedule.open_model()) {
    stats_.latency.record(r.end - r.due);
    stats_.service_time.record(r.end - r.start);
    if (r.start - r.due > kLateStart) ++stats_.late_starts;
  } else {
    stats_.latency.record(r.end - r.start);
  }
  // The latency as recorded above.
  timeline_.record_request(r.end, !r.ec && r.status < 400, kind,
                           r.end - (run_.schedule.open_model() ? r.due : r.start), r.bytes_in);
  if (sink_) record_sample(r);
  return kind;
}

void Worker::record_sample(const RequestRecord& r) {
  const HopRecord& hop = *r.last_hop;
  RequestSample s;
  s.response_s = seconds(r.end - r.start);
  s.status = r.status;
  s.offset_s = seconds(r.start - run_.start);
  if (hop.conn && hop.conn->outcome == pool::AcquireOutcome::dial) {
    // hey's "DNS+dialup" is the whole dial, its TLS handshake included.
    s.dial_s = seconds(hop.conn->dial_time + hop.conn->tls_time);
    s.dns_s = seconds(hop.conn->dns_time);
  }
  if (hop.written_at > hop.got_conn_at && hop.conn)
    s.write_s = seconds(hop.written_at - hop.got_conn_at);
  if (hop.first_byte_at > hop.written_at && hop.written_at != pool::TimePoint{}) {
    s.delay_s = seconds(hop.first_byte_at - hop.written_at);
    s.read_s = seconds(hop.end - hop.first_byte_at);
  }
  sink_->on_request(s);
}

void Worker::record_unfinished(pool::Duration age) {
  ++stats_.unfinished;
  stats_.unfinished_oldest_ms =
      std::max(stats_.unfinished_oldest_ms, std::chrono::duration<double, std::milli>(age).count());
}

void Worker::record_queued_at_limit(const HopTarget& to, pool::Duration d) {
  const pool::TimePoint now = run_.clock.now();
  if (now < warmup_end_) return;
  host_stats(to.host).queued_at_limit.record(d);
  timeline_.record_queued_at_limit(now, to.host->index, d);
}

void Worker::record_retry(const HopTarget& to) {
  if (run_.clock.now() < warmup_end_) return;
  ++host_stats(to.host).retries;
}

std::variant<const HopTarget*, pool::error_code> Worker::redirect(
    const HopTarget& from, unsigned status, const std::string& location,
    std::unique_ptr<HopTarget>& scratch) {
  std::string key = from.target.url;
  key.append("\n").append(std::to_string(status)).append("\n").append(location);
  if (const auto it = redirects_.find(key); it != redirects_.end()) return it->second.get();
  auto built = redirect_target(run_.cfg, from.target, status, location);
  if (auto* ec = std::get_if<pool::error_code>(&built)) return *ec;
  HopTarget next;
  next.target = std::move(std::get<Target>(built));
  next.host = run_.host_for(next.target.key);
  if (redirects_.size() < kRedirectTargets) {
    auto& slot = redirects_[std::move(key)];
    slot = std::make_unique<HopTarget>(std::move(next));
    return slot.get();
  }
  scratch = std::make_unique<HopTarget>(std::move(next));
  return scratch.get();
}

void Worker::seal_timeline(std::uint64_t k, TimelineRecorder& to) {
  asio::post(io_, [this, k, &to] { to.deliver(k, timeline_.take_through(k)); });
}

RunResult Worker::take_result() {
  if (sink_) sink_->flush();
  for (size_t code = 0; code < status_counts_.size(); ++code) {
    if (status_counts_[code]) stats_.status_codes[static_cast<int>(code)] += status_counts_[code];
  }
  for (int k = 0; k < kErrorKinds; ++k) {
    if (!error_counts_[k]) continue;
    const std::string name = to_string(static_cast<ErrorKind>(k));
    stats_.errors_by_kind[name] += error_counts_[k];
    stats_.error_examples.try_emplace(name, error_examples_[k]);
  }
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    if (host_pools_[i]) stats_.hosts[host_pools_[i]->key.to_string()].merge(hosts_[i]);
  }
  return std::move(stats_);
}

}  // namespace hload::engine
