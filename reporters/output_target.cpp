#include "reporters/output_target.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "reporters/temp_file.hpp"
#include "reporters/write_signals.hpp"

namespace hload::reporters {
namespace {

namespace fs = std::filesystem;

// kMaxLinks is the kernel's own limit on the links followed in one lookup.
constexpr int kMaxLinks = 40;

std::string parent_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

// on_procfs says whether dir is in procfs, whose links (/proc/self/fd/1) lead to open
// descriptors, often to something with no name at all ("pipe:[1234]").
bool on_procfs(const std::string& dir) {
  struct statfs fs_info {};
  return ::statfs(dir.c_str(), &fs_info) == 0 && fs_info.f_type == PROC_SUPER_MAGIC;
}

// refusal says why a file of type (st_mode & S_IFMT) takes no report; nullopt when it can.
std::optional<std::string> refusal(mode_t type) {
  switch (type) {
    case S_IFREG:
    case S_IFCHR:
    case S_IFIFO:
      return std::nullopt;
    case S_IFDIR:
      return "it is a directory";
    case S_IFSOCK:
      return "it is a socket";
    case S_IFBLK:
      return "it is a block device";
    default:
      return "it is not a file, a character device or a FIFO";
  }
}

// cause is what failed and the system's reason; callers save errno before building what.
std::string cause(const std::string& what, int err) { return what + ": " + std::strerror(err); }

}  // namespace

OutputTarget::OutputTarget(std::string path) : path_(std::move(path)) {
  if (path_.empty() || path_ == "-") return;
  resolve();
}

OutputTarget::OutputTarget(OutputTarget&& other) noexcept
    : path_(std::move(other.path_)),
      kind_(other.kind_),
      file_(std::move(other.file_)),
      fd_(std::exchange(other.fd_, -1)),
      problem_(std::move(other.problem_)) {}

OutputTarget& OutputTarget::operator=(OutputTarget&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    kind_ = other.kind_;
    file_ = std::move(other.file_);
    fd_ = std::exchange(other.fd_, -1);
    problem_ = std::move(other.problem_);
  }
  return *this;
}

OutputTarget::~OutputTarget() {
  if (fd_ >= 0) ::close(fd_);
}

bool OutputTarget::close_stream() {
  const int fd = std::exchange(fd_, -1);
  return fd < 0 || ::close(fd) == 0;
}

void OutputTarget::resolve() {
  // Only the last component is followed here, link by link: the directories on the way are
  // the kernel's to resolve, and rename replaces the last component itself, so it must be the
  // file at the end of the links, never a link.
  std::string at = path_;
  for (int links = 0;; ++links) {
    struct stat st {};
    if (::lstat(at.c_str(), &st) != 0) {
      const int err = errno;
      if (err != ENOENT) {
        problem_ = std::strerror(err);
        return;
      }
      // Nothing there (or a dangling link's target): a new file, if the directory takes one.
      const fs::path name = fs::path(at).filename();
      if (name.empty() || name == "." || name == "..") {
        problem_ = "it names a directory";
        return;
      }
      kind_ = Kind::file;
      file_ = at;
      probe_directory();
      return;
    }
    if (S_ISLNK(st.st_mode)) {
      if (on_procfs(parent_of(at))) {
        // A descriptor's link: what it is open on may have no path, so open the link itself.
        struct stat target {};
        if (::stat(at.c_str(), &target) != 0) {
          const int err = errno;
          problem_ = cause("cannot open it", err);
          return;
        }
        problem_ = refusal(target.st_mode & S_IFMT);
        if (problem_) return;
        kind_ = Kind::stream;
        file_ = at;
        // A file behind a descriptor is continued, as writing to that descriptor would:
        // `hload -output /dev/stdout >> log` keeps the log.
        open_stream(S_ISREG(target.st_mode), target.st_mode & S_IFMT);
        return;
      }
      if (links == kMaxLinks) {
        problem_ = std::strerror(ELOOP);
        return;
      }
      std::error_code ec;
      const fs::path next = fs::read_symlink(at, ec);
      if (ec) {
        problem_ = "cannot read the link '" + at + "': " + ec.message();
        return;
      }
      at = next.is_absolute() ? next.string() : (fs::path(parent_of(at)) / next).string();
      continue;
    }
    problem_ = refusal(st.st_mode & S_IFMT);
    if (problem_) return;
    file_ = at;
    if (S_ISREG(st.st_mode)) {
      kind_ = Kind::file;
      probe_directory();
    } else {
      kind_ = Kind::stream;
      open_stream(false, st.st_mode & S_IFMT);
    }
    return;
  }
}

void OutputTarget::open_stream(bool append, mode_t expected_type) {
  // O_NONBLOCK: opening a FIFO for writing otherwise waits for a reader, maybe forever; with it
  // the open fails at once (ENXIO) when there is none. The descriptor then blocks again, so
  // that the report is written whole however slowly it is read.
  const int flags = O_WRONLY | O_NOCTTY | O_CLOEXEC | (append ? O_APPEND : 0);
  fd_ = ::open(file_.c_str(), flags | O_NONBLOCK);
  if (fd_ < 0) {
    const int err = errno;
    problem_ = err == ENXIO && expected_type == S_IFIFO ? "no process has it open for reading"
                                                        : cause("cannot open it", err);
    return;
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || (st.st_mode & S_IFMT) != expected_type) {
    problem_ = "it changed while it was being opened";
  } else if (::fcntl(fd_, F_SETFL, flags) != 0) {
    const int err = errno;
    problem_ = cause("cannot make it blocking", err);
  }
  if (problem_) close_stream();
}

void OutputTarget::probe_directory() {
  // The report will be a new file in this directory renamed over file_; only creating one
  // shows whether the directory takes it. The deferral keeps a Ctrl-C from leaving the probe.
  const std::string dir = parent_of(file_);
  const StopSignalDeferral defer;
  const TempFile probe(dir, fs::path(file_).filename().string(), 0600);
  if (probe.fd() < 0) {
    const int err = errno;
    problem_ = cause("cannot create a file in '" + dir + "'", err);
  }
}

}  // namespace hload::reporters
