#include "tests/support/counting_dialer.hpp"

#include <memory>
#include <utility>

namespace hload::test {
namespace {

// CountedConn is the inner dialer's connection, which tells the dialer when it is destroyed.
class CountedConn final : public pool::Conn {
 public:
  CountedConn(std::unique_ptr<pool::Conn> inner, CountingDialer& dialer)
      : inner_(std::move(inner)), dialer_(dialer) {}
  CountedConn(const CountedConn&) = delete;
  CountedConn& operator=(const CountedConn&) = delete;
  ~CountedConn() override {
    inner_.reset();  // the socket is closed before the count drops
    dialer_.closed();
  }

  boost::asio::awaitable<pool::ConnResult> round_trip(const pool::Request& req,
                                                      pool::Response& resp) override {
    return inner_->round_trip(req, resp);
  }
  int max_concurrent_streams() const noexcept override { return inner_->max_concurrent_streams(); }
  bool reusable() const noexcept override { return inner_->reusable(); }
  pool::CloseReason close_reason() const noexcept override { return inner_->close_reason(); }
  bool peer_closed() noexcept override { return inner_->peer_closed(); }
  std::string_view protocol() const noexcept override { return inner_->protocol(); }
  void set_events(std::shared_ptr<pool::ConnEvents> events) override {
    inner_->set_events(std::move(events));
  }

 private:
  std::unique_ptr<pool::Conn> inner_;
  CountingDialer& dialer_;
};

}  // namespace

void CountingDialer::opened() noexcept {
  const int now = open_.fetch_add(1) + 1;
  int seen = max_open_.load();
  while (now > seen && !max_open_.compare_exchange_weak(seen, now)) {
  }
}

boost::asio::awaitable<pool::DialResult> CountingDialer::dial(
    const pool::ConnKey& key, boost::asio::cancellation_slot cancel) {
  opened();
  dials_.fetch_add(1);
  pool::DialResult r = co_await inner_.dial(key, cancel);
  if (r.conn) {
    r.conn = std::make_unique<CountedConn>(std::move(r.conn), *this);
  } else {
    closed();
  }
  co_return r;
}

}  // namespace hload::test
