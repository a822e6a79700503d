#include "cmd/usage_error.hpp"

#include <cstdio>

namespace hload::cli {

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;  // bytes >= 0x80 pass through: they are UTF-8 in a terminal
    }
  }
  return out;
}

std::string quote(std::string_view text) { return '"' + printable(text) + '"'; }

}  // namespace hload::cli
