#pragma once

#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "pool/clock.hpp"
#include "pool/error.hpp"

namespace hload::pool {

namespace asio = boost::asio;

// DialAbort ends a step of a dial early for either of two reasons: the caller emitted on its
// cancel slot, or the step's timeout expired. Both emit one internal signal that every operation
// of the step is bound to, so an operation need not know why it was aborted; the first reason is
// kept as the step's error. The dial's frame is the only owner: the timer and the caller's slot
// hold weak references, so an expiry or a cancel that comes after the step returned does
// nothing. A step that assigns the caller's slot anew (the TLS handshake after the connect)
// replaces the earlier step's handler.
class DialAbort {
 public:
  explicit DialAbort(const asio::any_io_executor& executor)
      : timer_(executor), resolver_(executor) {}

  // arm starts the timeout (none when it is not positive), which ends the step with
  // `on_timeout`, and forwards any cancel emitted on `cancel` to self as operation_aborted.
  static void arm(const std::shared_ptr<DialAbort>& self, asio::cancellation_slot cancel,
                  Duration timeout, error_code on_timeout);

  // slot is what every operation of the step binds its cancellation to.
  asio::cancellation_slot slot() { return signal_.slot(); }

  // resolver is the dial's resolver, held here because it cannot be cancelled through a slot.
  asio::ip::tcp::resolver& resolver() { return resolver_; }

  // error is why the step was aborted: its timeout's error, operation_aborted, or none.
  error_code error() const { return error_; }

 private:
  void abort(error_code why);

  asio::steady_timer timer_;
  asio::ip::tcp::resolver resolver_;
  asio::cancellation_signal signal_;
  error_code error_;
};

}  // namespace hload::pool
