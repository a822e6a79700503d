#include "pool/conn_key.hpp"

namespace hload::pool {

std::string ConnKey::to_string() const {
  std::string s = scheme + "://";
  if (host.find(':') != std::string::npos) {
    s += '[' + host + ']';  // IPv6 literal
  } else {
    s += host;
  }
  s += ':' + std::to_string(port);
  if (!proxy.empty()) s += " via " + proxy;
  if (h1_only) s += " (h1)";
  return s;
}

}  // namespace hload::pool
