#pragma once

// RunResult is what a run measured (architecture §5), merged over threads. Reporters read only
// this. Everything is counts and histograms: no per-request storage.

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "engine/histogram.hpp"
#include "engine/run_config.hpp"
#include "pool/trace.hpp"

namespace hload::engine {

// HostResult is one host key's pool statistics.
struct HostResult {
  std::uint64_t requests = 0;
  std::uint64_t dials = 0;
  std::uint64_t dial_errors = 0;
  std::uint64_t tls_handshakes = 0;
  std::uint64_t tls_resumed = 0;
  std::uint64_t reused = 0;
  std::uint64_t retries = 0;
  std::uint64_t dials_cancelled = 0;
  int max_open_conns = 0;
  std::array<std::uint64_t, pool::kAcquireOutcomes> acquire{};  // by pool::AcquireOutcome
  std::array<std::uint64_t, pool::kCloseReasons> closes{};      // by pool::CloseReason
  Histogram wait_idle;    // requests served from the idle pool (idle and handoff)
  Histogram wait_permit;  // requests that queued because the host was at its limit

  double reuse_ratio() const {
    return requests ? static_cast<double>(reused) / static_cast<double>(requests) : 0.0;
  }
  void merge(const HostResult& o);
};

// Phases are the parts of a request's life (architecture §5), each a histogram.
struct Phases {
  Histogram wait_conn;   // asking the pool until holding a connection
  Histogram dial;        // the dial, for requests served by their own dial
  Histogram write;       // holding a connection until the request is written
  Histogram first_byte;  // request written until the first response byte
  Histogram body;        // first response byte until the body's end
  void merge(const Phases& o);
};

struct RunResult {
  RunConfig config;
  double elapsed_s = 0;
  bool interrupted = false;  // stopped by SIGINT/SIGTERM before its end
  int interrupt_signal = 0;  // the signal that stopped it (SIGINT or SIGTERM); 0 if none did

  std::uint64_t requests = 0;     // finished, any outcome
  std::uint64_t ok = 0;           // answered with a status below 400
  std::uint64_t errors = 0;       // ended without an HTTP response
  std::uint64_t bytes_in = 0;     // response bytes read, headers included
  std::uint64_t bytes_out = 0;    // request bytes written
  std::uint64_t body_bytes = 0;   // response body bytes (hey's "Total data")
  std::uint64_t late_starts = 0;  // rate mode: requests sent after they were due

  // Latency: issue to last byte; in rate mode, response time (from when the request was due).
  Histogram latency;
  Histogram service_time;  // rate mode only: from actually sending to the last byte
  Phases phases;
  std::map<int, std::uint64_t> status_codes;
  std::map<std::string, std::uint64_t> errors_by_kind;
  std::map<std::string, HostResult> hosts;  // by ConnKey::to_string()

  double rps() const { return elapsed_s > 0 ? static_cast<double>(requests) / elapsed_s : 0.0; }
  double error_rate() const {
    return requests ? static_cast<double>(requests - ok) / static_cast<double>(requests) : 0.0;
  }
  void merge(const RunResult& o);  // counts and histograms; config and elapsed are kept
};

}  // namespace hload::engine
