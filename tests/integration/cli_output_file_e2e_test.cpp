// -output FILE: the report goes to the file and nowhere else, replaces what was there, and a
// file that cannot be written is refused before the run rather than after it. A link is
// followed and stays a link; a device, a FIFO and the standard output are written through, never
// replaced by a file.

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cmd/server/builtin_server.hpp"
#include "tests/integration/e2e.hpp"

namespace hload::test::e2e {
namespace {

namespace fs = std::filesystem;

// The system's paths the tests write to; each must be what it was afterwards.
constexpr const char* kDevStdout = "/dev/stdout";
constexpr const char* kDevFull = "/dev/full";

// kExitReportNotWritten is hload's exit status for a run that finished but whose report could
// not be written.
constexpr int kExitReportNotWritten = 3;

std::vector<std::string> json_run_to(const std::string& file, std::uint16_t port) {
  return {"-c", "2", "-n", "10", "-o", "json", "-output", file, url(port)};
}

// expect_report_of_ten checks that text is the JSON report of json_run_to's run.
void expect_report_of_ten(const std::string& text) {
  const json report = parse_json(text);
  ASSERT_FALSE(report.is_discarded()) << text;
  EXPECT_EQ(report["schema"], "hload.report/v1");
  EXPECT_EQ(report["summary"]["requests"], 10);
}

// mode_of returns the permission bits of the file at path (links followed).
mode_t mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
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

TEST(HloadOutputFile, ReplacesAnExistingFileKeepingItsModeAndLeavesNothingElse) {
  server::BuiltinServer srv;
  TempDir dir;
  const std::string file = dir.file("report.json");
  std::ofstream(file) << "an older report\n";
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  const ProcessResult r = hload(json_run_to(file, srv.port()));
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  expect_report_of_ten(read_file(file));
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(dir.names(), std::vector<std::string>{"report.json"}) << "no temporary file left";
}

TEST(HloadOutputFile, SymlinkStaysALinkAndTheFileItNamesGetsTheReport) {
  server::BuiltinServer srv;
  TempDir dir;
  const std::string real = dir.file("real.json");
  const std::string link = dir.file("link.json");
  std::ofstream(real) << "an older report\n";
  ASSERT_EQ(::chmod(real.c_str(), 0600), 0);
  fs::create_symlink(real, link);
  const ProcessResult r = hload(json_run_to(link, srv.port()));
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.err, "hload: report written to " + link + "\n");
  ASSERT_TRUE(fs::is_symlink(fs::symlink_status(link))) << "the link was replaced by a file";
  EXPECT_EQ(fs::read_symlink(link), real);
  expect_report_of_ten(read_file(real));
  EXPECT_EQ(mode_of(real), 0600u);
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"link.json", "real.json"}));
}

TEST(HloadOutputFile, RelativeSymlinkIsFollowedFromItsOwnDirectory) {
  server::BuiltinServer srv;
  TempDir dir;
  fs::create_directory(dir.file("links"));
  fs::create_directory(dir.file("reports"));
  const std::string link = dir.file("links/latest.json");
  fs::create_symlink("../reports/run.json", link);
  std::ofstream(dir.file("reports/run.json")) << "an older report\n";
  const ProcessResult r = hload(json_run_to(link, srv.port()));
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(link)));
  expect_report_of_ten(read_file(dir.file("reports/run.json")));
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"links", "reports"}));
  std::vector<std::string> reports;
  for (const auto& e : fs::directory_iterator(dir.file("reports"))) {
    reports.push_back(e.path().filename().string());
  }
  EXPECT_EQ(reports, std::vector<std::string>{"run.json"}) << "no temporary file left";
}

TEST(HloadOutputFile, DanglingSymlinkCreatesTheFileItNames) {
  server::BuiltinServer srv;
  TempDir dir;
  const std::string link = dir.file("link.json");
  fs::create_symlink("new.json", link);
  const ProcessResult r = hload(json_run_to(link, srv.port()));
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(link)));
  expect_report_of_ten(read_file(dir.file("new.json")));
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"link.json", "new.json"}));
}

// The test runs hload with its standard output captured (a pipe), so /dev/stdout names that
// pipe: the report must come through it, and /dev/stdout must stay the link it is.
TEST(HloadOutputFile, DevStdoutIsWrittenThroughAndStaysALink) {
  server::BuiltinServer srv;
  const fs::path link_before = fs::read_symlink(kDevStdout);
  const ProcessResult r = hload(json_run_to(kDevStdout, srv.port()));
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  expect_report_of_ten(r.out);
  EXPECT_EQ(r.err, std::string("hload: report written to ") + kDevStdout + "\n");
  ASSERT_TRUE(fs::is_symlink(fs::symlink_status(kDevStdout))) << "/dev/stdout was replaced";
  EXPECT_EQ(fs::read_symlink(kDevStdout), link_before);
}

