#pragma once

// The little of HTTP's grammar (RFC 9110) the command line checks, so that a method or header
// the user typed cannot produce a malformed request or smuggle a second header into it.

#include <string_view>

namespace hload::cli {

// is_token says whether text is an RFC 9110 token (1*tchar): the syntax of methods and header
// names.
bool is_token(std::string_view text);

// breaks_line says whether text holds CR, LF or NUL, which would end a header line early.
bool breaks_line(std::string_view text);

}  // namespace hload::cli
