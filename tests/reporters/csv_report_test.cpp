#include "reporters/csv_report.hpp"

#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace hload::reporters {
namespace {

TEST(CsvReportTest, LineHasHeysColumnsInSecondsWithFourDecimals) {
  engine::RequestSample s;
  s.response_s = 0.012345;
  s.dial_s = 0.0005;
  s.dns_s = 0.0001;
  s.write_s = 0.00002;
  s.delay_s = 0.011;
  s.read_s = 0.0008;
  s.status = 200;
  s.offset_s = 1.5;
  std::string line;
  csv_line(s, line);
  EXPECT_EQ(line, "0.0123,0.0005,0.0001,0.0000,0.0110,0.0008,200,1.5000\n");
  s.status = 0;  // no response
  line.clear();
  csv_line(s, line);
  EXPECT_EQ(line.substr(line.rfind(",0,")), ",0,1.5000\n");
}

// Every line from every worker arrives once, whole, after the header; each worker's lines in
// its own order.
TEST(CsvReportTest, WorkersLinesArriveWholeAfterTheHeader) {
  OutputTarget console;
  std::ostringstream out;
  ReportSink sink(console, out);
  CsvReport report(sink);
  constexpr int kWorkers = 4;
  constexpr int kLines = 5000;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&report, w] {
      auto worker = report.make_sink();
      engine::RequestSample s;
      s.status = static_cast<unsigned>(200 + w);
      for (int i = 0; i < kLines; ++i) {
        s.offset_s = i;
        worker->on_request(s);
      }
      worker->flush();
    });
  }
  for (auto& t : threads) t.join();
  sink.commit();

  std::istringstream in(out.str());
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line,
            "response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,"
            "status-code,offset");
  std::vector<int> next(kWorkers, 0);
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    const auto status_at = line.find(",20");
    ASSERT_NE(status_at, std::string::npos) << line;
    const int w = line[status_at + 3] - '0';
    ASSERT_TRUE(w >= 0 && w < kWorkers) << line;
    EXPECT_EQ(std::stoi(line.substr(line.rfind(',') + 1)), next[w]++) << line;
  }
  EXPECT_EQ(lines, kWorkers * kLines);
}

}  // namespace
}  // namespace hload::reporters
