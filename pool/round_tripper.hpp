#pragma once

#include <boost/asio/awaitable.hpp>

#include "pool/conn.hpp"
#include "pool/error.hpp"

namespace hload::pool {

// RoundTripper sends one request and reads its whole response (Go's http.RoundTripper). The
// engine's virtual users depend only on this, so engine tests can hand them a fake.
class RoundTripper {
 public:
  virtual asio::awaitable<error_code> round_trip(const Request& req, Response& resp) = 0;

 protected:
  ~RoundTripper() = default;
};

}  // namespace hload::pool
