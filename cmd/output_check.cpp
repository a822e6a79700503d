#include "cmd/output_check.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "cmd/usage_error.hpp"

namespace hload::cli {
namespace {

std::string problem(const std::string& path, const std::string& cause) {
  return "-output: cannot write the report to " + quote(path) + ": " + cause;
}

}  // namespace

std::optional<std::string> output_file_problem(const std::string& path) {
  // The report is written to a temporary file in the same directory and renamed over path
  // (reporters/report_writer.hpp), so it is the directory that must take a new file.
  const std::filesystem::path target(path);
  const std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return problem(path, "it is a directory");
  }
  if (::stat(dir.c_str(), &st) != 0) {
    const int err = errno;
    return problem(path, quote(dir) + ": " + std::strerror(err));
  }
  if (!S_ISDIR(st.st_mode)) return problem(path, quote(dir) + " is not a directory");
  // AT_EACCESS: the effective ids decide what the run may create, as they will for the writer.
  if (::faccessat(AT_FDCWD, dir.c_str(), W_OK | X_OK, AT_EACCESS) != 0) {
    const int err = errno;
    return problem(path, "cannot create files in " + quote(dir) + ": " + std::strerror(err));
  }
  return std::nullopt;
}

}  // namespace hload::cli
