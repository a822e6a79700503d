#pragma once

// Durations written as Go writes them, since hload's flags follow hey's, which are Go's.

#include <optional>
#include <string>
#include <string_view>

#include "pool/clock.hpp"

namespace hload::cli {

using pool::Duration;

// parse_go_duration reads a duration as Go's time.ParseDuration does: an optional sign and one
// or more decimal numbers, each with an optional fraction and a unit (ns, us, µs, ms, s, m, h),
// such as "300ms", "-1.5h" or "1m30s"; "0" alone needs no unit. Returns nullopt when the text is
// malformed (a number without a unit among them: see lacks_unit) or does not fit in 64-bit
// nanoseconds.
std::optional<Duration> parse_go_duration(std::string_view text);

// parse_seconds_or_go_duration reads hey's -t: a bare number is seconds ("20", "0.5"), anything
// else a Go duration ("1500ms"). Returns nullopt as parse_go_duration does.
std::optional<Duration> parse_seconds_or_go_duration(std::string_view text);

// lacks_unit says whether text is a number without a unit ("5", "-1.5", ".5"), which Go refuses
// (all but "0") as "missing unit in duration": an error message can then suggest "5s".
bool lacks_unit(std::string_view text);

// format_go_duration writes d in the largest unit that holds it exactly ("90s", "500ms", "2h"),
// which parse_go_duration reads back; for defaults shown in the help text.
std::string format_go_duration(Duration d);

}  // namespace hload::cli
