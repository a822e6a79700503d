#pragma once

// StopSignals turns SIGINT and SIGTERM into calls, for as long as it lives: a run stops on
// the first (its report is still written), and a second one means "now". The signals are
// blocked in the thread that makes it and in every thread started after, and one thread of its
// own waits for them, so no handler ever runs in the middle of the run's work.

#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace hload::cli {

class StopSignals {
 public:
  // on_signal is called on StopSignals' own thread with each signal's number, in order.
  // Construct it before any other thread of the process starts.
  explicit StopSignals(std::function<void(int)> on_signal);
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  // The destructor stops waiting; signals stay blocked, so one that arrives later is not
  // lost but leaves the process as it ends.
  ~StopSignals();

 private:
  void wait_for_signals();

  sigset_t signals_{};
  std::function<void(int)> on_signal_;
  std::atomic<bool> done_{false};
  std::thread waiter_;
};

}  // namespace hload::cli
