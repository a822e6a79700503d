#pragma once

// Flag values read as numbers and durations, each mistake reported as one line that names the
// flag and repeats what the user typed.

#include <cstdint>
#include <limits>
#include <string_view>

#include "pool/clock.hpp"

namespace hload::cli {

using pool::Duration;

// Zero says whether a flag accepts 0 (usually meaning "no limit") or needs a positive value.
// Negative values are refused everywhere.
enum class Zero { allowed, refused };

// read_whole parses a decimal whole number for flag (named as the user sees it, "-c") and checks
// it against [0 or 1, max]. Throws UsageError: "-c must be at least 1 (got 0)".
std::int64_t read_whole(std::string_view flag, std::string_view text, Zero zero,
                        std::int64_t max = std::numeric_limits<std::int64_t>::max());

// read_count is read_whole for counts (requests, users, connections), which may also be written
// as oha writes them: with k or K for thousands and m or M for millions ("10k", "1M", "1.5k"),
// as long as the number comes out whole ("1.2345k" is refused). Throws UsageError.
std::int64_t read_count(std::string_view flag, std::string_view text, Zero zero,
                        std::int64_t max = std::numeric_limits<std::int64_t>::max());

// read_real parses a finite decimal number (such as 100 or 0.5) for flag and checks its sign.
// Throws UsageError.
double read_real(std::string_view flag, std::string_view text, Zero zero);

// read_duration parses a Go duration (see parse_go_duration) for flag and checks its sign. As in
// Go, a number needs a unit: "-z 5" is refused with "-z needs a unit, such as 5s or 5ms (got
// "5")". Throws UsageError.
Duration read_duration(std::string_view flag, std::string_view text, Zero zero);

// read_seconds parses hey's -t: a number of seconds ("20", "0.5") or a Go duration ("1500ms"),
// and checks its sign. Throws UsageError.
Duration read_seconds(std::string_view flag, std::string_view text, Zero zero);

}  // namespace hload::cli
