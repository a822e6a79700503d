#pragma once

// BlackholeListener is a port on 127.0.0.1 that listens and never accepts: its backlog is
// filled at once, so a new connection's handshake never completes and a dial to it hangs until
// it is cancelled or times out (a hung server, or a firewall dropping SYNs).

#include <cstdint>
#include <vector>

namespace hload::test {

class BlackholeListener {
 public:
  // Throws std::system_error when the socket cannot be made.
  BlackholeListener();
  BlackholeListener(const BlackholeListener&) = delete;
  BlackholeListener& operator=(const BlackholeListener&) = delete;
  ~BlackholeListener();

  std::uint16_t port() const noexcept { return port_; }

 private:
  int listener_ = -1;
  std::vector<int> fillers_;  // connections that fill the backlog
  std::uint16_t port_ = 0;
};

}  // namespace hload::test
