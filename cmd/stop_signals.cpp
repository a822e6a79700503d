#include "cmd/stop_signals.hpp"

#include <pthread.h>

#include <ctime>

namespace hload::cli {

namespace {

// How often the waiting thread looks whether it should end.
constexpr timespec kPoll{0, 50'000'000};

}  // namespace

StopSignals::StopSignals(std::function<void(int)> on_signal) : on_signal_(std::move(on_signal)) {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  waiter_ = std::thread([this] { wait_for_signals(); });
}

StopSignals::~StopSignals() {
  done_ = true;
  waiter_.join();
}

void StopSignals::wait_for_signals() {
  while (!done_) {
    const int sig = sigtimedwait(&signals_, nullptr, &kPoll);
    if (sig > 0) on_signal_(sig);
  }
}

}  // namespace hload::cli
