#include "reporters/report_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "reporters/histogram_report.hpp"
#include "reporters/json_report.hpp"
#include "reporters/temp_file.hpp"
#include "reporters/text_report.hpp"
#include "reporters/write_signals.hpp"

namespace hload::reporters {

namespace {

// kNewFileMode is a new report's mode before the umask: a report is usually read by others (CI
// artifacts).
constexpr mode_t kNewFileMode = 0644;

[[noreturn]] void fail(const std::string& path, const std::string& cause) {
  throw std::runtime_error("cannot write the report to '" + path + "': " + cause);
}

// failure is what failed, on which file, and the system's reason err.
std::string failure(const char* what, const std::string& file, int err) {
  return std::string(what) + " '" + file + "': " + std::strerror(err);
}

bool write_all(int fd, const std::string& content) {
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) {  // no progress and no errno: report it as an I/O error
      errno = EIO;
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

// sync_directory makes the rename itself durable. Best effort: some file systems refuse to
// sync a directory, and the report is complete and in place either way.
void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void write_console(const std::string& content, std::ostream& console) {
  errno = 0;
  console << content << std::flush;
  if (console) return;
  // The stream keeps no error code; errno is the one its failed write left, when there is one.
  const int err = errno;
  throw std::runtime_error(std::string("cannot write the report to standard output") +
                           (err != 0 ? std::string(": ") + std::strerror(err) : ""));
}

void write_stream(OutputTarget& output, const std::string& content) {
  const WriteSignalBlock block;  // a FIFO whose reader left: EPIPE, reported
  if (!write_all(output.stream_fd(), content)) {
    const int err = errno;
    output.close_stream();
    fail(output.path(), std::strerror(err));
  }
  if (!output.close_stream()) {
    const int err = errno;
    fail(output.path(), std::strerror(err));
  }
}

void write_file(const OutputTarget& output, const std::string& content) {
  // Declared before the temporary file, so they outlive it: a stop signal waits until the file
  // has been renamed or removed, and past a file size limit the write fails with EFBIG instead
  // of SIGXFSZ ending the program with the file still there.
  const StopSignalDeferral defer;
  const WriteSignalBlock block;
  const std::string& file = output.file();
  const std::filesystem::path target(file);
  const std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  // A replaced file keeps its mode (the stat follows no link: file is past the links).
  struct stat old {};
  const bool replacing = ::lstat(file.c_str(), &old) == 0 && S_ISREG(old.st_mode);
  const mode_t mode = replacing ? (old.st_mode & 07777) : kNewFileMode;
  TempFile tmp(dir, target.filename().string(), mode);
  // check reads errno before it builds the message, whose allocations could change it.
  const auto check = [&output](bool ok, const char* what, const std::string& about) {
    if (ok) return;
    const int err = errno;
    fail(output.path(), failure(what, about, err));
  };
  check(tmp.fd() >= 0, "cannot create a temporary file in", dir);
  // open applied the umask; a replaced file's mode is kept exactly as it was.
  if (replacing) check(::fchmod(tmp.fd(), mode) == 0, "cannot set the mode of", tmp.path());
  check(write_all(tmp.fd(), content), "cannot write", tmp.path());
  check(::fsync(tmp.fd()) == 0, "cannot flush", tmp.path());
  check(tmp.close_fd(), "cannot close", tmp.path());
  check(tmp.rename_over(file), "cannot rename into place", tmp.path());
  sync_directory(dir);
}

}  // namespace

std::string render(const engine::RunResult& r, engine::OutputFormat format) {
  std::ostringstream out;
  switch (format) {
    case engine::OutputFormat::text:
      write_text(out, r);
      break;
    case engine::OutputFormat::json:
      out << to_json(r).dump(2) << "\n";
      break;
    case engine::OutputFormat::histogram:
      write_histograms(out, r);
      break;
  }
  return out.str();
}

void write_report(OutputTarget& output, const std::string& content, std::ostream& console) {
  if (output.problem()) fail(output.path(), *output.problem());
  switch (output.kind()) {
    case OutputTarget::Kind::console:
      write_console(content, console);
      break;
    case OutputTarget::Kind::stream:
      write_stream(output, content);
      break;
    case OutputTarget::Kind::file:
      write_file(output, content);
      break;
  }
}

void write_report(const std::string& path, const std::string& content, std::ostream& console) {
  OutputTarget output(path);
  write_report(output, content, console);
}

}  // namespace hload::reporters
