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
  // A run speaks one way to every host, so the report's names need not say which.
  return s;
}

}  // namespace hload::pool
