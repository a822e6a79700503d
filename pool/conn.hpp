#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include "pool/error.hpp"
#include "pool/trace.hpp"

namespace hload::pool {

namespace asio = boost::asio;

class RequestTrace;
struct HostPool;
class Parked;

// HeaderField is one field of an HTTP/2 request, pseudo-header fields (:method, :scheme,
// :authority, :path) first, names in lower case.
struct HeaderField {
  std::string_view name;
  std::string_view value;
};

// Request is one HTTP request as the pool carries it. The engine builds it once per target
// (docs/performance.md#hot-path: one write per request), in both forms a connection may need,
// so the pool never formats headers.
struct Request {
  HostPool* host = nullptr;             // the pool it draws from: Transport::host_for(key)
  std::string_view wire;                // HTTP/1.1: request line, headers and body, exactly as sent
  std::span<const HeaderField> fields;  // HTTP/2: the header fields
  std::string_view body;                // HTTP/2: the body (HTTP/1.1 has it in wire)
  bool head = false;  // a HEAD request: the response has no body whatever its headers say
  // replayable: sending it twice is safe (idempotent method or an idempotency key). Decides the
  // retry of docs/architecture.md#rule-9 once bytes have been written.
  bool replayable = true;
  RequestTrace* trace = nullptr;
  // cancel abandons the request (timeout, Ctrl-C) wherever it is: waiting for a connection,
  // writing or reading. Signals must be emitted on the executor the request runs on.
  asio::cancellation_slot cancel;
  // parked, when set, is where RoundTripper::park may leave the request waiting (the caller's
  // own storage); round_trip then goes on from what it holds.
  Parked* parked = nullptr;
};

// Response is what a round trip learned. The body is read to its end and counted, not stored.
struct Response {
  unsigned status = 0;
  bool keep_alive = false;  // the server lets the connection carry another request
  std::uint64_t body_bytes = 0;
  std::uint64_t bytes_in = 0;   // bytes read off the connection for this response
  std::uint64_t bytes_out = 0;  // bytes written for this request
  std::string location;         // the Location header of a 3xx response, to follow it
};

// ConnResult is how one exchange on a connection ended.
struct ConnResult {
  error_code ec;
  bool wrote_any = false;  // some byte of the request reached the socket
  bool got_any = false;    // some byte of the response arrived
};

// ConnEvents is how a connection tells the pool of what happens to it outside a round trip:
// the server changed how many streams it allows (SETTINGS), said it takes no more (GOAWAY), or
// closed it. The pool implements it; a connection calls it on its own executor, and may do so
// after the pool has let go of the connection (the pool then ignores it), which is why it is
// shared.
class ConnEvents {
 public:
  virtual ~ConnEvents() = default;
  virtual void on_conn_changed() = 0;
};

// Conn is one connection the pool owns: HTTP/1.1, or HTTP/2 carrying many requests at once.
// The pool branches on spare capacity (max_concurrent_streams), never on protocol.
class Conn {
 public:
  virtual ~Conn() = default;

  // round_trip writes req and reads the whole response, body included, before it returns: a
  // connection goes back to the pool only after its body is read (docs/architecture.md#rule-6).
  // Up to max_concurrent_streams() round trips may be under way at once, each from any
  // executor; the connection does its I/O on its own.
  virtual asio::awaitable<ConnResult> round_trip(const Request& req, Response& resp) = 0;

  // max_concurrent_streams is how many requests the connection carries at once: 1 for
  // HTTP/1.1; for HTTP/2 what the server's SETTINGS allow, which may change while it is open.
  // Safe from any thread.
  virtual int max_concurrent_streams() const noexcept = 0;

  // reusable says whether the connection may carry another request after its last round trip
  // (false after Connection: close, HTTP/1.0 without keep-alive, or any error).
  virtual bool reusable() const noexcept = 0;

  // close_reason says why a round trip that succeeded left the connection not reusable:
  // server_close (the server asked for it or closed it) or protocol (the server sent what
  // HTTP does not allow there, such as bytes after the response).
  virtual CloseReason close_reason() const noexcept = 0;

  // peer_closed checks, without blocking, whether the server closed the connection or sent
  // something unsolicited while it sat idle. Such a connection is never handed out.
  virtual bool peer_closed() noexcept = 0;

  // protocol names what the connection speaks, for reports: "http/1.1" or "h2".
  virtual std::string_view protocol() const noexcept = 0;

  // set_events registers the pool for on_conn_changed. HTTP/1.1 connections never call it:
  // nothing changes while they sit idle that the liveness check does not see.
  // NOLINTNEXTLINE(performance-unnecessary-value-param): the overrides keep the pointer.
  virtual void set_events(std::shared_ptr<ConnEvents> /*events*/) {}
};

}  // namespace hload::pool
