#pragma once

#include <string>
#include <string_view>

namespace hload::cli {

// check_readable_file refuses, with a UsageError that names flag, a path that cannot be opened
// and read as a file (missing, unreadable, a directory), so that a run with a bad -cacert, -cert
// or -key stops before it starts. What the file holds is checked when it is loaded.
void check_readable_file(std::string_view flag, const std::string& path);

}  // namespace hload::cli
