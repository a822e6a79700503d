#include "cmd/body_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "cmd/usage_error.hpp"

namespace hload::cli {
namespace {

[[noreturn]] void fail(const std::string& path, int error) {
  throw UsageError("-D: cannot read " + quote(path) + ": " + std::strerror(error));
}

}  // namespace

std::string read_body_file(const std::string& path) {
  // stdio rather than iostreams: fopen and fread report why they failed in errno.
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) fail(path, errno);
  std::string body;
  char chunk[64 * 1024];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, file.get())) > 0) body.append(chunk, n);
  if (std::ferror(file.get())) fail(path, errno);  // a directory opens, then fails with EISDIR
  return body;
}

}  // namespace hload::cli
