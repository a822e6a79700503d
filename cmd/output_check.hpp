#pragma once

// The -output file is checked before the run: a report that cannot be written must be refused
// before the first request (exit status 2, "the run could not start"), not after a long run whose
// numbers would then be lost.

#include <optional>
#include <string>

namespace hload::cli {

// output_file_problem says, in one line without the "hload: " prefix, why no report could be
// written to path: its directory is missing, is not a directory, or may not be written in; or
// path is itself a directory. nullopt when none of these holds. What only shows while writing
// (a full disk, the directory removed during the run) is still reported by the report writer.
std::optional<std::string> output_file_problem(const std::string& path);

}  // namespace hload::cli
