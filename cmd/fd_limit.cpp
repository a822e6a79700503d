#include "cmd/fd_limit.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace hload::cli {

namespace {

// What the process holds besides its connections.
constexpr std::uint64_t kReserve = 32;

}  // namespace

std::uint64_t raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : limit.rlim_cur;
}

std::uint64_t descriptors_needed(const engine::RunConfig& cfg) {
  auto conns = static_cast<std::uint64_t>(cfg.concurrency);
  if (cfg.max_conns_per_host > 0) {
    conns = std::min(conns, static_cast<std::uint64_t>(cfg.max_conns_per_host));
  }
  if (cfg.max_conns > 0) conns = std::min(conns, static_cast<std::uint64_t>(cfg.max_conns));
  return conns + kReserve;
}

std::optional<std::string> fd_limit_problem(const engine::RunConfig& cfg, std::uint64_t limit) {
  const std::uint64_t needed = descriptors_needed(cfg);
  if (needed <= limit) return std::nullopt;
  return "-c " + std::to_string(cfg.concurrency) + " needs about " + std::to_string(needed) +
         " file descriptors (one per connection), but the limit is " + std::to_string(limit) +
         ": raise it (ulimit -n), or lower -c or -max-conns-per-host";
}

}  // namespace hload::cli
