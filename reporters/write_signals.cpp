#include "reporters/write_signals.hpp"

#include <pthread.h>

#include <csignal>
#include <ctime>

namespace hload::reporters {
namespace {

constexpr std::array<int, 3> kStopSignals = {SIGINT, SIGTERM, SIGHUP};
constexpr std::array<int, 2> kWriteSignals = {SIGPIPE, SIGXFSZ};

// deferred_signal is the stop signal that arrived while a StopSignalDeferral lived; 0 for none.
volatile std::sig_atomic_t deferred_signal = 0;

extern "C" void record_stop_signal(int sig) { deferred_signal = sig; }

}  // namespace

StopSignalDeferral::StopSignalDeferral() {
  deferred_signal = 0;
  struct sigaction record {};
  record.sa_handler = record_stop_signal;
  sigfillset(&record.sa_mask);
  record.sa_flags = SA_RESTART;  // the write goes on where it was
  for (std::size_t i = 0; i < kStopSignals.size(); ++i) {
    ::sigaction(kStopSignals[i], &record, &previous_[i]);
  }
}

StopSignalDeferral::~StopSignalDeferral() {
  for (std::size_t i = 0; i < kStopSignals.size(); ++i) {
    ::sigaction(kStopSignals[i], &previous_[i], nullptr);
  }
  // With the old disposition back, the signal does what it would have done on arrival:
  // usually end the program, nothing if it was ignored (nohup).
  if (const int sig = deferred_signal; sig != 0) ::raise(sig);
}

WriteSignalBlock::WriteSignalBlock() {
  sigemptyset(&blocked_);
  for (int sig : kWriteSignals) sigaddset(&blocked_, sig);
  ::pthread_sigmask(SIG_BLOCK, &blocked_, &previous_mask_);
  sigpending(&pending_before_);
}

WriteSignalBlock::~WriteSignalBlock() {
  sigset_t pending;
  sigpending(&pending);
  for (int sig : kWriteSignals) {
    // Only what our writes raised: a signal that was pending before is not ours to discard.
    if (!sigismember(&pending, sig) || sigismember(&pending_before_, sig)) continue;
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    const timespec no_wait{};
    ::sigtimedwait(&one, nullptr, &no_wait);
  }
  ::pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

}  // namespace hload::reporters
