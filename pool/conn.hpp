#pragma once

#include <cstdint>
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

// Request is one HTTP request as the pool carries it. The engine serializes the bytes once per
// run (docs/performance.md#hot-path: one write per request), so the pool never formats headers.
struct Request {
  HostPool* host = nullptr;  // the pool it draws from: Transport::host_for(key)
  std::string_view wire;     // request line, headers and body, exactly as sent
  bool head = false;         // a HEAD request: the response has no body whatever its headers say
  // replayable: sending it twice is safe (idempotent method or an idempotency key). Decides the
  // retry of docs/architecture.md#rule-9 once bytes have been written.
  bool replayable = true;
  RequestTrace* trace = nullptr;
  // cancel abandons the request (timeout, Ctrl-C) wherever it is: waiting for a connection,
  // writing or reading. Signals must be emitted on the executor the request runs on.
  asio::cancellation_slot cancel;
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

// Conn is one connection the pool owns: HTTP/1.1 now, HTTP/2 later. The pool branches on
// spare capacity (max_concurrent_streams), never on protocol.
class Conn {
 public:
  virtual ~Conn() = default;

  // round_trip writes req and reads the whole response, body included, before it returns: a
  // connection goes back to the pool only after its body is read (docs/architecture.md#rule-6).
  virtual asio::awaitable<ConnResult> round_trip(const Request& req, Response& resp) = 0;

  // max_concurrent_streams is how many requests the connection carries at once: 1 for HTTP/1.1.
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
};

}  // namespace hload::pool
