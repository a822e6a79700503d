#pragma once

// Rendering a finished run in the chosen format, and delivering it where an OutputTarget says.
// A report file is replaced atomically: a reader (a CI step, a script polling for it) sees the
// old report or the new one, never half of one, and a failed write leaves the old one in place.
// A device, a FIFO or the standard output is written straight through.

#include <iostream>
#include <string>

#include "engine/run_result.hpp"
#include "reporters/output_target.hpp"

namespace hload::reporters {

// render returns the report of r in `format`; JSON ends with a newline like the others.
std::string render(const engine::RunResult& r, engine::OutputFormat format);

// write_report writes content where output says. To the standard output it goes through
// `console`. A stream gets it through the descriptor opened before, which is then closed. A
// file is replaced atomically: content goes to a temporary file in its directory, which is
// flushed to disk and renamed over output.file(); a new file gets mode 0644 less the umask, a
// replaced one keeps its mode. A stop signal (SIGINT, SIGTERM, SIGHUP) arriving meanwhile
// takes effect once the file is in place or removed. Throws std::runtime_error with a one-line
// message naming output.path() and the cause when output has a problem or the write fails; the
// old file is then intact and no temporary file is left.
void write_report(OutputTarget& output, const std::string& content,
                  std::ostream& console = std::cout);

// write_report resolves path as OutputTarget does and writes content there, for a caller with
// nothing to do between the two.
void write_report(const std::string& path, const std::string& content,
                  std::ostream& console = std::cout);

}  // namespace hload::reporters
