#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hload::test {

// StubStatus is one reading of nginx's stub_status page. A reading is itself traffic: its
// connection is among the active ones and is counted in accepts and handled, and its request in
// requests. Compare readings with delta(), which takes that out.
struct StubStatus {
  std::int64_t active = 0;     // "Active connections", this reading's own included
  std::uint64_t accepts = 0;   // connections accepted since start, this reading's included
  std::uint64_t handled = 0;   // connections handled (= accepts unless a limit was hit)
  std::uint64_t requests = 0;  // requests since start, this reading's included
  std::int64_t reading = 0;    // connections whose request head nginx is reading
  std::int64_t writing = 0;    // connections nginx is answering on (this reading's included)
  std::int64_t waiting = 0;    // idle keep-alive connections

  // active_others is the number of active connections apart from the reading's own.
  std::int64_t active_others() const noexcept { return active - 1; }
};

// StubDelta is the traffic between two readings, neither reading's own connection or request
// included.
struct StubDelta {
  std::int64_t accepts = 0;
  std::int64_t handled = 0;
  std::int64_t requests = 0;
};

// delta returns after - before without the `after` reading's own connection and request (those
// of `before` were already counted in it).
StubDelta delta(const StubStatus& before, const StubStatus& after) noexcept;

// parse_stub_status reads the page nginx's stub_status serves; nullopt when it is not one.
std::optional<StubStatus> parse_stub_status(std::string_view page);

}  // namespace hload::test
