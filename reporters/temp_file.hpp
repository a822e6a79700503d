#pragma once

// The temporary file a report is written to before it is renamed over the report file. It lives
// in the same directory, because rename is atomic only within one file system, under a hidden
// name (".report.json.a1B2c3"), so that globs such as *.json do not pick up half a report.

#include <sys/types.h>

#include <string>

namespace hload::reporters {

// TempFile creates a new file and owns it until it has been renamed into place; on every other
// way out it closes and removes it, so that a failed write leaves nothing behind.
class TempFile {
 public:
  // TempFile creates a file named after target_name in dir with mode, less the umask (open
  // applies it). When that fails, fd() is negative and errno says why.
  TempFile(const std::string& dir, const std::string& target_name, mode_t mode);
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();

  // fd is the open descriptor, write only; negative when the file could not be created.
  int fd() const noexcept { return fd_; }
  // path is where the file is, for messages.
  const std::string& path() const noexcept { return path_; }
  // close_fd closes the descriptor and says whether that worked: some file systems report a
  // deferred write error only here. errno says why it failed.
  bool close_fd();
  // rename_over renames the file to target, which it then no longer removes. errno says why it
  // failed.
  bool rename_over(const std::string& target);

 private:
  std::string path_;
  int fd_ = -1;
  bool created_ = false;  // the file exists and is ours to remove
};

}  // namespace hload::reporters
