#pragma once

// The request body of -D, read whole before the run starts.

#include <string>

namespace hload::cli {

// read_body_file returns the bytes of the file at path. Throws UsageError naming the file and
// the system's reason ("-D: cannot read \"body.json\": No such file or directory").
std::string read_body_file(const std::string& path);

}  // namespace hload::cli
