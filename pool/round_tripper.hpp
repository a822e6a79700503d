#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "pool/conn.hpp"
#include "pool/error.hpp"
#include "pool/parked.hpp"

namespace hload::pool {

// RoundTripper sends one request and reads its whole response (Go's http.RoundTripper). The
// engine's virtual users depend only on this, so engine tests can hand them a fake.
class RoundTripper {
 public:
  virtual asio::awaitable<error_code> round_trip(const Request& req, Response& resp) = 0;

  // park begins req's round trip in *req.parked without a coroutine. It returns true when the
  // caller is to call round_trip now; false when req was queued for a connection: the caller's
  // frames may then end, and `wake(context)` is posted to `executor` once the request was
  // delivered one or cancelled through req.cancel; round_trip called then goes on from there.
  // A round tripper that cannot park (as this default) always returns true.
  virtual bool park(const Request& req, const asio::any_io_executor& executor, WakeFn wake,
                    void* context) {
    (void)req, (void)executor, (void)wake, (void)context;
    return true;
  }

 protected:
  ~RoundTripper() = default;
};

}  // namespace hload::pool
