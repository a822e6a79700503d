#include "engine/conn_stats.hpp"

namespace hload::engine {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;
}

ConnStats::Host& ConnStats::host(const pool::ConnKey& key) {
  std::lock_guard l(mu_);
  auto& slot = hosts_[key];
  if (!slot) slot = std::make_unique<Host>();
  return *slot;
}

void ConnStats::on_dial_start(const pool::ConnKey& key) { host(key).dials.fetch_add(1, kRelaxed); }

void ConnStats::on_dial_done(const pool::ConnKey& key, pool::error_code ec, pool::Duration) {
  if (ec) host(key).dial_errors.fetch_add(1, kRelaxed);
}

void ConnStats::on_dial_cancelled(const pool::ConnKey& key) {
  host(key).dials_cancelled.fetch_add(1, kRelaxed);
}

void ConnStats::on_conn_closed(const pool::ConnKey& key, pool::CloseReason why) {
  host(key).closes[static_cast<int>(why)].fetch_add(1, kRelaxed);
}

std::uint64_t ConnStats::total_dials() {
  std::lock_guard l(mu_);
  std::uint64_t n = 0;
  for (const auto& [key, h] : hosts_) n += h->dials.load(kRelaxed);
  return n;
}

void ConnStats::add_to(std::map<std::string, HostResult>& hosts) {
  std::lock_guard l(mu_);
  for (const auto& [key, h] : hosts_) {
    HostResult& r = hosts[key.to_string()];
    r.dials += h->dials.load(kRelaxed);
    r.dial_errors += h->dial_errors.load(kRelaxed);
    r.dials_cancelled += h->dials_cancelled.load(kRelaxed);
    for (int i = 0; i < pool::kCloseReasons; ++i) r.closes[i] += h->closes[i].load(kRelaxed);
  }
}

}  // namespace hload::engine
