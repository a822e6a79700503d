#include "cmd/server/server_state.hpp"

#include "cmd/server/session.hpp"

namespace hload::server {

ServerState::ServerState(const ServerOptions& opts, std::vector<asio::any_io_executor> execs)
    : options(opts),
      responses(CannedResponses::make(opts.status, opts.body_size, opts.redirect_status,
                                      opts.redirect_location, opts.fail_status)),
      executors(std::move(execs)),
      acceptor(executors.front()) {}

std::chrono::steady_clock::duration ServerState::since_start() const noexcept {
  return std::chrono::steady_clock::now() - started_;
}

std::chrono::milliseconds ServerState::delay_at(
    std::chrono::steady_clock::duration since) const noexcept {
  std::chrono::milliseconds delay = options.delay;
  for (const DelayChange& c : options.delay_changes) {
    if (since < c.after) break;
    delay = c.delay;
  }
  return delay;
}

bool ServerState::failing_at(std::chrono::steady_clock::duration since) const noexcept {
  return since >= options.fail_from && since < options.fail_until;
}

void ServerState::on_open() noexcept {
  accepted.fetch_add(1, std::memory_order_relaxed);
  std::int64_t now = open_.fetch_add(1, std::memory_order_relaxed) + 1;
  std::int64_t seen = max_open_.load(std::memory_order_relaxed);
  while (now > seen && !max_open_.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
  }
}

void ServerState::on_closed() noexcept { open_.fetch_sub(1, std::memory_order_relaxed); }

ServerCounters ServerState::counters() const noexcept {
  ServerCounters c;
  c.accepted = accepted.load(std::memory_order_relaxed);
  c.requests = requests.load(std::memory_order_relaxed);
  c.responses = responses_written.load(std::memory_order_relaxed);
  c.open = open_.load(std::memory_order_relaxed);
  c.max_open = max_open_.load(std::memory_order_relaxed);
  return c;
}

bool ServerState::add(Session* s) {
  std::lock_guard lock(mu_);
  if (stopping_) return false;
  sessions_.insert(s);
  return true;
}

void ServerState::remove(Session* s) {
  std::lock_guard lock(mu_);
  sessions_.erase(s);
}

std::vector<std::shared_ptr<Session>> ServerState::begin_stop() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  std::vector<std::shared_ptr<Session>> live;
  live.reserve(sessions_.size());
  // A registered session is alive: it unregisters under this lock before it can be destroyed.
  for (Session* s : sessions_) live.push_back(s->shared_from_this());
  return live;
}

}  // namespace hload::server
