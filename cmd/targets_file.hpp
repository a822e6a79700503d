#pragma once

// The -targets file: many requests for one run, in vegeta's formats. Its HTTP format is a
// request per paragraph, "METHOD URL", then "Name: value" header lines and an optional
// "@FILE" body line, paragraphs apart by blank lines (lines starting with # are comments). Its
// JSON format is an object per line: {"method", "url", "header": {name: [values]}, "body":
// base64}. A file whose first character that is not a space is "{" is read as JSON.

#include <string>
#include <vector>

#include "engine/run_config.hpp"

namespace hload::cli {

// read_targets_file returns the targets of the file at path, at least one, in file order.
// Throws UsageError naming the file and line of the first mistake: `-targets "t.txt":3:
// expected "METHOD URL" (got "GETT")`.
std::vector<engine::TargetSpec> read_targets_file(const std::string& path);

}  // namespace hload::cli
