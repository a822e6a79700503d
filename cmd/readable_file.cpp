#include "cmd/readable_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "cmd/usage_error.hpp"

namespace hload::cli {

void check_readable_file(std::string_view flag, const std::string& path) {
  const auto fail = [&](int error) {
    throw UsageError(std::string(flag) + ": cannot read " + quote(path) + ": " +
                     std::strerror(error));
  };
  if (path.empty()) throw UsageError(std::string(flag) + " wants a file name (got \"\")");
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) fail(errno);
  // A directory opens, then fails to read with EISDIR.
  char byte;
  if (std::fread(&byte, 1, 1, file.get()) == 0 && std::ferror(file.get())) fail(errno);
}

}  // namespace hload::cli
