#pragma once

// The text report (`-o text`, the default): hey's sections, durations each in the unit that
// fits it (812µs, 4.21ms, 1.50s; the run's total in seconds, as hey), followed by hload's
// per-host connection pool table.

#include <ostream>

#include "engine/run_result.hpp"

namespace hload::reporters {

// write_text writes r to out: a notice first if the run was interrupted, then Summary, Response
// time histogram (10 equal-width ranges between fastest and slowest, each labelled with its
// upper end, the labels distinct; one range when all latencies are equal), Latency distribution,
// Details (phases), Status code distribution, Error distribution (only when there were errors)
// and Connection pool (one block per host). In rate mode it says that latency is response time
// (from when each request was due) and adds late starts and the service time distribution.
void write_text(std::ostream& out, const engine::RunResult& r);

}  // namespace hload::reporters
