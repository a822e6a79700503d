#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace hload::pool {

// ConnKey is what connections are pooled by: two requests with equal keys may share
// connections, requests with different keys never do (Go's connectMethodKey).
struct ConnKey {
  std::string scheme;  // "http" or "https"
  std::string host;    // host name as written in the URL (lower case) or an IP literal
  std::uint16_t port = 0;
  std::string proxy;  // proxy URL, empty for a direct connection
  bool h1_only = false;

  // to_string names the key in reports, e.g. "http://127.0.0.1:18080".
  std::string to_string() const;

  // NOLINTNEXTLINE(modernize-use-nullptr): the defaulted <=> compares with 0, not a pointer.
  auto operator<=>(const ConnKey&) const = default;
};

}  // namespace hload::pool
