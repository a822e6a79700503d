#pragma once

// ConnStats counts what the pool reports about connections (dials, failures, cancellations,
// closes by reason, TLS handshakes), per host key. The pool calls it from any thread, so its
// counters are atomics; reading them for the live progress line is safe at any time. What a
// TLS handshake reports beyond counts (its time, version, cipher, ALPN) is kept under a lock
// of its host's: handshakes are as rare as dials.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "engine/run_result.hpp"
#include "pool/conn_key.hpp"
#include "pool/trace.hpp"

namespace hload::engine {

class ConnStats final : public pool::ConnObserver {
 public:
  struct Host {
    std::atomic<std::uint64_t> dials{0};
    std::atomic<std::uint64_t> dial_errors{0};
    std::atomic<std::uint64_t> dials_cancelled{0};
    std::array<std::atomic<std::uint64_t>, pool::kCloseReasons> closes{};
    std::atomic<std::uint64_t> tls_handshakes{0};
    std::atomic<std::uint64_t> tls_resumed{0};
    std::mutex tls_mu;  // guards what follows
    Histogram tls_handshake;
    pool::TlsInfo last_tls;  // its handshake_time is not used
  };

  void on_dial_start(const pool::ConnKey& key) override;
  void on_dial_done(const pool::ConnKey& key, pool::error_code ec, pool::Duration) override;
  void on_tls_handshake(const pool::ConnKey& key, const pool::TlsInfo& info) override;
  void on_dial_cancelled(const pool::ConnKey& key) override;
  void on_conn_closed(const pool::ConnKey& key, pool::CloseReason why) override;

  // host returns the counters of key, creating them on first use.
  Host& host(const pool::ConnKey& key);
  std::uint64_t total_dials();
  // add_to copies the counters into each host's result.
  void add_to(std::map<std::string, HostResult>& hosts);

 private:
  std::mutex mu_;  // guards the map, not the counters
  std::map<pool::ConnKey, std::unique_ptr<Host>> hosts_;
};

}  // namespace hload::engine
