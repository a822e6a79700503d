#pragma once

// The text report's sparkline: requests per second over the run, one mark per second (or per
// interval, when they are wider), a row a minute, drawn from the timeline.

#include <string>

#include "engine/timeline.hpp"

namespace hload::reporters {

// kSparklineRows bounds the rows: a run longer than this many minutes gets marks that cover
// more time each, so that the section stays a few lines however long the run.
inline constexpr int kSparklineRows = 12;

// sparkline_text returns the section for t: a title that gives the scale, then rows of up to 60
// marks (▁ to █ from a few requests to the most per second, a blank for none), each row led by
// the time it starts at ("0:00", "1:00"; "0:00:00", "1:00:00" when a row starts past an hour). Each
// mark covers the fewest whole intervals that make a second or more and keep the rows within
// kSparklineRows. Empty when t has no interval.
std::string sparkline_text(const engine::Timeline& t);

}  // namespace hload::reporters
