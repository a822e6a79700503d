#pragma once

// in_place_op lets an asio::awaitable coroutine await an Asio operation in its own frame.
// `co_await x.async_read_some(buf, asio::as_tuple(asio::use_awaitable))` makes a coroutine
// frame for the initiation (about 250 bytes, one more suspension, one more resumption); Boost
// 1.81 awaits an "async operation" object in place instead, its handler storing the result in
// the awaiting frame. This wraps a start function as such an object, its results as a tuple
// (so failures come back as values, never as exceptions):
//
//   const auto [ec, n] = co_await in_place_op<error_code, std::size_t>([&](auto token) {
//     socket.async_read_some(buffer, asio::bind_cancellation_slot(slot, token));
//   });
//
// `token` is the completion handler itself, wrapped to take the results as a tuple. The start must
// be trivially destructible (capture by reference only): GCC 12 may destroy a temporary of a
// co_await expression twice.

#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>

namespace hload::pool {

// TupleHandler completes Handler with its operation's results as one tuple. (Asio's as_tuple
// copies a handler it is given, and the awaiting frame's handler cannot be copied.)
template <class Handler>
class TupleHandler {
 public:
  explicit TupleHandler(Handler h) : handler_(std::move(h)) {}
  template <class... Args>
  void operator()(Args&&... args) {
    std::move(handler_)(std::make_tuple(std::forward<Args>(args)...));
  }
  const Handler& inner() const noexcept { return handler_; }

 private:
  Handler handler_;
};

template <class Signature, class Start>
class InPlaceOp {
 public:
  static_assert(std::is_trivially_destructible_v<Start>, "capture by reference only");
  explicit InPlaceOp(Start start) : start_(std::move(start)) {}

  // Asio also probes whether an awaited object is a function of the awaiting frame's pointer;
  // this is none.
  template <class Token>
  requires(!std::is_pointer_v<std::remove_cvref_t<Token>>) auto operator()(Token&& token) && {
    return boost::asio::async_initiate<Token, Signature>(
        [](auto handler, Start start) { start(TupleHandler(std::move(handler))); }, token,
        std::move(start_));
  }

 private:
  Start start_;
};

template <class... Results, class Start>
InPlaceOp<void(std::tuple<Results...>), Start> in_place_op(Start start) {
  return InPlaceOp<void(std::tuple<Results...>), Start>(std::move(start));
}

}  // namespace hload::pool

// The handler's executor, allocator and cancellation slot are the wrapped handler's.
template <template <class, class> class Associator, class Handler, class Default>
struct boost::asio::associator<Associator, hload::pool::TupleHandler<Handler>, Default>
    : Associator<Handler, Default> {
  static typename Associator<Handler, Default>::type get(
      const hload::pool::TupleHandler<Handler>& h) noexcept {
    return Associator<Handler, Default>::get(h.inner());
  }
  static auto get(const hload::pool::TupleHandler<Handler>& h, const Default& d) noexcept
      -> decltype(Associator<Handler, Default>::get(h.inner(), d)) {
    return Associator<Handler, Default>::get(h.inner(), d);
  }
};
