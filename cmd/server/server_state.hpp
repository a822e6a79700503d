#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "cmd/server/builtin_server.hpp"
#include "cmd/server/canned_responses.hpp"

namespace hload::server {

class Session;

// ServerState is what the listener and every connection of one BuiltinServer share. It is
// owned jointly by the server object and the coroutines, so that a server run on a caller's
// io_context may be destroyed while its connections are still winding down there.
class ServerState {
 public:
  ServerState(const ServerOptions& options, std::vector<asio::any_io_executor> executors);

  const ServerOptions options;
  const CannedResponses responses;
  // Connections run on these in turn; the listener runs on the first.
  const std::vector<asio::any_io_executor> executors;
  asio::ip::tcp::acceptor acceptor;

  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> responses_written{0};

  // since_start is how long the server has run: what delay_changes and the failure window
  // count from.
  std::chrono::steady_clock::duration since_start() const noexcept;
  // delay_at is the response delay at `since` from the start.
  std::chrono::milliseconds delay_at(std::chrono::steady_clock::duration since) const noexcept;
  // failing_at says whether a request framed at `since` falls in the failure window.
  bool failing_at(std::chrono::steady_clock::duration since) const noexcept;

  // on_open counts a connection just accepted; on_closed one whose socket is closed.
  void on_open() noexcept;
  void on_closed() noexcept;
  ServerCounters counters() const noexcept;

  // add registers a live session so that stop can close it; false once stopping began (the
  // session must then close at once, or it would outlive stop).
  bool add(Session* s);
  // remove unregisters s; it must be called before s is destroyed.
  void remove(Session* s);
  // begin_stop marks the server stopping and returns the sessions still registered.
  std::vector<std::shared_ptr<Session>> begin_stop();

 private:
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::atomic<std::int64_t> open_{0};
  std::atomic<std::int64_t> max_open_{0};

  std::mutex mu_;
  std::unordered_set<Session*> sessions_;
  bool stopping_ = false;
};

}  // namespace hload::server
