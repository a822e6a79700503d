#include "reporters/report_writer.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
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

// The devices the tests write to; they must still be devices afterwards.
constexpr const char* kDevNull = "/dev/null";
constexpr const char* kDevFull = "/dev/full";

// mode_of returns the permission bits of the file at p (links followed).
mode_t mode_of(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// read_all_nonblocking reads what fd (opened O_NONBLOCK) holds until its writer has closed it
// or five seconds have passed.
std::string read_all_nonblocking(int fd) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) break;  // no writer left: everything written has been read
    if (errno != EAGAIN && errno != EINTR) break;
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, 50);
  }
  return out;
}

class ReportWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A new file's mode is 0644 less the umask; the tests fix the umask to know it.
    old_umask_ = ::umask(022);
    std::string tmpl = (fs::temp_directory_path() / "hload-report-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    ::umask(old_umask_);
    fs::remove_all(dir_);
  }

  fs::path dir_;
  mode_t old_umask_ = 0;
};

TEST_F(ReportWriterTest, RenderJsonIsPrettyAndNewlineTerminated) {
  const auto r = sample_result();
  const auto s = render(r, engine::OutputFormat::json);
  EXPECT_THAT(s, ::testing::StartsWith(
                     "{\n  \"schema\": \"hload.report/v1\",\n  \"histogram_layout\": {\n"));
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
  write_report(path.string(), "{}\n");
  EXPECT_EQ(read(path), "{}\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"report.json"});
}

TEST_F(ReportWriterTest, NewFileModeIsLessTheUmask) {
  ::umask(077);
  write_report((dir_ / "private.json").string(), "{}\n");
  EXPECT_EQ(mode_of(dir_ / "private.json"), 0600u);
}

TEST_F(ReportWriterTest, ReplacesAnExistingFileKeepingItsModeAndLeavesNoTemporaryFile) {
  const auto path = dir_ / "report.txt";
  std::ofstream(path) << "an older and much longer report than the new one\n";
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  const auto before = fs::status(path).permissions();
  write_report(path.string(), "new\n");
  EXPECT_EQ(read(path), "new\n");
  EXPECT_EQ(fs::status(path).permissions(), before);
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"report.txt"});
}

TEST_F(ReportWriterTest, WritesLargeReports) {
  const auto path = dir_ / "big.txt";
  const std::string content(8 << 20, 'x');
  write_report(path.string(), content);
  EXPECT_EQ(fs::file_size(path), content.size());
}

TEST_F(ReportWriterTest, RelativePathWritesIntoTheCurrentDirectory) {
  const auto cwd = fs::current_path();
  fs::current_path(dir_);
  write_report("relative.json", "{}\n");
  fs::current_path(cwd);
  EXPECT_EQ(read(dir_ / "relative.json"), "{}\n");
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"relative.json"});
}

TEST_F(ReportWriterTest, MissingDirectoryThrowsAOneLineMessage) {
  const auto path = (dir_ / "no-such-dir" / "report.json").string();
  try {
    write_report(path, "{}\n");
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
  EXPECT_THROW(write_report((dir_ / "report.json").string(), "{}\n"), std::runtime_error);
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"report.json"});
  EXPECT_TRUE(fs::is_directory(dir_ / "report.json"));
}

TEST_F(ReportWriterTest, SymlinkStaysALinkAndTheFileItNamesGetsTheReportKeepingItsMode) {
  const auto real = dir_ / "real.json";
  std::ofstream(real) << "the old report\n";
  fs::permissions(real, fs::perms::owner_read | fs::perms::owner_write);
  const auto link = dir_ / "link.json";
  fs::create_symlink(real, link);
  write_report(link.string(), "{}\n");
  ASSERT_TRUE(fs::is_symlink(fs::symlink_status(link))) << "the link was replaced";
  EXPECT_EQ(fs::read_symlink(link), real);
  EXPECT_EQ(read(real), "{}\n");
  EXPECT_EQ(mode_of(real), 0600u);
  EXPECT_EQ(entries(dir_), (std::vector<std::string>{"link.json", "real.json"}));
}

TEST_F(ReportWriterTest, RelativeLinksAreFollowedFromTheirOwnDirectories) {
  // a/report.json -> ../b/hop -> report.json: each relative target counts from the directory of
  // its link, not from the current directory.
  fs::create_directory(dir_ / "a");
  fs::create_directory(dir_ / "b");
  fs::create_symlink("../b/hop", dir_ / "a" / "report.json");
  fs::create_symlink("report.json", dir_ / "b" / "hop");
  std::ofstream(dir_ / "b" / "report.json") << "old\n";
  write_report((dir_ / "a" / "report.json").string(), "new\n");
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dir_ / "a" / "report.json")));
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dir_ / "b" / "hop")));
  EXPECT_EQ(read(dir_ / "b" / "report.json"), "new\n");
  EXPECT_EQ(entries(dir_ / "a"), std::vector<std::string>{"report.json"});
  EXPECT_EQ(entries(dir_ / "b"), (std::vector<std::string>{"hop", "report.json"}));
}

