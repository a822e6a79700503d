#pragma once

// How a mistake on the command line is reported: as one line, before any request is sent.

#include <stdexcept>
#include <string>
#include <string_view>

namespace hload::cli {

// UsageError is a mistake on the command line. Its what() is one line for the user, without the
// "hload: " prefix that the caller prints before it. Only cmd/ throws it, and
// parse_command_line turns it into a value: no exception leaves the parser.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// printable returns text with control characters escaped (\n, \t, \xNN), so that a value the
// user typed cannot break an error message over several lines.
std::string printable(std::string_view text);

// quote returns printable(text) in double quotes, for values that may be empty or contain
// spaces.
std::string quote(std::string_view text);

}  // namespace hload::cli
