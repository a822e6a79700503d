#include "tests/support/stub_status.hpp"

#include <cstdio>
#include <string>

namespace hload::test {

StubDelta delta(const StubStatus& before, const StubStatus& after) noexcept {
  auto diff = [](std::uint64_t a, std::uint64_t b) {
    return static_cast<std::int64_t>(a) - static_cast<std::int64_t>(b) - 1;
  };
  return {diff(after.accepts, before.accepts), diff(after.handled, before.handled),
          diff(after.requests, before.requests)};
}

std::optional<StubStatus> parse_stub_status(std::string_view page) {
  // The page is fixed by nginx (ngx_http_stub_status_module.c):
  //   Active connections: 1
  //   server accepts handled requests
  //    16 16 31
  //   Reading: 0 Writing: 1 Waiting: 0
  const std::string text(page);
  StubStatus s;
  long long active = 0, reading = 0, writing = 0, waiting = 0;
  unsigned long long accepts = 0, handled = 0, requests = 0;
  int fields = std::sscanf(text.c_str(),
                           "Active connections: %lld server accepts handled requests %llu %llu "
                           "%llu Reading: %lld Writing: %lld Waiting: %lld",
                           &active, &accepts, &handled, &requests, &reading, &writing, &waiting);
  if (fields != 7) return std::nullopt;
  s.active = active;
  s.accepts = accepts;
  s.handled = handled;
  s.requests = requests;
  s.reading = reading;
  s.writing = writing;
  s.waiting = waiting;
  return s;
}

}  // namespace hload::test
