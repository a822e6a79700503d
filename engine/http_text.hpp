#pragma once

// Small helpers for HTTP's text: header names compare without case, values lose the optional
// white space around them (RFC 9110 §5.5). Shared by the request builder and the built-in server.

#include <algorithm>
#include <cctype>
#include <string_view>

namespace hload::engine {

// iequals compares two ASCII strings ignoring case.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// trim_ows drops spaces and tabs at both ends.
inline std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace hload::engine