TEST(HloadOutputFile, DashWritesTheReportToStandardOutput) {
  server::BuiltinServer srv;
  ASSERT_FALSE(fs::exists("-")) << "a file named - is in the way of this test";
  const ProcessResult r = hload(json_run_to("-", srv.port()));
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  expect_report_of_ten(r.out);
  EXPECT_EQ(r.err, "");
  EXPECT_FALSE(fs::exists("-")) << "a file named - was written";
}

TEST(HloadOutputFile, FifoWithAReaderGetsTheReport) {
  server::BuiltinServer srv;
  TempDir dir;
  const std::string fifo = dir.file("report.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // A reader that holds the FIFO open for the whole run; the pipe is made large enough for the
  // whole report, so that hload never waits for this thread to read.
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  ::fcntl(reader, F_SETPIPE_SZ, 1 << 20);
  const ProcessResult r = hload(json_run_to(fifo, srv.port()));
  std::string got;
  char buf[16384];
  for (ssize_t n; (n = ::read(reader, buf, sizeof buf)) > 0;) {
    got.append(buf, static_cast<std::size_t>(n));
  }
  ::close(reader);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  expect_report_of_ten(got);
  EXPECT_TRUE(fs::is_fifo(fs::symlink_status(fifo))) << "the FIFO was replaced";
  EXPECT_EQ(dir.names(), std::vector<std::string>{"report.fifo"});
}

TEST(HloadOutputFile, FullDeviceEndsWithStatus3AndOneLine) {
  server::BuiltinServer srv;
  const ProcessResult r = hload(json_run_to(kDevFull, srv.port()));
  EXPECT_EQ(r.exit_code, kExitReportNotWritten) << r.describe();
  const std::vector<std::string> err = lines(r.err);
  ASSERT_EQ(err.size(), 1u) << r.describe();
  EXPECT_TRUE(err[0].starts_with("hload: ")) << err[0];
  EXPECT_NE(err[0].find(kDevFull), std::string::npos) << err[0];
  EXPECT_NE(err[0].find("No space left"), std::string::npos) << err[0];
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(fs::is_character_file(fs::symlink_status(kDevFull)));
}

// A write that fails half way (the file size limit of prlimit --fsize, which also raises
// SIGXFSZ) ends with status 3, one line, the old report intact and no temporary file.
TEST(HloadOutputFile, FailedWriteKeepsTheOldReportAndEndsWithStatus3) {
  const std::string prlimit = "/usr/bin/prlimit";
  if (::access(prlimit.c_str(), X_OK) != 0) GTEST_SKIP() << "no " << prlimit;
  server::BuiltinServer srv;
  TempDir dir;
  const std::string file = dir.file("report.json");
  std::ofstream(file) << "an older report\n";
  std::vector<std::string> args{"--fsize=100", "--", kHload};
  for (const auto& a : json_run_to(file, srv.port())) args.push_back(a);
  const ProcessResult r = run_process(prlimit, args, {.env = {}, .time_limit = kRunLimit});
  EXPECT_EQ(r.exit_code, kExitReportNotWritten) << r.describe();
  const std::vector<std::string> err = lines(r.err);
  ASSERT_EQ(err.size(), 1u) << r.describe();
  EXPECT_NE(err[0].find(file), std::string::npos) << err[0];
  EXPECT_NE(err[0].find("File too large"), std::string::npos) << err[0];
  EXPECT_EQ(read_file(file), "an older report\n");
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

TEST(HloadOutputFile, FifoWithoutAReaderIsRefusedBeforeTheRun) {
  TempDir dir;
  const std::string fifo = dir.file("report.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_refused_before_the_run(fifo);
  EXPECT_TRUE(fs::is_fifo(fs::symlink_status(fifo)));
}

// procfs takes no new file: only creating one shows that, so the check must try it, and leave
// nothing behind.
TEST(HloadOutputFile, InProcIsRefusedBeforeAnyRequest) {
  expect_refused_before_the_run("/proc/hload-report.json");
  for (const auto& e : fs::directory_iterator("/proc")) {
    EXPECT_EQ(e.path().filename().string().find("hload-report"), std::string::npos) << e.path();
  }
}

TEST(HloadOutputFile, SocketIsRefusedBeforeTheRun) {
  TempDir dir;
  const std::string path = dir.file("report.sock");
  const int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(s, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof addr.sun_path);
  std::strcpy(addr.sun_path, path.c_str());
  ASSERT_EQ(::bind(s, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  expect_refused_before_the_run(path);
  ::close(s);
  EXPECT_TRUE(fs::is_socket(fs::symlink_status(path)));
}

TEST(HloadOutputFile, UnderAFileIsRefusedBeforeTheRun) {
  TempDir dir;
  std::ofstream(dir.file("plain")) << "not a directory\n";
  expect_refused_before_the_run(dir.file("plain/report.json"));
}

}  // namespace
}  // namespace hload::test::e2e
