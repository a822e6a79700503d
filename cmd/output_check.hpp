#pragma once

// The -output target is decided and checked before the run, and the report delivered to it
// after. A report that cannot be written is refused before the first request (exit status 2,
// "the run could not start"), not after a long run whose numbers would then be lost; what only
// shows while writing (a full disk, a device error) ends the finished run with its own status.

#include <optional>
#include <string>

#include "reporters/output_target.hpp"
#include "reporters/report_writer.hpp"

namespace hload::cli {

// kExitReportNotWritten is the exit status of a run that finished but whose report could not
// be written: distinct from 1 (a gate failed) and 2 (bad usage, or the run could not start),
// so that a script can tell a lost report from a failed gate.
inline constexpr int kExitReportNotWritten = 3;

// output_problem says, in one line without the "hload: " prefix, why no report can go where
// output says (-output: cannot write the report to "x": it is a directory); nullopt when one
// can.
std::optional<std::string> output_problem(const reporters::OutputTarget& output);

// deliver_report writes content where output says and tells the user how that went. After a
// successful write to -output FILE it prints "hload: report written to FILE" on standard error
// (nothing for the standard output) and returns 0; when the write fails it prints one line
// naming the path and the cause, and returns kExitReportNotWritten.
int deliver_report(reporters::OutputTarget& output, const std::string& content);

// commit_report finishes a report already written into sink (-o csv), and tells the user as
// deliver_report does.
int commit_report(const reporters::OutputTarget& output, reporters::ReportSink& sink);

}  // namespace hload::cli
