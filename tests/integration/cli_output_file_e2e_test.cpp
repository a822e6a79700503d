// -output FILE: the report goes to the file and nowhere else, replaces what was there, and a
// file that cannot be written is refused before the run rather than after it.

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cmd/server/builtin_server.hpp"
#include "tests/integration/e2e.hpp"

namespace hload::test::e2e {
namespace {

std::vector<std::string> json_run_to(const std::string& file, std::uint16_t port) {
  return {"-c", "2", "-n", "10", "-o", "json", "-output", file, url(port)};
}

TEST(HloadOutputFile, HoldsTheJsonReportAndStandardOutputNothing) {
  server::BuiltinServer srv;
  TempDir dir;
  const std::string file = dir.file("report.json");
  const ProcessResult r = hload(json_run_to(file, srv.port()));
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "hload: report written to " + file + "\n");
  const json report = parse_json(read_file(file));
  ASSERT_FALSE(report.is_discarded()) << read_file(file);
  EXPECT_EQ(report["schema"], "hload.report/v1");
  EXPECT_EQ(report["summary"]["requests"], 10);
  EXPECT_EQ(report["summary"]["ok"], 10);
}

TEST(HloadOutputFile, ReplacesAnExistingFileAndLeavesNothingElse) {
  server::BuiltinServer srv;
  TempDir dir;
  const std::string file = dir.file("report.json");
  std::ofstream(file) << "an older report\n";
  const ProcessResult r = hload(json_run_to(file, srv.port()));
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json report = parse_json(read_file(file));
  ASSERT_FALSE(report.is_discarded()) << read_file(file);
  EXPECT_EQ(report["summary"]["requests"], 10);
  EXPECT_EQ(dir.names(), std::vector<std::string>{"report.json"}) << "no temporary file left";
}

// expect_refused_before_the_run checks that hload refused to run because of the -output file:
// exit status 2, one line naming the file, and not one connection made.
void expect_refused_before_the_run(const std::string& file) {
  server::BuiltinServer srv;
  const ProcessResult r = hload(json_run_to(file, srv.port()));
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(r.out, "");
  const std::vector<std::string> err = lines(r.err);
  ASSERT_EQ(err.size(), 1u) << r.describe();
  EXPECT_TRUE(err[0].starts_with("hload: -output: ")) << err[0];
  EXPECT_NE(err[0].find(file), std::string::npos) << err[0];
  EXPECT_FALSE(shows_a_crash(r.err)) << r.err;
  EXPECT_EQ(accepted_after_settling(srv), 0u) << "the run started although no report could be kept";
}

TEST(HloadOutputFile, InAMissingDirectoryIsRefusedBeforeTheRun) {
  TempDir dir;
  expect_refused_before_the_run(dir.file("no-such-dir/report.json"));
}

TEST(HloadOutputFile, ThatIsADirectoryIsRefusedBeforeTheRun) {
  TempDir dir;
  expect_refused_before_the_run(dir.path());
}

TEST(HloadOutputFile, UnderAFileIsRefusedBeforeTheRun) {
  TempDir dir;
  std::ofstream(dir.file("plain")) << "not a directory\n";
  expect_refused_before_the_run(dir.file("plain/report.json"));
}

}  // namespace
}  // namespace hload::test::e2e
