#include "cmd/output_check.hpp"

#include <cstdio>
#include <exception>
#include <optional>

#include "cmd/usage_error.hpp"
#include "reporters/report_writer.hpp"

namespace hload::cli {

std::optional<std::string> output_problem(const reporters::OutputTarget& output) {
  if (!output.problem()) return std::nullopt;
  return "-output: cannot write the report to " + quote(output.path()) + ": " + *output.problem();
}

int deliver_report(reporters::OutputTarget& output, const std::string& content) {
  std::optional<reporters::ReportSink> sink;
  try {
    sink.emplace(output);
    sink->append(content);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hload: %s\n", printable(e.what()).c_str());
    return kExitReportNotWritten;
  }
  return commit_report(output, *sink);
}

int commit_report(const reporters::OutputTarget& output, reporters::ReportSink& sink) {
  try {
    sink.commit();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hload: %s\n", printable(e.what()).c_str());
    return kExitReportNotWritten;
  }
  if (output.kind() != reporters::OutputTarget::Kind::console) {
    std::fprintf(stderr, "hload: report written to %s\n", printable(output.path()).c_str());
  }
  return 0;
}

}  // namespace hload::cli
