#include "engine/redirect.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "engine/engine_errors.hpp"
#include "engine/http_text.hpp"

namespace hload::engine {

std::variant<Target, pool::error_code> redirect_target(const RunConfig& run, const Target& from,
                                                       unsigned status, std::string_view location) {
  const auto base = boost::urls::parse_uri(from.url);
  const auto ref = boost::urls::parse_uri_reference(location);
  if (!base || !ref) return make_error_code(EngineErrc::bad_redirect);
  boost::urls::url next;
  if (const auto r = boost::urls::resolve(*base, *ref, next); !r) {
    return make_error_code(EngineErrc::bad_redirect);
  }
  next.remove_fragment();

  RunConfig cfg = run;
  cfg.url = std::string(next.buffer());
  cfg.method = from.method;
  // The Host of -host names the first host only; a redirect's host is its URL's.
  cfg.host_header.clear();
  const bool becomes_get = (status == 301 || status == 302 || status == 303) &&
                           cfg.method != "GET" && cfg.method != "HEAD";
  if (becomes_get) {
    cfg.method = "GET";
    cfg.body.clear();
  }
  if (next.host_address() != base->host_address() || next.port_number() != base->port_number()) {
    // Credentials go only to the host they were given for (Go drops them the same way).
    cfg.basic_auth.clear();
    std::erase_if(cfg.headers, [](const std::string& h) {
      const auto name = std::string_view(h).substr(0, h.find(':'));
      return iequals(trim_ows(name), "Authorization") || iequals(trim_ows(name), "Cookie");
    });
  }
  try {
    return make_target(cfg);
  } catch (const TargetError&) {
    return make_error_code(EngineErrc::bad_redirect);
  }
}

}  // namespace hload::engine
