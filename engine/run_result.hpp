#pragma once

// RunResult is what a run measured (docs/architecture.md#metrics), merged over threads. Reporters
// read only this. Everything is counts and histograms: no per-request storage.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "engine/histogram.hpp"
#include "engine/run_config.hpp"
#include "engine/timeline.hpp"
#include "pool/trace.hpp"

namespace hload::engine {

// HostResult is one host key's pool statistics.
struct HostResult {
  std::uint64_t requests = 0;
  std::uint64_t dials = 0;
  std::uint64_t dial_errors = 0;
  std::uint64_t tls_handshakes = 0;  // completed
  std::uint64_t tls_resumed = 0;     // of which resumed a session
  std::uint64_t reused = 0;
  std::uint64_t retries = 0;
  std::uint64_t dials_cancelled = 0;
  int max_open_conns = 0;  // the most connections a dial had made and not yet closed, at once
  std::array<std::uint64_t, pool::kAcquireOutcomes> acquire{};  // by pool::AcquireOutcome
  std::array<std::uint64_t, pool::kCloseReasons> closes{};      // by pool::CloseReason
  // The three waits of docs/architecture.md#waits. wait_idle and wait_permit are disjoint, by
  // how the wait ended; queued_at_limit overlaps both.
  Histogram wait_idle;        // waited, then served by a connection another request released
  Histogram wait_permit;      // held back by the limit, then got a permit and dialed
  Histogram queued_at_limit;  // held back by the limit, however the wait ended
  Histogram tls_handshake;    // the completed TLS handshakes' times
  // What the TLS handshakes agreed on, as the last one reported it (empty without TLS).
  std::string tls_version;
  std::string tls_cipher;
  std::string alpn;
  // How the connections spoke HTTP, and what multiplexing did (docs/architecture.md#rule-8).
  bool asked_http2 = false;       // -h2 or -h2c
  std::uint64_t http1_conns = 0;  // connections made that spoke HTTP/1.1
  std::uint64_t http2_conns = 0;  // and HTTP/2
  int max_streams_per_conn = 0;   // the most requests one connection carried at once
  std::uint64_t streams_started = 0;
  std::uint64_t streams_in_flight_sum = 0;  // at each start, the streams then under way on it
  std::uint64_t goaways = 0;                // connections the server told to take no more
  std::uint64_t refused_retries = 0;        // streams refused before processing, sent again

  // protocol names what the connections spoke: "http/1.1", "h2", "mixed", or "" for none.
  std::string protocol() const {
    if (http1_conns > 0 && http2_conns > 0) return "mixed";
    if (http2_conns > 0) return "h2";
    return http1_conns > 0 ? "http/1.1" : "";
  }
  // mean_streams_in_flight is the streams under way on a connection when a request started on
  // it, on average: how much sharing the requests saw.
  double mean_streams_in_flight() const {
    return streams_started
               ? static_cast<double>(streams_in_flight_sum) / static_cast<double>(streams_started)
               : 0.0;
  }

  double reuse_ratio() const {
    return requests ? static_cast<double>(reused) / static_cast<double>(requests) : 0.0;
  }
  void merge(const HostResult& o);
};

// Phases are the parts of a request's life (docs/architecture.md#metrics), each a histogram.
struct Phases {
  Histogram wait_conn;   // asking the pool until holding a connection
  Histogram dial;        // the TCP connect, for requests served by their own dial
  Histogram tls;         // the TLS handshake after it, for those dials that made one
  Histogram write;       // holding a connection until the request is written
  Histogram first_byte;  // request written until the first response byte
  Histogram body;        // first response byte until the body's end
  void merge(const Phases& o);
};

struct RunResult {
  RunConfig config;
  double elapsed_s = 0;
  bool interrupted = false;  // stopped by SIGINT/SIGTERM before its end
  int interrupt_signal = 0;  // the signal that stopped it; 0 when none did
  bool abandoned = false;    // work that could not be cancelled was left behind at the end

  std::uint64_t requests = 0;   // finished, any outcome
  std::uint64_t ok = 0;         // answered with a status below 400
  std::uint64_t errors = 0;     // ended without an HTTP response (transport errors)
  std::uint64_t redirects = 0;  // redirects followed, each a request of its own to the pool
  // Still in flight when the run ended: neither errors nor in the latency histogram.
  std::uint64_t unfinished = 0;
  double unfinished_oldest_ms = 0;  // the age of the oldest of them: a lower bound on its latency
  // Rate mode: requests that were due before the run ended but never sent, because every
  // virtual user was busy.
  std::uint64_t dropped = 0;
  std::uint64_t bytes_in = 0;     // response bytes read, headers included
  std::uint64_t bytes_out = 0;    // request bytes written
  std::uint64_t body_bytes = 0;   // response body bytes (hey's "Total data")
  std::uint64_t late_starts = 0;  // rate mode: requests sent after they were due
  // -warmup: requests that finished during the warm-up, left out of everything else.
  std::uint64_t warmup_requests = 0;

  // Latency: issue to last byte; in rate mode, response time (from when the request was due).
  Histogram latency;
  Histogram service_time;  // rate mode only: from actually sending to the last byte
  Phases phases;
  std::map<int, std::uint64_t> status_codes;
  std::map<std::string, std::uint64_t> errors_by_kind;
  std::map<std::string, std::string> error_examples;  // by kind: the first message seen
  std::map<std::string, HostResult> hosts;            // by ConnKey::to_string()
  Timeline timeline;  // interval by interval; made by the engine, not merged

  // measured_s is the part of the run the figures describe: all of it but the warm-up.
  double measured_s() const {
    const double warmup = std::chrono::duration<double>(config.warmup).count();
    return elapsed_s > warmup ? elapsed_s - warmup : 0.0;
  }
  double rps() const {
    return measured_s() > 0 ? static_cast<double>(requests) / measured_s() : 0.0;
  }
  // failed counts the requests that were not ok: HTTP errors (a status of 400 or more) and
  // transport errors (no response at all).
  std::uint64_t failed() const { return requests - ok; }
  std::uint64_t http_errors() const { return failed() - errors; }
  double error_rate() const {
    return requests ? static_cast<double>(failed()) / static_cast<double>(requests) : 0.0;
  }
  // sent_rate is how many requests per second were sent: finished or still in flight.
  double sent_rate() const {
    return measured_s() > 0 ? static_cast<double>(requests + unfinished) / measured_s() : 0.0;
  }
  void merge(const RunResult& o);  // counts and histograms; config and elapsed are kept
};

}  // namespace hload::engine
