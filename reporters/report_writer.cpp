#include "reporters/report_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "reporters/histogram_report.hpp"
#include "reporters/json_report.hpp"
#include "reporters/text_report.hpp"

namespace hload::reporters {

namespace {

// TempFile owns the temporary file until it has been renamed into place; on any other way
// out it closes and removes it, so that a failed write leaves nothing behind.
class TempFile {
 public:
  explicit TempFile(std::string path_template) : path_(std::move(path_template)) {
    std::vector<char> buf(path_.begin(), path_.end());
    buf.push_back('\0');
    fd_ = ::mkstemp(buf.data());
    if (fd_ >= 0) path_ = buf.data();
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!renamed_ && fd_ != kNeverOpened) ::unlink(path_.c_str());
  }

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // close_fd closes the descriptor and reports whether the close succeeded (a deferred write
  // error can surface only here on some file systems).
  bool close_fd() {
    const int fd = fd_;
    fd_ = kClosed;
    return ::close(fd) == 0;
  }
  void mark_renamed() { renamed_ = true; }

 private:
  static constexpr int kNeverOpened = -1;  // mkstemp's failure value
  static constexpr int kClosed = -2;
  std::string path_;
  int fd_ = kNeverOpened;
  bool renamed_ = false;
};

[[noreturn]] void fail(const std::string& path, const std::string& what, int err) {
  throw std::runtime_error("cannot write the report to '" + path + "': " + what + ": " +
                           std::strerror(err));
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

void write_report_atomically(const std::string& path, const std::string& content) {
  if (path.empty()) throw std::runtime_error("cannot write the report: no file name given");
  const std::filesystem::path target(path);
  const std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  // A hidden name in the same directory: rename is atomic only within one file system, and
  // globs such as *.json do not pick up a half-written report.
  TempFile tmp(dir + "/." + target.filename().string() + ".XXXXXX");
  // check reads errno before it builds the message, whose allocations could change it.
  const auto check = [&path](bool ok, const char* what, const std::string& file) {
    if (ok) return;
    const int err = errno;
    fail(path, std::string(what) + " '" + file + "'", err);
  };
  check(tmp.fd() >= 0, "cannot create a temporary file in", dir);

  // mkstemp creates the file 0600; a report is usually read by others (CI artifacts).
  struct stat old {};
  const mode_t mode = ::stat(path.c_str(), &old) == 0 ? (old.st_mode & 07777) : 0644;
  check(::fchmod(tmp.fd(), mode) == 0, "cannot set the mode of", tmp.path());
  check(write_all(tmp.fd(), content), "cannot write", tmp.path());
  check(::fsync(tmp.fd()) == 0, "cannot flush", tmp.path());
  check(tmp.close_fd(), "cannot close", tmp.path());
  check(::rename(tmp.path().c_str(), path.c_str()) == 0, "cannot rename into place", tmp.path());
  tmp.mark_renamed();
  sync_directory(dir);
}

void write_report(const std::string& path, const std::string& content, std::ostream& console) {
  if (!path.empty()) {
    write_report_atomically(path, content);
    return;
  }
  console << content << std::flush;
  if (!console) throw std::runtime_error("cannot write the report to standard output");
}

}  // namespace hload::reporters