TEST_F(ReportWriterTest, DanglingSymlinkCreatesTheFileItNames) {
  fs::create_directory(dir_ / "out");
  fs::create_symlink("out/new.json", dir_ / "link.json");
  write_report((dir_ / "link.json").string(), "{}\n");
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dir_ / "link.json")));
  EXPECT_EQ(read(dir_ / "out" / "new.json"), "{}\n");
  EXPECT_EQ(mode_of(dir_ / "out" / "new.json"), 0644u);
  EXPECT_EQ(entries(dir_ / "out"), std::vector<std::string>{"new.json"});
}

TEST_F(ReportWriterTest, SymlinkToADirectoryIsRefusedAndStaysALink) {
  fs::create_directory(dir_ / "sub");
  fs::create_symlink("sub", dir_ / "link");
  EXPECT_THROW(write_report((dir_ / "link").string(), "{}\n"), std::runtime_error);
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dir_ / "link")));
  EXPECT_TRUE(entries(dir_ / "sub").empty());
}

TEST_F(ReportWriterTest, DashWritesToTheConsoleAndCreatesNoFile) {
  const auto cwd = fs::current_path();
  fs::current_path(dir_);
  std::ostringstream console;
  write_report("-", "the report\n", console);
  fs::current_path(cwd);
  EXPECT_EQ(console.str(), "the report\n");
  EXPECT_TRUE(entries(dir_).empty());
}

TEST_F(ReportWriterTest, CharacterDeviceIsWrittenStraightThrough) {
  std::ostringstream console;
  write_report(kDevNull, "the report\n", console);
  EXPECT_EQ(console.str(), "");
  EXPECT_TRUE(fs::is_character_file(fs::symlink_status(kDevNull)));
}

TEST_F(ReportWriterTest, FullDeviceThrowsNoSpaceLeftOnDevice) {
  try {
    write_report(kDevFull, "the report\n");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_THAT(what, HasSubstr(std::string("cannot write the report to '") + kDevFull + "'"));
    EXPECT_THAT(what, HasSubstr("No space left on device"));
    EXPECT_EQ(what.find('\n'), std::string::npos);
  }
  EXPECT_TRUE(fs::is_character_file(fs::symlink_status(kDevFull)));
}

TEST_F(ReportWriterTest, FifoWithAReaderGetsTheReport) {
  const auto fifo = dir_ / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  write_report(fifo.string(), "through the fifo\n");
  EXPECT_EQ(read_all_nonblocking(reader), "through the fifo\n");
  ::close(reader);
  EXPECT_TRUE(fs::is_fifo(fs::symlink_status(fifo)));
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"fifo"});
}

TEST_F(ReportWriterTest, FifoWithoutAReaderIsRefusedAtOnce) {
  const auto fifo = dir_ / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  try {
    write_report(fifo.string(), "nobody reads this\n");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("no process has it open for reading"));
  }
  EXPECT_TRUE(fs::is_fifo(fs::symlink_status(fifo)));
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"fifo"});
}

TEST_F(ReportWriterTest, SocketIsRefusedAndLeftAlone) {
  const auto path = dir_ / "sock";
  const int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(s, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(path.string().size(), sizeof addr.sun_path);
  std::strcpy(addr.sun_path, path.c_str());
  ASSERT_EQ(::bind(s, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_THROW(write_report(path.string(), "{}\n"), std::runtime_error);
  ::close(s);
  EXPECT_TRUE(fs::is_socket(fs::symlink_status(path)));
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"sock"});
}

// A write that fails half way (here: past the file size limit, RLIMIT_FSIZE, which also raises
// SIGXFSZ) is an error like any other: the old report stays and the temporary file goes.
TEST_F(ReportWriterTest, FailedWriteKeepsTheOldReportAndLeavesNoTemporaryFile) {
  const auto path = dir_ / "report.json";
  std::ofstream(path) << "the old report\n";
  EXPECT_EXIT(
      {
        rlimit small{};
        small.rlim_cur = 1024;
        small.rlim_max = RLIM_INFINITY;
        ::setrlimit(RLIMIT_FSIZE, &small);
        bool reported = false;
        try {
          write_report(path.string(), std::string(64 * 1024, 'x'));
        } catch (const std::runtime_error& e) {
          reported = std::string(e.what()).find("File too large") != std::string::npos;
        }
        std::_Exit(reported ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
  EXPECT_EQ(read(path), "the old report\n");
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"report.json"});
}

// SIGTERM (or Ctrl-C) while the report is being written waits until the temporary file has
// been renamed into place, then ends the program as it would have: never a temporary file left,
// never half a report.
TEST_F(ReportWriterTest, StopSignalDuringTheWriteLeavesTheWholeReportAndNoTemporaryFile) {
  const auto path = dir_ / "big.txt";
  const std::string content(64 << 20, 'x');
  EXPECT_EXIT(
      {
        // The check's probe file comes and goes before the watcher looks; the watcher then
        // signals the process as soon as the writer's temporary file shows up.
        OutputTarget target(path.string());
        std::thread watcher([this] {
          const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
          while (std::chrono::steady_clock::now() < deadline) {
            for (const auto& name : entries(dir_)) {
              if (name.starts_with(".big.txt.")) {
                ::kill(::getpid(), SIGTERM);
                return;
              }
            }
          }
        });
        write_report(target, content);
        watcher.join();
        std::_Exit(0);  // the watcher never saw the temporary file: the test proves nothing
      },
      ::testing::KilledBySignal(SIGTERM), "");
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"big.txt"});
  EXPECT_EQ(fs::file_size(path), content.size());
}

