#pragma once

// How many connections to dial, as a pure function of the pool's numbers (as Boost.MySQL's
// connection pool decides it): new connections are dialed only for the waiting requests that
// the free streams of open connections and the room of dials in flight cannot carry, each new
// dial expected to carry as many streams as the host's last connection did, and no more than
// the limit has permits for.

#include <algorithm>

namespace hload::pool {

struct DialDemand {
  int waiting = 0;           // requests waiting for a stream
  int free_streams = 0;      // streams open connections can still take
  int dialing_room = 0;      // streams the dials in flight will bring that nobody claimed yet
  int streams_per_dial = 1;  // what one new connection is expected to carry (at least 1)
  int permits = -1;          // dials the limit still allows; negative = no limit
};

constexpr int connections_to_create(const DialDemand& d) {
  const int uncovered = d.waiting - d.free_streams - d.dialing_room;
  if (uncovered <= 0) return 0;
  const int per_dial = std::max(1, d.streams_per_dial);
  const int wanted = (uncovered + per_dial - 1) / per_dial;
  return d.permits < 0 ? wanted : std::min(wanted, d.permits);
}

}  // namespace hload::pool
