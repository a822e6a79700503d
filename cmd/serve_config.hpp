#pragma once

// ServeConfig is what `hload serve` was asked for: the built-in server's answers. main turns it
// into server::ServerOptions.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace hload::cli {

struct ServeConfig {
  // serve listens on the loopback interface only: it is a target for local runs and tests,
  // and must not turn a developer's machine into a public server.
  static constexpr const char* kBindAddress = "127.0.0.1";

  std::uint16_t port = 8080;           // -port
  std::size_t body_size = 3;           // -body-size: bytes of "ok\n" repeated and cut
  unsigned status = 200;               // -status: 200-999
  std::chrono::milliseconds delay{0};  // -delay before each response, rounded up to a millisecond
  // -delay-after AFTER=DELAY: from AFTER since the server started, the delay is DELAY; in order.
  std::vector<std::pair<std::chrono::milliseconds, std::chrono::milliseconds>> delay_changes;
  // -fail-between FROM-UNTIL: requests in that window since the start are answered 500.
  std::chrono::milliseconds fail_from{0};
  std::chrono::milliseconds fail_until{0};
  std::uint64_t close_every = 0;  // -close-every: close after every Nth response; 0 = never
  int threads = 1;                // -threads
};

}  // namespace hload::cli