// The check before the run and the write after it go through one OutputTarget.

TEST_F(ReportWriterTest, TargetOfAFileIsCheckedWithAProbeThatLeavesNothing) {
  const auto path = dir_ / "report.json";
  const OutputTarget target(path.string());
  EXPECT_EQ(target.problem(), std::nullopt);
  EXPECT_EQ(target.kind(), OutputTarget::Kind::file);
  EXPECT_EQ(target.file(), path.string());
  EXPECT_TRUE(entries(dir_).empty()) << "the probe file was left";
}

TEST_F(ReportWriterTest, TargetOfALinkIsTheFileItNames) {
  fs::create_symlink("real.json", dir_ / "link.json");
  const OutputTarget target((dir_ / "link.json").string());
  EXPECT_EQ(target.problem(), std::nullopt);
  EXPECT_EQ(target.kind(), OutputTarget::Kind::file);
  EXPECT_EQ(fs::path(target.file()), dir_ / "real.json");
}

TEST_F(ReportWriterTest, TargetInProcIsRefusedAndTheProbeLeavesNothing) {
  const OutputTarget target("/proc/hload-report-test.json");
  ASSERT_TRUE(target.problem().has_value());
  EXPECT_THAT(*target.problem(), HasSubstr("cannot create a file in '/proc'"));
  EXPECT_FALSE(fs::exists("/proc/hload-report-test.json"));
}

TEST_F(ReportWriterTest, TargetInADirectoryWithoutWritePermissionIsRefused) {
  const auto locked = dir_ / "locked";
  fs::create_directory(locked);
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read |
                              fs::perms::others_exec);
  // Root may write anywhere, so the check runs in a child process that is nobody (65534).
  EXPECT_EXIT(
      {
        if (::geteuid() == 0 && ::setuid(65534) != 0) std::_Exit(2);
        const OutputTarget target((locked / "report.json").string());
        const bool refused =
            target.problem() && target.problem()->find("Permission denied") != std::string::npos;
        std::_Exit(refused ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
  EXPECT_TRUE(entries(locked).empty());
}

TEST_F(ReportWriterTest, TargetOfAFifoHoldsItOpenSoItsReaderSeesTheWholeReport) {
  const auto fifo = dir_ / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  OutputTarget target(fifo.string());
  ASSERT_EQ(target.problem(), std::nullopt);
  EXPECT_EQ(target.kind(), OutputTarget::Kind::stream);
  // While the run goes on, the reader waits (EAGAIN) rather than seeing an end of file (0).
  char c = 0;
  EXPECT_EQ(::read(reader, &c, 1), -1);
  EXPECT_EQ(errno, EAGAIN);
  write_report(target, "after the run\n");
  EXPECT_EQ(read_all_nonblocking(reader), "after the run\n");
  ::close(reader);
}

TEST_F(ReportWriterTest, FifoWhoseReaderLeftDuringTheRunIsAWriteErrorNotADeath) {
  const auto fifo = dir_ / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  OutputTarget target(fifo.string());
  ASSERT_EQ(target.problem(), std::nullopt);
  ::close(reader);
  // Without the writer's care this write raises SIGPIPE and ends the test program.
  try {
    write_report(target, "nobody reads this\n");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("Broken pipe"));
  }
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGPIPE)) << "the writer left a SIGPIPE pending";
}

// /proc/self/fd/N names an open descriptor: the report goes through it, after what the file
// it is open on already holds, and that file is not replaced.
TEST_F(ReportWriterTest, DescriptorLinkIsWrittenThroughWithoutReplacingTheFile) {
  const auto path = dir_ / "log.txt";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "before\n", 7), 7);
  struct stat before {};
  ASSERT_EQ(::fstat(fd, &before), 0);
  write_report("/proc/self/fd/" + std::to_string(fd), "the report\n");
  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  ::close(fd);
  EXPECT_EQ(after.st_ino, before.st_ino) << "the file was replaced";
  EXPECT_EQ(read(path), "before\nthe report\n");
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"log.txt"});
}

TEST_F(ReportWriterTest, TargetWithAProblemIsNotWritten) {
  fs::create_directory(dir_ / "sub");
  OutputTarget target((dir_ / "sub").string());
  ASSERT_TRUE(target.problem().has_value());
  EXPECT_EQ(*target.problem(), "it is a directory");
  try {
    write_report(target, "{}\n");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("it is a directory"));
  }
  EXPECT_TRUE(entries(dir_ / "sub").empty());
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
