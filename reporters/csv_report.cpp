#include "reporters/csv_report.hpp"

#include <cstdio>

namespace hload::reporters {

namespace {

constexpr const char* kHeader =
    "response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,"
    "offset\n";

// A worker hands its lines over once it has this many bytes of them.
constexpr std::size_t kBlock = 64 * 1024;

class WorkerCsvSink final : public engine::RequestSink {
 public:
  explicit WorkerCsvSink(CsvReport& report) : report_(report) { block_.reserve(kBlock + 256); }

  void on_request(const engine::RequestSample& s) override {
    csv_line(s, block_);
    if (block_.size() >= kBlock) flush();
  }

  void flush() override {
    if (block_.empty()) return;
    report_.write(block_);
    block_.clear();
  }

 private:
  CsvReport& report_;
  std::string block_;
};

}  // namespace

void csv_line(const engine::RequestSample& s, std::string& out) {
  char line[160];
  const int n =
      std::snprintf(line, sizeof line, "%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%u,%.4f\n", s.response_s,
                    s.dial_s, s.dns_s, s.write_s, s.delay_s, s.read_s, s.status, s.offset_s);
  if (n > 0) out.append(line, static_cast<std::size_t>(n));
}

CsvReport::CsvReport(ReportSink& sink) : sink_(sink) { sink_.append(kHeader); }

std::unique_ptr<engine::RequestSink> CsvReport::make_sink() {
  return std::make_unique<WorkerCsvSink>(*this);
}

void CsvReport::write(const std::string& block) {
  std::lock_guard l(mu_);
  sink_.append(block);
}

}  // namespace hload::reporters
