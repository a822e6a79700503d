#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cmd/server/request_framer.hpp"
#include "cmd/server/server_state.hpp"

namespace hload::server {

// Session is one connection of the built-in server: it frames requests as they arrive and
// answers them in order as the options say, pipelined ones in a single write. Everything it
// does runs on its socket's executor.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerState> state, asio::ip::tcp::socket socket);

  // serve answers requests until either side closes the connection or the server stops. The
  // coroutine owns `self`, so the session lives as long as it runs.
  static asio::awaitable<void> serve(std::shared_ptr<Session> self);

  // close ends the connection at once and cancels whatever the session waits for. Call it on
  // the session's executor. Idempotent.
  void close();

  const asio::any_io_executor& executor() const noexcept { return executor_; }

 private:
  asio::awaitable<void> answer_requests();
  // read_more waits for request bytes; false when the connection ended. `idle` says that no
  // request is under way, which is when close_idle_after applies.
  asio::awaitable<bool> read_more(bool idle);
  // flush writes the answers gathered so far; false when the connection ended.
  asio::awaitable<bool> flush();
  asio::awaitable<void> inject(Fault fault);
  // close_gracefully sends FIN and reads until the client closes too (at most kLinger), so that
  // requests still arriving do not turn the close into a reset that destroys the last answer.
  asio::awaitable<void> close_gracefully();
  // discard_until_closed reads and drops everything until the connection ends.
  asio::awaitable<void> discard_until_closed();
  void arm_idle_timer();
  void disarm_idle_timer();
  std::string_view unread() const noexcept;

  std::shared_ptr<ServerState> state_;
  asio::any_io_executor executor_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;           // the response delay, then the graceful close's bound
  asio::steady_timer idle_timer_;      // close_idle_after
  std::uint64_t idle_generation_ = 0;  // tells a stale idle expiry from the current one
  bool closed_ = false;

  RequestFramer framer_;
  std::vector<char> in_;  // received bytes; [in_begin_, in_end_) are not consumed yet
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  std::string out_;                  // answers not yet written
  std::uint64_t out_responses_ = 0;  // whole responses in out_
  std::uint64_t framed_ = 0;         // requests framed on this connection
};

}  // namespace hload::server
