#pragma once

// LockProbe measures one chosen mutex from the outside: how often it is taken, how long it is
// held, how often a thread found it taken. pool_bench is linked with
// -Wl,--wrap=pthread_mutex_lock,--wrap=pthread_mutex_unlock, so every std::mutex of the
// program locks through lock_probe.cpp, which measures only the chosen one and passes the
// others straight through. The pool itself is untouched: its mutex stays a plain std::mutex,
// and nothing of this is linked into hload or its tests. Times come from the time stamp
// counter (x86-64, constant rate), converted to ns against the steady clock.

#include <cstdint>

namespace hload::bench {

// LockStats sums the acquisitions of the probed mutex over every thread since the last reset.
struct LockStats {
  std::uint64_t acquisitions = 0;
  std::uint64_t contended = 0;  // a try_lock failed first: another thread held it
  double hold_ns = 0;           // total time held, the probe's own cost taken out
  double wait_ns = 0;           // total time blocked in the contended acquisitions
};

// capture_next_lock makes the next mutex this thread locks the probed one, and resets the
// figures. Call it, then something that takes only the mutex wanted (Transport::retries).
void capture_next_lock();

// reset zeroes the figures; call it while no thread uses the probed mutex.
void reset();

// stats sums the figures of every thread; call it once they have stopped using the mutex.
LockStats stats();

// probe_cost_ns is what the probe adds to a hold it measures (two time stamps and the call),
// found by timing empty holds of a mutex of its own; stats() subtracts it.
double probe_cost_ns();

}  // namespace hload::bench
