#include "reporters/temp_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <string_view>

namespace hload::reporters {
namespace {

// kAttempts bounds the search for a free name; a clash of six random characters is already
// unlikely once, and a directory someone fills with such names on purpose must not hang us.
constexpr int kAttempts = 100;
constexpr std::string_view kNameChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

std::string random_suffix() {
  std::random_device random;
  std::uniform_int_distribution<std::size_t> pick(0, kNameChars.size() - 1);
  std::string suffix(6, ' ');
  for (char& c : suffix) c = kNameChars[pick(random)];
  return suffix;
}

}  // namespace

TempFile::TempFile(const std::string& dir, const std::string& target_name, mode_t mode) {
  // mkstemp would do, but it creates the file 0600 whatever the umask says; open applies the
  // umask to mode. O_EXCL makes the name ours alone and refuses to follow a link planted there.
  for (int i = 0; i < kAttempts; ++i) {
    path_ = dir + "/." + target_name + "." + random_suffix();
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd_ >= 0) {
      created_ = true;
      return;
    }
    if (errno != EEXIST) return;
  }
}

TempFile::~TempFile() {
  if (fd_ >= 0) ::close(fd_);
  if (created_) ::unlink(path_.c_str());
}

bool TempFile::close_fd() {
  const int fd = fd_;
  fd_ = -1;
  return ::close(fd) == 0;
}

bool TempFile::rename_over(const std::string& target) {
  if (::rename(path_.c_str(), target.c_str()) != 0) return false;
  created_ = false;
  return true;
}

}  // namespace hload::reporters
