#pragma once

// Durations written as Go writes them, since hload's flags follow hey's, which are Go's.

#include <optional>
#include <string>
#include <string_view>

#include "pool/clock.hpp"

namespace hload::cli {

using pool::Duration;

// parse_go_duration reads a duration in the syntax of Go's time.ParseDuration: an optional sign
// and one or more decimal numbers, each with an optional fraction and a unit (ns, us, µs, ms, s,
// m, h), such as "300ms", "-1.5h" or "1m30s". Beyond Go, a bare number means seconds ("20",
// "0.5"), which is how hey's -t is written. Returns nullopt when the text is malformed or does
// not fit in 64-bit nanoseconds.
std::optional<Duration> parse_go_duration(std::string_view text);

// format_go_duration writes d in the largest unit that holds it exactly ("90s", "500ms", "2h"),
// which parse_go_duration reads back; for defaults shown in the help text.
std::string format_go_duration(Duration d);

}  // namespace hload::cli
