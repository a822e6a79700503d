#pragma once

// The per-request report (-o csv), hey's CSV: one line per finished request, written as the
// requests finish so that memory stays flat however long the run. Columns, in seconds with four
// decimals: response-time, DNS+dialup, DNS, Request-write, Response-delay, Response-read, then
// status-code (0 when no response came) and offset (from the start of the run).

#include <memory>
#include <mutex>
#include <string>

#include "engine/request_sample.hpp"
#include "reporters/report_writer.hpp"

namespace hload::reporters {

// csv_line appends the CSV line of s to out.
void csv_line(const engine::RequestSample& s, std::string& out);

// CsvReport writes the report through sink: the header at once, then what the worker threads'
// sinks (make_sink) hand it. Each worker buffers its lines and hands them over in blocks.
class CsvReport {
 public:
  explicit CsvReport(ReportSink& sink);

  // make_sink makes the sink of one worker thread; CsvReport must outlive it.
  std::unique_ptr<engine::RequestSink> make_sink();

  // write hands a block of lines to the report; safe from any thread.
  void write(const std::string& block);

 private:
  std::mutex mu_;
  ReportSink& sink_;
};

}  // namespace hload::reporters
