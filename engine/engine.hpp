#pragma once

// Engine runs one load test: it builds the request, the Transport every virtual user shares,
// one Worker per thread, and merges what they measured into a RunResult.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>

#include "engine/run_config.hpp"
#include "engine/run_result.hpp"

namespace hload::engine {

// ProgressSample is what the live progress line shows.
struct ProgressSample {
  double elapsed_s = 0;
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  int open_conns = 0;
  std::uint64_t dials = 0;
  std::optional<std::uint64_t> total_requests;  // the run's request limit (-n), if it has one
  std::optional<double> total_s;                // the run's duration (-z) in seconds, if given
};

class Engine {
 public:
  explicit Engine(RunConfig cfg);

  // run blocks until the run ends: its requests are done, its duration is over, or SIGINT or
  // SIGTERM arrived (then the result says interrupted). Throws TargetError before any request
  // if the configuration cannot be turned into a request.
  RunResult run();

  // on_progress, when set, is called about four times a second from a run thread.
  std::function<void(const ProgressSample&)> on_progress;

 private:
  RunConfig cfg_;
};

}  // namespace hload::engine
