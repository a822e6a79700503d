#pragma once

// Target is the request a run sends, serialized once (docs/performance.md#hot-path: one write per
// request, nothing formatted per request) together with the pool key it is sent to.

#include <stdexcept>
#include <string>

#include "engine/run_config.hpp"
#include "pool/conn_key.hpp"

namespace hload::engine {

struct Target {
  std::string url;  // the URL requested, as given or as a redirect resolved it
  std::string method;
  pool::ConnKey key;
  std::string wire;         // request line, headers and body
  bool replayable = false;  // Go's rule: GET, HEAD, OPTIONS, TRACE, or an idempotency key
  bool head = false;
};

// TargetError is a configuration the engine cannot turn into a request (a bad URL) or a
// connection (a TLS file that does not load). Thrown only at start-up, before any request.
struct TargetError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// make_target builds the request of cfg. Headers given with -H replace hload's defaults of the
// same name (case-insensitive); Host comes from -host, else from the URL.
Target make_target(const RunConfig& cfg);

}  // namespace hload::engine
