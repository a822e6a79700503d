#pragma once

#include <chrono>
#include <functional>

#include <boost/asio/awaitable.hpp>

#include "pool/clock.hpp"

namespace hload::pool {

using namespace std::chrono_literals;

// RaceWindow names the places where the races of Go's pool history lived. Tests put delays
// there (TransportOptions::race_hook) to show that hload's pool has no such window.
enum class RaceWindow {
  before_get_conn,  // before looking for an idle connection and queueing (one locked step)
  before_wait,      // after queueing as a waiter, before the requester suspends
  before_dial,      // after a permit was granted, before the dial starts
  before_deliver,   // after a dial finished, before its connection is delivered
  before_put,       // after a body was read to its end, before the connection is returned
};

// TransportOptions are the knobs of docs/architecture.md#knobs, Go's names in snake case.
struct TransportOptions {
  int max_conns_per_host = 0;       // open (dialing + active + idle) per host key; 0 = no limit
  int max_conns = 0;                // open over all host keys; 0 = no limit
  int max_idle_conns_per_host = 2;  // idle connections a key keeps; the engine sets it to -c
  int max_idle_conns = 0;           // idle connections over all keys; 0 = no limit
  Duration idle_conn_timeout = std::chrono::seconds(90);
  bool disable_keepalive = false;
  // A connection idle at least this long is checked for a server-side close before it is
  // handed out. Shorter idles skip the check (a system call) and rely on the retry of rule 9.
  Duration liveness_check_after = std::chrono::milliseconds(1);
  // race_hook, when set, is awaited at every RaceWindow. Tests only.
  std::function<boost::asio::awaitable<void>(RaceWindow)> race_hook;
};

}  // namespace hload::pool
