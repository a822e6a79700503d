#include "pool/dial_abort.hpp"

#include <boost/asio/error.hpp>

namespace hload::pool {

void DialAbort::arm(const std::shared_ptr<DialAbort>& self, asio::cancellation_slot cancel,
                    Duration timeout, error_code on_timeout) {
  const std::weak_ptr<DialAbort> weak = self;
  if (cancel.is_connected()) {
    cancel.assign([weak](asio::cancellation_type) {
      if (const auto s = weak.lock()) s->abort(asio::error::operation_aborted);
    });
  }
  if (timeout > Duration::zero()) {
    self->timer_.expires_after(timeout);
    self->timer_.async_wait([weak, on_timeout](error_code ec) {
      const auto s = weak.lock();
      if (s && !ec) s->abort(on_timeout);
    });
  }
}

void DialAbort::abort(error_code why) {
  if (error_) return;
  error_ = why;
  signal_.emit(asio::cancellation_type::terminal);
  // A lookup in progress ends when the system resolver returns: getaddrinfo itself cannot be
  // interrupted.
  resolver_.cancel();
}

}  // namespace hload::pool
