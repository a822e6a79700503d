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

void ConnStats::on_tls_handshake(const pool::ConnKey& key, const pool::TlsInfo& info) {
  Host& h = host(key);
  h.tls_handshakes.fetch_add(1, kRelaxed);
  if (info.resumed) h.tls_resumed.fetch_add(1, kRelaxed);
  std::lock_guard l(h.tls_mu);
  h.tls_handshake.record(info.handshake_time);
  h.last_tls = info;
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
    r.tls_handshakes += h->tls_handshakes.load(kRelaxed);
    r.tls_resumed += h->tls_resumed.load(kRelaxed);
    std::lock_guard tls_lock(h->tls_mu);
    r.tls_handshake.merge(h->tls_handshake);
    if (!h->last_tls.version.empty()) {
      r.tls_version = h->last_tls.version;
      r.tls_cipher = h->last_tls.cipher;
      r.alpn = h->last_tls.alpn;
    }
  }
}

}  // namespace hload::engine
