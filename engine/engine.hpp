#pragma once

// Engine runs one load test: it builds the request, the Transport every virtual user shares,
// one Worker per thread, and merges what they measured into a RunResult.
//
// The end of a run. However it ends (its requests done, the end of -z, stop()), every request
// and dial still in flight is cancelled at once: requests are counted as unfinished, dials
// nobody waits for are dropped. What cannot be cancelled (a name lookup in the system
// resolver) is given kDrainGrace, then abandoned, so that run() returns promptly whatever the
// server or the network does.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "engine/request_sample.hpp"
#include "engine/run_config.hpp"
#include "engine/run_result.hpp"
#include "pool/clock.hpp"
#include "pool/dialer.hpp"

namespace hload::engine {

// ProgressSample is what the live progress line shows.
struct ProgressSample {
  double elapsed_s = 0;
  std::uint64_t requests = 0;
  std::uint64_t failed = 0;  // requests not ok: HTTP errors and transport errors
  int open_conns = 0;
  std::uint64_t dials = 0;
  std::optional<std::uint64_t> total_requests;  // the run's request limit (-n), if it has one
  std::optional<double> total_s;                // the run's duration (-z) in seconds, if given
};

// kDrainGrace is how long the end of a run waits for work it cancelled to wind down.
inline constexpr std::chrono::milliseconds kDrainGrace{250};

class Engine {
 public:
  // An engine that dials real connections (TCP, and TLS for https) on the real clock. Throws
  // TargetError when the TLS files of cfg (-cacert, -cert, -key) cannot be used.
  explicit Engine(RunConfig cfg);
  // An engine over the given dialer and clock, which must outlive it (tests).
  Engine(RunConfig cfg, pool::Dialer& dialer, const pool::Clock& clock);
  ~Engine();

  // run blocks until the run ends: its requests are done, its duration is over, or stop() was
  // called. Throws TargetError before any request if the configuration cannot be turned into
  // a request. Call once.
  RunResult run();

  // stop ends the run early; safe from any thread, before or during run(). The first call
  // ends it as its deadline would (requests in flight are cancelled and counted as
  // unfinished) and records `signal` as the reason (0 for none); a second call abandons at
  // once whatever is still winding down.
  void stop(int signal);

  // on_progress, when set, is called about four times a second from a run thread.
  std::function<void(const ProgressSample&)> on_progress;
  // request_sinks, when set, makes each worker thread's sink for per-request output.
  RequestSinkFactory request_sinks;

 private:
  struct Run;

  RunConfig cfg_;
  std::unique_ptr<pool::Dialer> own_dialer_;
  pool::Dialer& dialer_;
  const pool::Clock& clock_;

  std::mutex mu_;  // guards what follows: stop() meets run() here
  Run* active_ = nullptr;
  int stops_ = 0;
  int stop_signal_ = 0;
};

}  // namespace hload::engine
