#include "cmd/addresses.hpp"

#include <charconv>
#include <optional>
#include <string>

#include <boost/url/authority_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/scheme.hpp>
#include <boost/url/url_view.hpp>

#include "cmd/usage_error.hpp"

namespace hload::cli {
namespace {

namespace urls = boost::urls;

// valid_port says whether text, the digits after a host's ':', is a port a socket can use.
// Boost.URL's grammar allows any run of digits there, including none.
bool valid_port(std::string_view text) {
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  return ec == std::errc{} && end == text.data() + text.size() && port >= 1 && port <= 65535;
}

// parse_host_and_port parses "host[:port]" (no user information) or returns nullopt.
std::optional<urls::authority_view> parse_host_and_port(std::string_view text) {
  auto authority = urls::parse_authority(text);
  if (!authority || authority->has_userinfo() || authority->encoded_host().empty()) {
    return std::nullopt;
  }
  if (authority->has_port() && !valid_port(authority->port())) return std::nullopt;
  return *authority;
}

}  // namespace

void check_target_url(std::string_view url) {
  const std::string shown = quote(url);
  if (url.find("://") == std::string_view::npos) {
    throw UsageError("URL " + shown + " has no scheme (want http://host/... or https://host/...)");
  }
  const auto parsed = urls::parse_uri(url);
  if (!parsed) {
    // Boost.URL's reasons are single words ("leftover", "invalid"): say what they refer to.
    throw UsageError("malformed URL " + shown +
                     " (not RFC 3986 syntax: " + parsed.error().message() + ")");
  }
  if (parsed->scheme_id() != urls::scheme::http && parsed->scheme_id() != urls::scheme::https) {
    throw UsageError("unsupported scheme " + quote(parsed->scheme()) + " in URL " + shown +
                     " (want http or https)");
  }
  if (parsed->encoded_host().empty()) throw UsageError("URL " + shown + " has no host");
  if (parsed->has_port() && !valid_port(parsed->port())) {
    throw UsageError("bad port " + quote(parsed->port()) + " in URL " + shown + " (want 1-65535)");
  }
}

void check_h2c_url(std::string_view url) {
  const auto parsed = urls::parse_uri(url);
  if (parsed && parsed->scheme_id() == urls::scheme::https) {
    throw UsageError("-h2c speaks HTTP/2 over cleartext and wants an http:// URL (got " +
                     quote(url) + "); over TLS, -h2 asks the server by ALPN");
  }
}

void check_proxy_address(std::string_view address) {
  const auto authority = parse_host_and_port(address);
  if (!authority || !authority->has_port()) {
    throw UsageError("-x wants host:port with a port in 1-65535 (got " + quote(address) + ")");
  }
}

void check_host_header(std::string_view host) {
  if (!parse_host_and_port(host)) {
    throw UsageError("-host wants host or host:port, such as example.com:8080 (got " + quote(host) +
                     ")");
  }
}

}  // namespace hload::cli
