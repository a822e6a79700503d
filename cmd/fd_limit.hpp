#pragma once

// File descriptors a run needs. Like Go's runtime, hload raises its soft limit to the hard one
// at start; a run whose connections still cannot fit is refused before its first request
// rather than failing by the thousand in the middle of it.

#include <cstdint>
#include <optional>
#include <string>

#include "engine/run_config.hpp"

namespace hload::cli {

// raise_fd_limit lifts the soft RLIMIT_NOFILE to the hard limit and returns the soft limit now
// in force.
std::uint64_t raise_fd_limit();

// descriptors_needed estimates the descriptors cfg's run can hold at once: one per connection
// it may open, and a reserve for the process itself (standard streams, the event loops, the
// resolver, the report).
std::uint64_t descriptors_needed(const engine::RunConfig& cfg);

// fd_limit_problem says, in one line, why cfg's run cannot fit in `limit` descriptors; nullopt
// when it can.
std::optional<std::string> fd_limit_problem(const engine::RunConfig& cfg, std::uint64_t limit);

}  // namespace hload::cli
