#include "engine/target.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

#include <boost/beast/core/detail/base64.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "engine/http_text.hpp"

namespace hload::engine {

namespace {

std::string base64(std::string_view in) {
  namespace b64 = boost::beast::detail::base64;
  std::string out(b64::encoded_size(in.size()), '\0');
  out.resize(b64::encode(out.data(), in.data(), in.size()));
  return out;
}

// HeaderList keeps headers in order; set replaces a header of the same name.
class HeaderList {
 public:
  void set(std::string_view name, std::string_view value) {
    for (auto& [n, v] : fields_) {
      if (iequals(n, name)) {
        v = value;
        return;
      }
    }
    fields_.emplace_back(std::string(name), std::string(value));
  }
  bool has(std::string_view name) const {
    return std::any_of(fields_.begin(), fields_.end(),
                       [&](const auto& f) { return iequals(f.first, name); });
  }
  // get returns the value of name, or nothing.
  std::string_view get(std::string_view name) const {
    for (const auto& [n, v] : fields_) {
      if (iequals(n, name)) return v;
    }
    return {};
  }
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  void append_to(std::string& out) const {
    for (const auto& [n, v] : fields_) {
      out.append(n).append(": ").append(v).append("\r\n");
    }
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// kNotForHttp2 are the header fields HTTP/2 forbids (RFC 9113 §8.2.2), and Host, which
// :authority replaces.
constexpr std::string_view kNotForHttp2[] = {"connection",        "keep-alive", "proxy-connection",
                                             "transfer-encoding", "upgrade",    "host"};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// add_h2_fields builds t's HTTP/2 header fields: the pseudo-header fields, then h's fields.
void add_h2_fields(Target& t, std::string_view authority, std::string_view path,
                   const HeaderList& h) {
  auto& s = t.h2_strings;
  s = {":method", t.method,         ":scheme", t.key.scheme, ":authority", std::string(authority),
       ":path",   std::string(path)};
  for (const auto& [name, value] : h.fields()) {
    std::string n = lower(name);
    if (std::find(std::begin(kNotForHttp2), std::end(kNotForHttp2), n) != std::end(kNotForHttp2)) {
      continue;
    }
    s.push_back(std::move(n));
    s.push_back(value);
  }
  // The views are taken once every string is in place.
  t.h2_fields.clear();
  for (std::size_t i = 0; i < s.size(); i += 2) t.h2_fields.push_back({s[i], s[i + 1]});
}

}  // namespace

Target make_target(const RunConfig& cfg) {
  auto parsed = boost::urls::parse_uri(cfg.url);
  if (!parsed) throw TargetError("malformed URL: " + cfg.url);
  const boost::urls::url_view u = *parsed;
  Target t;
  t.url = cfg.url;
  t.method = cfg.method;
  t.key.scheme = lower(u.scheme());
  if (t.key.scheme != "http" && t.key.scheme != "https") {
    throw TargetError("unsupported scheme: " + t.key.scheme);
  }
  if (t.key.scheme == "https" && !cfg.proxy.empty()) {
    // That takes a CONNECT tunnel through the proxy, which the dialer does not make yet.
    throw TargetError("-x: https through an HTTP proxy is not supported yet");
  }
  if (cfg.h2c) {
    // Prior knowledge is for cleartext: over TLS, ALPN says whether the server speaks HTTP/2
    // (-h2); an HTTP proxy would get the HTTP/2 preface instead of a request.
    if (t.key.scheme != "http") {
      throw TargetError("-h2c speaks HTTP/2 over cleartext and wants an http:// URL (got " +
                        cfg.url + ")");
    }
    if (!cfg.proxy.empty()) throw TargetError("-h2c cannot go through an HTTP proxy (-x)");
    t.key.http = pool::ConnKey::Http::v2_prior_knowledge;
  }
  // -h2, as hey's: HTTP/2 where TLS lets ALPN choose it; an http:// URL stays HTTP/1.1.
  if (cfg.http2 && t.key.scheme == "https") t.key.http = pool::ConnKey::Http::v2_alpn;
  t.key.host = lower(u.host_address());
  if (t.key.host.empty()) throw TargetError("URL has no host: " + cfg.url);
  const std::uint16_t default_port = t.key.scheme == "https" ? 443 : 80;
  t.key.port = u.has_port() ? u.port_number() : default_port;
  t.key.proxy = cfg.proxy;

  // The request target: origin form (HTTP/2's :path), or absolute form through a proxy.
  std::string origin(u.encoded_path().empty() ? std::string_view("/")
                                              : std::string_view(u.encoded_path()));
  if (u.has_query()) origin.append("?").append(std::string_view(u.encoded_query()));
  std::string target = origin;
  if (!cfg.proxy.empty() && t.key.scheme == "http") {
    target = std::string(u.scheme()) + "://" +
             std::string(std::string_view(u.encoded_host_and_port())) + origin;
  }

  HeaderList h;
  std::string host = cfg.host_header;
  if (host.empty()) host = std::string_view(u.encoded_host_and_port());
  h.set("Host", host);
  h.set("User-Agent",
        cfg.user_agent.empty() ? std::string("hload/") + HLOAD_VERSION : cfg.user_agent);
  if (!cfg.accept.empty()) h.set("Accept", cfg.accept);
  if (!cfg.disable_compression) h.set("Accept-Encoding", "gzip");
  if (!cfg.body.empty()) h.set("Content-Type", cfg.content_type);
  if (!cfg.basic_auth.empty()) h.set("Authorization", "Basic " + base64(cfg.basic_auth));
  for (const std::string& line : cfg.headers) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) throw TargetError("malformed header: " + line);
    h.set(trim_ows(std::string_view(line).substr(0, colon)),
          trim_ows(std::string_view(line).substr(colon + 1)));
  }
  if (cfg.disable_keepalive) h.set("Connection", "close");
  const bool sends_body =
      !cfg.body.empty() || cfg.method == "POST" || cfg.method == "PUT" || cfg.method == "PATCH";
  if (sends_body) h.set("Content-Length", std::to_string(cfg.body.size()));

  t.wire.reserve(256 + cfg.body.size());
  t.wire.append(cfg.method).append(" ").append(target).append(" HTTP/1.1\r\n");
  h.append_to(t.wire);
  t.wire.append("\r\n").append(cfg.body);
  t.body_size = cfg.body.size();
  add_h2_fields(t, h.get("Host"), origin, h);

  t.head = cfg.method == "HEAD";
  t.replayable = cfg.method == "GET" || cfg.method == "HEAD" || cfg.method == "OPTIONS" ||
                 cfg.method == "TRACE" || h.has("Idempotency-Key") || h.has("X-Idempotency-Key");
  return t;
}

std::vector<Target> make_targets(const RunConfig& cfg) {
  std::vector<Target> out;
  if (cfg.targets.empty()) {
    out.push_back(make_target(cfg));
    return out;
  }
  // Each target is built from a copy of the run without its targets: copying those too would
  // make a long file quadratic.
  RunConfig base = cfg;
  base.targets.clear();
  for (const TargetSpec& spec : cfg.targets) {
    RunConfig one = base;
    one.url = spec.url;
    one.method = spec.method;
    one.headers.insert(one.headers.end(), spec.headers.begin(), spec.headers.end());
    if (spec.body) one.body = *spec.body;
    out.push_back(make_target(one));
  }
  return out;
}

}  // namespace hload::engine
