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
  // http is how connections for the key speak HTTP: HTTP/1.1 only; HTTP/2 when TLS's ALPN
  // agrees on it, else HTTP/1.1 (-h2); or HTTP/2 over cleartext with prior knowledge (-h2c).
  enum class Http : std::uint8_t { v1, v2_alpn, v2_prior_knowledge };
  Http http = Http::v1;

  // to_string names the key in reports, e.g. "http://127.0.0.1:18080".
  std::string to_string() const;

  // NOLINTNEXTLINE(modernize-use-nullptr): the defaulted <=> compares with 0, not a pointer.
  auto operator<=>(const ConnKey&) const = default;
};

}  // namespace hload::pool
