#pragma once

// Paths into the JSON report, the left-hand side of a CI gate: `summary.dropped`,
// `hosts.*.dials` (every key of an object), `hosts["http://api:8080"].wait_permit.p99_ms`
// (a quoted key, in double or single quotes). Paths name any field, so fields added to the
// report later need no change here.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hload::reporters {

// PathSegment is one step of a path: one key of an object, or every key of it.
struct PathSegment {
  std::string key;        // the key; empty for a wildcard
  bool wildcard = false;  // `*`: every key of the object, in the object's order
};

// ReportPath is a path from the report's top level down to one field, or to several through
// wildcards.
using ReportPath = std::vector<PathSegment>;

// parse_report_path consumes a path from the front of text and leaves text at the first
// character after it: blank space, an operator character (< > = !) or the end. Throws
// std::invalid_argument with a one-line message naming the bad part, in the form
// `expected WHAT after "PARSED", got "REST"`.
ReportPath parse_report_path(std::string_view& text);

// to_string writes path back in the syntax parse_report_path reads, keys that are not plain
// names (letters, digits, _ and -) in double quotes: hosts["http://a:80"].dials, hosts.*.dials.
std::string to_string(const ReportPath& path);

// has_wildcard says whether path has a `*` segment.
bool has_wildcard(const ReportPath& path);

// PathMatch is one field a path reached: its concrete path (wildcards replaced by keys) and
// its value, which points into the report resolve_report_path was given.
struct PathMatch {
  ReportPath path;
  const nlohmann::ordered_json* value = nullptr;
};

// resolve_report_path returns every field of report that path reaches, expanding each wildcard
// over the keys of the object it meets, in order; a wildcard over an empty object reaches
// nothing. The fields reached may be of any type. Throws std::invalid_argument naming the first
// part that did not resolve: `unknown field "summary.p99" (summary has no "p99")`, or
// `unknown field "summary.rps.x" (summary.rps is a number, not an object)`.
std::vector<PathMatch> resolve_report_path(const ReportPath& path,
                                           const nlohmann::ordered_json& report);

}  // namespace hload::reporters
