#pragma once

// Target is the request a run sends, serialized once (docs/performance.md#hot-path: one write per
// request, nothing formatted per request) together with the pool key it is sent to.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/run_config.hpp"
#include "pool/conn.hpp"
#include "pool/conn_key.hpp"

namespace hload::engine {

// Target is movable, not copyable: h2_fields point into h2_strings, whose strings stay where
// they are when the vector moves.
struct Target {
  Target() = default;
  Target(Target&&) = default;
  Target& operator=(Target&&) = default;
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;

  // body is the request body: the end of wire, sent as DATA over HTTP/2.
  std::string_view body() const noexcept {
    return std::string_view(wire).substr(wire.size() - body_size);
  }

  std::string url;  // the URL requested, as given or as a redirect resolved it
  std::string method;
  pool::ConnKey key;
  std::string wire;  // HTTP/1.1: request line, headers and body
  std::size_t body_size = 0;
  // HTTP/2: :method, :scheme, :authority and :path, then the headers in lower case without
  // the connection-specific ones HTTP/2 forbids (Connection, Keep-Alive, Proxy-Connection,
  // Transfer-Encoding, Upgrade) and Host (it is :authority).
  std::vector<std::string> h2_strings;
  std::vector<pool::HeaderField> h2_fields;
  bool replayable = false;  // Go's rule: GET, HEAD, OPTIONS, TRACE, or an idempotency key
  bool head = false;
};

// TargetError is a configuration the engine cannot turn into a request (a bad URL) or a
// connection (a TLS file that does not load). Thrown only at start-up, before any request.
struct TargetError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// make_target builds the request of cfg, in both of its forms. Headers given with -H replace
// hload's defaults of the same name (case-insensitive); Host comes from -host, else from the
// URL. With -h2c the key asks for HTTP/2 with prior knowledge, which takes an http:// URL and
// no proxy.
Target make_target(const RunConfig& cfg);

// make_targets builds the requests of cfg: one per -targets entry (each as make_target builds
// cfg with that entry's method, URL and body, and its headers after -H's), or cfg's own.
std::vector<Target> make_targets(const RunConfig& cfg);

}  // namespace hload::engine
