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
#include "reporters/html_report.hpp"
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

bool write_all(int fd, std::string_view content) {
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
    case engine::OutputFormat::csv:
      break;  // written request by request during the run (csv_report.hpp)
    case engine::OutputFormat::html:
      out << render_html(to_json(r));
      break;
  }
  return out.str();
}

ReportSink::ReportSink(OutputTarget& output, std::ostream& console)
    : output_(output), console_(console) {
  if (output_.problem()) fail(output_.path(), *output_.problem());
  if (output_.kind() != OutputTarget::Kind::file) return;
  const std::string& file = output_.file();
  const std::filesystem::path target(file);
  dir_ = target.has_parent_path() ? target.parent_path().string() : ".";
  // A replaced file keeps its mode (the stat follows no link: file is past the links).
  struct stat old {};
  const bool replacing = ::lstat(file.c_str(), &old) == 0 && S_ISREG(old.st_mode);
  const mode_t mode = replacing ? (old.st_mode & 07777) : kNewFileMode;
  defer_.emplace();
  tmp_.emplace(dir_, target.filename().string(), mode);
  check(tmp_->fd() >= 0, "cannot create a temporary file in", dir_);
  // open applied the umask; a replaced file's mode is kept exactly as it was.
  if (replacing) check(::fchmod(tmp_->fd(), mode) == 0, "cannot set the mode of", tmp_->path());
}

ReportSink::~ReportSink() = default;

void ReportSink::check(bool ok, const char* what, const std::string& about) const {
  if (ok) return;
  // errno is read before the message is built, whose allocations could change it.
  const int err = errno;
  fail(output_.path(), failure(what, about, err));
}

void ReportSink::append(std::string_view bytes) {
  if (!error_.empty() || bytes.empty()) return;
  // Past a file size limit, or with a FIFO's reader gone, a write fails (EFBIG, EPIPE) rather
  // than raising a signal that would end the program without a word.
  const WriteSignalBlock block;
  errno = 0;
  bool ok = false;
  switch (output_.kind()) {
    case OutputTarget::Kind::console:
      console_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      ok = static_cast<bool>(console_);
      break;
    case OutputTarget::Kind::stream:
      ok = write_all(output_.stream_fd(), bytes);
      break;
    case OutputTarget::Kind::file:
      ok = write_all(tmp_->fd(), bytes);
      break;
  }
  if (ok) return;
  const int err = errno;
  switch (output_.kind()) {
    case OutputTarget::Kind::console:
      // The stream keeps no error code; errno is the one its failed write left, if any.
      error_ = std::string("cannot write the report to standard output") +
               (err != 0 ? std::string(": ") + std::strerror(err) : "");
      break;
    case OutputTarget::Kind::stream:
      error_ = "cannot write the report to '" + output_.path() + "': " + std::strerror(err);
      break;
    case OutputTarget::Kind::file:
      error_ = "cannot write the report to '" + output_.path() +
               "': " + failure("cannot write", tmp_->path(), err);
      break;
  }
}

void ReportSink::commit() {
  switch (output_.kind()) {
    case OutputTarget::Kind::console:
      if (!error_.empty()) throw std::runtime_error(error_);
      console_.flush();
      if (!console_) throw std::runtime_error("cannot write the report to standard output");
      return;
    case OutputTarget::Kind::stream: {
      // Closed in any case: it tells a FIFO's reader the report is over.
      const bool closed = output_.close_stream();
      const int err = errno;
      if (!error_.empty()) throw std::runtime_error(error_);
      errno = err;
      check(closed, "cannot close", output_.path());
      return;
    }
    case OutputTarget::Kind::file:
      break;
  }
  if (!error_.empty()) throw std::runtime_error(error_);
  check(::fsync(tmp_->fd()) == 0, "cannot flush", tmp_->path());
  check(tmp_->close_fd(), "cannot close", tmp_->path());
  check(tmp_->rename_over(output_.file()), "cannot rename into place", tmp_->path());
  sync_directory(dir_);
}

void write_report(OutputTarget& output, const std::string& content, std::ostream& console) {
  ReportSink sink(output, console);
  sink.append(content);
  sink.commit();
}

void write_report(const std::string& path, const std::string& content, std::ostream& console) {
  OutputTarget output(path);
  write_report(output, content, console);
}

}  // namespace hload::reporters
