#include "reporters/report_writer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "reporters/histogram_report.hpp"
#include "reporters/json_report.hpp"
#include "reporters/text_report.hpp"
#include "tests/reporters/sample_result.hpp"

namespace hload::reporters {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::sample_result;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

class ReportWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "hload-report-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(ReportWriterTest, RenderJsonIsPrettyAndNewlineTerminated) {
  const auto r = sample_result();
  const auto s = render(r, engine::OutputFormat::json);
  EXPECT_THAT(s, ::testing::StartsWith("{\n  \"schema\": \"hload.report/v1\",\n  \"config\": {\n"));
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.back(), '\n');
  EXPECT_EQ(nlohmann::ordered_json::parse(s), to_json(r));
}

TEST_F(ReportWriterTest, RenderTextAndHistogramMatchTheirReporters) {
  const auto r = sample_result();
  std::ostringstream text;
  write_text(text, r);
  EXPECT_EQ(render(r, engine::OutputFormat::text), text.str());
  std::ostringstream histogram;
  write_histograms(histogram, r);
  EXPECT_EQ(render(r, engine::OutputFormat::histogram), histogram.str());
}

TEST_F(ReportWriterTest, CreatesTheFileReadableByOthers) {
  const auto path = dir_ / "report.json";
  write_report_atomically(path.string(), "{}\n");
  EXPECT_EQ(read(path), "{}\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"report.json"});
}

TEST_F(ReportWriterTest, ReplacesAnExistingFileKeepingItsModeAndLeavesNoTemporaryFile) {
  const auto path = dir_ / "report.txt";
  std::ofstream(path) << "an older and much longer report than the new one\n";
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  const auto before = fs::status(path).permissions();
  write_report_atomically(path.string(), "new\n");
  EXPECT_EQ(read(path), "new\n");
  EXPECT_EQ(fs::status(path).permissions(), before);
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"report.txt"});
}

TEST_F(ReportWriterTest, WritesLargeReports) {
  const auto path = dir_ / "big.txt";
  const std::string content(8 << 20, 'x');
  write_report_atomically(path.string(), content);
  EXPECT_EQ(fs::file_size(path), content.size());
}

TEST_F(ReportWriterTest, RelativePathWritesIntoTheCurrentDirectory) {
  const auto cwd = fs::current_path();
  fs::current_path(dir_);
  write_report_atomically("relative.json", "{}\n");
  fs::current_path(cwd);
  EXPECT_EQ(read(dir_ / "relative.json"), "{}\n");
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"relative.json"});
}

TEST_F(ReportWriterTest, MissingDirectoryThrowsAOneLineMessage) {
  const auto path = (dir_ / "no-such-dir" / "report.json").string();
  try {
    write_report_atomically(path, "{}\n");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_THAT(what, HasSubstr("cannot write the report to '" + path + "'"));
    EXPECT_THAT(what, HasSubstr("No such file or directory"));
    EXPECT_EQ(what.find('\n'), std::string::npos);
  }
  EXPECT_TRUE(entries(dir_).empty());
}

TEST_F(ReportWriterTest, DirectoryInTheWayThrowsAndLeavesNoTemporaryFile) {
  fs::create_directory(dir_ / "report.json");
  EXPECT_THROW(write_report_atomically((dir_ / "report.json").string(), "{}\n"),
               std::runtime_error);
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"report.json"});
  EXPECT_TRUE(fs::is_directory(dir_ / "report.json"));
}

TEST_F(ReportWriterTest, EmptyPathWritesToTheConsole) {
  std::ostringstream console;
  write_report("", "the report\n", console);
  EXPECT_EQ(console.str(), "the report\n");
  EXPECT_TRUE(entries(dir_).empty());
}

TEST_F(ReportWriterTest, PathWritesTheFileNotTheConsole) {
  std::ostringstream console;
  write_report((dir_ / "r.txt").string(), "to the file\n", console);
  EXPECT_EQ(console.str(), "");
  EXPECT_EQ(read(dir_ / "r.txt"), "to the file\n");
}

TEST_F(ReportWriterTest, BrokenConsoleThrows) {
  std::ostringstream console;
  console.setstate(std::ios::badbit);
  EXPECT_THROW(write_report("", "x", console), std::runtime_error);
}

}  // namespace
}  // namespace hload::reporters
