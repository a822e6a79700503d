#pragma once

#include <cstdint>
#include <string>

#include "pool/clock.hpp"
#include "pool/error.hpp"

namespace hload::pool {

struct ConnKey;

// AcquireOutcome is how a request got its connection ("acquire" in docs/architecture.md#metrics).
enum class AcquireOutcome : std::uint8_t {
  idle,     // taken from the idle list at once
  handoff,  // waited, then got a connection another request released or a dial nobody claimed
  dial,     // the dial started on its behalf
};
inline constexpr int kAcquireOutcomes = 3;

// CloseReason is why the pool closed a connection ("closes" in docs/architecture.md#metrics).
enum class CloseReason : std::uint8_t {
  server_close,   // the server said Connection: close, spoke HTTP/1.0, or closed the socket
  client_close,   // hload asked for it: keep-alive is off (-disable-keepalive)
  idle_timeout,   // idle longer than the idle connection timeout
  idle_overflow,  // over the per-host or global idle cap
  protocol,       // the server broke HTTP: a malformed response, or bytes after a response
  error,          // an I/O error, or the request was abandoned mid-response (its timeout)
  run_end,        // open when the run ended: idle, or carrying a request the end abandoned
};
inline constexpr int kCloseReasons = 7;

// to_string names o and r as the reports do.
constexpr const char* to_string(AcquireOutcome o) noexcept {
  switch (o) {
    case AcquireOutcome::idle:
      return "idle";
    case AcquireOutcome::handoff:
      return "handoff";
    case AcquireOutcome::dial:
      return "dial";
  }
  return "?";
}

constexpr const char* to_string(CloseReason r) noexcept {
  switch (r) {
    case CloseReason::server_close:
      return "server_close";
    case CloseReason::client_close:
      return "client_close";
    case CloseReason::idle_timeout:
      return "idle_timeout";
    case CloseReason::idle_overflow:
      return "idle_overflow";
    case CloseReason::protocol:
      return "protocol";
    case CloseReason::error:
      return "error";
    case CloseReason::run_end:
      return "run_end";
  }
  return "?";
}

// GotConnInfo describes the connection a request was given (Go's httptrace.GotConnInfo).
struct GotConnInfo {
  AcquireOutcome outcome = AcquireOutcome::dial;
  bool reused = false;    // the connection carried a request before this one
  bool was_idle = false;  // it sat in the idle list before this request took it
  Duration idle_time{};   // how long it sat there (was_idle only)
  Duration wait{};        // from asking the pool to holding the connection
  TimePoint at{};         // when it held the connection
  // The dial's phases (outcome == dial only): dial_time is the TCP connect, name lookup included
  // (dns_time); tls_time is the TLS handshake that followed it (tls only).
  Duration dial_time{};
  Duration dns_time{};
  bool tls = false;  // the dial made a TLS handshake
  Duration tls_time{};
  // queued_at_limit: the request was held back by its host's connection limit before it got
  // this connection; permit_wait is how long (until it got a permit or was served otherwise).
  bool queued_at_limit = false;
  Duration permit_wait{};
};

// TlsInfo describes a completed TLS handshake: what a report shows of Go's tls.ConnectionState.
struct TlsInfo {
  Duration handshake_time{};
  bool resumed = false;  // an abbreviated handshake that resumed an earlier session
  std::string version;   // "TLSv1.2", "TLSv1.3"
  std::string cipher;    // OpenSSL's name: "TLS_AES_256_GCM_SHA384"
  std::string alpn;      // the protocol ALPN chose; empty when the server chose none
};

// RequestTrace receives the events of one request. It is always called on the executor
// the request runs on, so an implementation needs no locking.
class RequestTrace {
 public:
  virtual void on_get_conn() {}
  // on_permit_wait: the request was queued because its host was at its connection limit;
  // `queued` runs from queueing until it got a permit or was served (or gave up) another way.
  // Called however the wait ended, before on_got_conn when the request got a connection.
  virtual void on_permit_wait(Duration /*queued*/) {}
  virtual void on_got_conn(const GotConnInfo& /*info*/) {}
  virtual void on_wrote_request() {}
  virtual void on_first_response_byte() {}
  // on_retry: the request failed on a stale reused connection and is sent again.
  virtual void on_retry() {}

 protected:
  ~RequestTrace() = default;
};

// ConnObserver receives the transport-wide events of connections. It may be called from any
// thread that runs the transport, never with the pool's lock held.
class ConnObserver {
 public:
  virtual void on_dial_start(const ConnKey& /*key*/) {}
  virtual void on_dial_done(const ConnKey& /*key*/, error_code /*ec*/, Duration /*took*/) {}
  // on_tls_handshake: a dial completed its TLS handshake; called before its on_dial_done.
  virtual void on_tls_handshake(const ConnKey& /*key*/, const TlsInfo& /*info*/) {}
  // on_dial_cancelled: a dial was abandoned because nobody was waiting for it any more.
  virtual void on_dial_cancelled(const ConnKey& /*key*/) {}
  virtual void on_conn_closed(const ConnKey& /*key*/, CloseReason /*why*/) {}

 protected:
  ~ConnObserver() = default;
};

}  // namespace hload::pool
