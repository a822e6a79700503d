#pragma once

#include <cstddef>
#include <string>

namespace hload::server {

// CannedResponse is one response serialized once, so that answering costs one copy and no
// formatting (docs/performance.md#hot-path: one write per request, nothing built per request).
struct CannedResponse {
  std::string bytes;          // status line, headers and body
  std::size_t head_size = 0;  // bytes before the body: the whole answer to a HEAD request
};

// CannedResponses are every answer the built-in server gives, built from its options.
struct CannedResponses {
  // make serializes `status` with a body of `body_size` bytes ("ok\n" repeated and cut).
  // Statuses 204 and 304 never carry a body or a Content-Length.
  // A redirect answer is made when location is not empty.
  static CannedResponses make(unsigned status, std::size_t body_size, unsigned redirect_status = 0,
                              const std::string& location = "", unsigned fail_status = 500);

  CannedResponse keep_alive;  // the normal answer
  CannedResponse closing;     // the same with "Connection: close"
  CannedResponse failing;     // fail_status, keep-alive, the same body: the failure window
  std::string redirect;       // redirect_status with Location, keep-alive, no body
  std::string bad_request;    // 400 for a request that cannot be framed; closes
  std::string too_large;      // 413 for the reject_body fault; closes
  std::string garbage;        // not an HTTP status line (the `malformed` fault)
};

}  // namespace hload::server
