#pragma once

// BuiltinServer is hload's own HTTP/1.1 server: the target of `hload serve` and of the demo, and
// for tests a server whose faults are deterministic (a stall, a reset, a truncated body, a close
// at a chosen moment), which nginx cannot be made to produce on demand.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace hload::server {

namespace asio = boost::asio;

// Fault is what the server does instead of answering, for tests of the client's error paths.
enum class Fault : std::uint8_t {
  none,
  stall,                  // read the request, never answer (the connection stays open)
  close_mid_body,         // send the headers and half the body, then close
  malformed,              // send a line that is not an HTTP status line, then close
  reset,                  // close with SO_LINGER 0 after reading the request: the peer sees RST
  close_before_response,  // read the request, close without answering
  junk_after_response,    // answer, then send bytes nobody asked for
  reject_body,            // answer 413 once the head is read, and close without reading the body
};

// DelayChange changes the response delay while the server runs: from `after` since it started,
// each response waits `delay`.
struct DelayChange {
  std::chrono::milliseconds after{0};
  std::chrono::milliseconds delay{0};
};

// ServerOptions choose the answers. Every request of every connection is treated alike, except
// for the per-connection counts of close_every and fault_after, and the changes in time of
// delay_changes and the failure window.
struct ServerOptions {
  std::uint16_t port = 0;     // on 127.0.0.1; 0 picks a free port (see BuiltinServer::port)
  unsigned status = 200;      // 200-999; 204 and 304 carry no body
  std::size_t body_size = 3;  // response body bytes: "ok\n" repeated and cut
  std::chrono::milliseconds delay{0};      // wait before each response
  std::vector<DelayChange> delay_changes;  // in order of `after`: each replaces delay from then on
  // Requests framed in [fail_from, fail_until) since the server started are answered
  // fail_status (keep-alive, with the usual body), after the delay; an empty window fails none.
  std::chrono::milliseconds fail_from{0};
  std::chrono::milliseconds fail_until{0};
  unsigned fail_status = 500;
  std::uint64_t close_every = 0;  // the Nth response of a connection says
                                  // "Connection: close" and the server closes; 0 = never
  std::chrono::milliseconds close_idle_after{0};  // close a connection idle this long; 0 = never
  // Requests for redirect_path (the target exactly as sent) are answered redirect_status
  // with a Location of redirect_location, and no body; empty = none.
  std::string redirect_path;
  std::string redirect_location;
  unsigned redirect_status = 302;
  Fault fault = Fault::none;
  std::uint64_t fault_after = 0;  // requests answered normally on a connection before the fault
  int threads = 1;                // threads of its own; unused when run on a given io_context
};

// ServerCounters are read while the server runs; each field is exact on its own, but the fields
// are not read together atomically.
struct ServerCounters {
  std::uint64_t accepted = 0;   // connections accepted
  std::uint64_t requests = 0;   // requests received whole (framed), answered or not
  std::uint64_t responses = 0;  // responses written whole
  std::int64_t open = 0;        // connections open now
  std::int64_t max_open = 0;    // the most connections open at once
};

class ServerState;

class BuiltinServer {
 public:
  // Listens at once (port() is valid on return) and serves on options.threads threads of its
  // own, one io_context each; connections are spread over them in turn. Throws
  // std::system_error when it cannot listen and std::invalid_argument for bad options.
  explicit BuiltinServer(const ServerOptions& options = {});

  // Listens at once and serves on ioc, which the caller runs, from one thread at a time.
  BuiltinServer(asio::io_context& ioc, const ServerOptions& options = {});

  BuiltinServer(const BuiltinServer&) = delete;
  BuiltinServer& operator=(const BuiltinServer&) = delete;
  ~BuiltinServer();  // NOLINT(bugprone-exception-escape): a stop() that throws is fatal anyway

  // port is the port listened on, on 127.0.0.1.
  std::uint16_t port() const noexcept { return port_; }

  ServerCounters counters() const noexcept;

  // stop closes the listening socket and every connection. With threads of its own it returns
  // once they have finished; on a given io_context the shutdown runs there, and the caller keeps
  // running the context until it runs out of work. Idempotent; the destructor calls it.
  void stop();

 private:
  void start(std::vector<asio::any_io_executor> executors, const ServerOptions& options);

  // Own threads only: their contexts and the guards that keep idle ones running. Declared
  // first so that they outlive the listening socket and connections, which live on them.
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::shared_ptr<ServerState> state_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hload::server
