#pragma once

// Rendering a finished run in the chosen format, and delivering it. A report file is replaced
// atomically: a reader (a CI step, a script polling for it) sees the old report or the new one,
// never half of one, and a failed write leaves the old one in place.

#include <iostream>
#include <string>

#include "engine/run_result.hpp"

namespace hload::reporters {

// render returns the report of r in `format`; JSON ends with a newline like the others.
std::string render(const engine::RunResult& r, engine::OutputFormat format);

// write_report_atomically replaces (or creates) the file at path with content: it writes a
// temporary file in the same directory, flushes it to disk and renames it over path. A new
// file gets mode 0644, a replaced one keeps its mode. On any failure it removes the temporary
// file and throws std::runtime_error with a one-line message naming path and the cause.
void write_report_atomically(const std::string& path, const std::string& content);

// write_report writes content to path as write_report_atomically does, or to `console` when
// path is empty (no -output). Throws std::runtime_error when either fails.
void write_report(const std::string& path, const std::string& content,
                  std::ostream& console = std::cout);

}  // namespace hload::reporters
