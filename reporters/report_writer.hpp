#pragma once

// Rendering a finished run in the chosen format, and delivering it where an OutputTarget says.
// A report file is replaced atomically: a reader (a CI step, a script polling for it) sees the
// old report or the new one, never half of one, and a failed write leaves the old one in place.
// A device, a FIFO or the standard output is written straight through.

#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "engine/run_result.hpp"
#include "reporters/output_target.hpp"
#include "reporters/temp_file.hpp"
#include "reporters/write_signals.hpp"

namespace hload::reporters {

// render returns the report of r in `format`; JSON ends with a newline like the others, and
// HTML is drawn from the JSON report.
std::string render(const engine::RunResult& r, engine::OutputFormat format);

// ReportSink takes a report's bytes as they are made and delivers them where an OutputTarget
// says, so that the per-request report (-o csv) is written while the run goes on. For a file
// they go to a temporary file in its directory, renamed over output.file() by commit;
// anything else gets them at once. Not thread safe: callers that write from several threads
// lock.
class ReportSink {
 public:
  // Throws std::runtime_error (one line naming output.path() and the cause) when output has a
  // problem or its temporary file cannot be made.
  explicit ReportSink(OutputTarget& output, std::ostream& console = std::cout);
  ReportSink(const ReportSink&) = delete;
  ReportSink& operator=(const ReportSink&) = delete;
  // Without commit, a temporary file is removed and the old report is left as it was.
  ~ReportSink();

  // append delivers bytes. A failure is kept, the bytes after it are dropped, and commit
  // reports it.
  void append(std::string_view bytes);
  // commit finishes the report: flushes a file and renames it into place, or closes a stream.
  // Throws std::runtime_error, with a one-line message, when it or an earlier append failed.
  void commit();

 private:
  void check(bool ok, const char* what, const std::string& about) const;

  OutputTarget& output_;
  std::ostream& console_;
  std::string dir_;
  // For a file: a stop signal waits until the temporary file has been renamed or removed.
  // Declared before it, so that it outlives it.
  std::optional<StopSignalDeferral> defer_;
  std::optional<TempFile> tmp_;
  std::string error_;  // the first failure of append
};

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
