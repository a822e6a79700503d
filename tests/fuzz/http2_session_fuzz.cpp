// libFuzzer target for the HTTP/2 client connection: the real BasicHttp2Conn over Beast's
// in-memory test stream, started against a valid server preface (an empty SETTINGS frame),
// with three requests in flight (GET, HEAD and a POST with a body: streams 1, 3 and 5). The
// fuzz input is what the server sends next, delivered in chunks the fuzzer chooses, then the
// server's close. Whatever it is, no round trip may crash, hang or leak, each must end once
// the connection is closed, and what it returns must be consistent (see check).
//
// Input layout: byte 0's low four bits are k, the count of chunk-size bytes that follow; each
// of those k bytes is a chunk size (1 to 255, 0 meaning 4096), used in turn, cyclically; the
// rest is what the server sends. With k = 0 every chunk is 4096 bytes. Byte 0's high four bits
// are c: when not 0, the GET is cancelled after the c-th chunk. A seed that starts with a zero
// byte is therefore a plain sequence of frames delivered in whole reads.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/http/error.hpp>

#include "pool/bug.hpp"
#include "pool/errors.hpp"
#include "pool/h2_errors.hpp"
#include "pool/http2_conn_impl.hpp"
#include "tests/fuzz/http2_requests.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using hload::pool::error_code;

using StreamConn = hload::pool::BasicHttp2Conn<beast::test::stream>;

constexpr std::size_t kWholeRead = 4096;
// Past this many chunks the rest of the input goes in whole reads, which bounds the work one
// input costs.
constexpr std::size_t kMaxFineChunks = 2048;

// Exchange is one round trip's outcome.
struct Exchange {
  hload::pool::ConnResult result;
  hload::pool::Response resp;
  bool done = false;
};

// Session is one connection, the server end of its stream, and the round trips on it.
class Session {
 public:
  Session() : server_(ioc_) {
    beast::test::stream client(ioc_);
    client.connect(server_);
    conn_ = std::make_unique<StreamConn>(std::move(client));
  }

  ~Session() {
    // The connection's close is handed to its executor; its reader ends there.
    conn_.reset();
    run_until_idle(0);
  }

  // run feeds the input to the connection and checks the round trips.
  void run(std::string_view payload, std::span<const std::uint8_t> sizes, std::size_t cancel_at) {
    send(hload::fuzz::kServerSettings);
    std::optional<error_code> started;
    asio::co_spawn(ioc_, conn_->start(), [&](std::exception_ptr e, error_code ec) {
      HLOAD_CHECK(!e, "an exception escaped start");
      started = ec;
    });
    run_until_idle(0);
    HLOAD_CHECK(started && !*started, "start failed against a valid server preface");

    auto reqs = hload::fuzz::requests();
    reqs[0].cancel = cancel_.slot();
    for (std::size_t i = 0; i < reqs.size(); ++i) {
      asio::co_spawn(ioc_, conn_->round_trip(reqs[i], exchanges_[i].resp),
                     [this, i](std::exception_ptr e, hload::pool::ConnResult r) {
                       HLOAD_CHECK(!e, "an exception escaped round_trip");
                       HLOAD_CHECK(!exchanges_[i].done, "round trip %zu ended twice", i);
                       exchanges_[i].result = r;
                       exchanges_[i].done = true;
                     });
    }
    run_until_idle(0);

    std::size_t offset = 0;
    for (std::size_t chunk = 0; offset < payload.size(); ++chunk) {
      std::size_t size = kWholeRead;
      if (!sizes.empty() && chunk < kMaxFineChunks) {
        const std::uint8_t b = sizes[chunk % sizes.size()];
        size = b == 0 ? kWholeRead : b;
      }
      const std::string_view part = payload.substr(offset, size);
      offset += part.size();
      send(part);
      run_until_idle(chunk + 1);
      if (chunk + 1 == cancel_at) {
        cancel_.emit(asio::cancellation_type::terminal);
        run_until_idle(chunk + 1);
      }
    }
    server_.close();
    run_until_idle(1);

    for (std::size_t i = 0; i < reqs.size(); ++i) {
      HLOAD_CHECK(exchanges_[i].done, "round trip %zu did not end though the server closed", i);
      check(reqs[i], exchanges_[i], i == 0 && cancel_at != 0);
    }
    HLOAD_CHECK(!conn_->reusable(), "reusable after the server closed");
  }

 private:
  void send(std::string_view bytes) {
    asio::write(server_, asio::buffer(bytes));
    delivered_ += bytes.size();
  }

  // run_until_idle runs the handlers that are ready. Each chunk sets off a bounded amount of
  // work (a read, a write, the round trips' ends); far more steps than that is a loop that
  // never waits for input.
  void run_until_idle(std::size_t chunks) {
    const std::size_t budget = 1024 + 64 * chunks;
    ioc_.restart();
    for (std::size_t steps = 0; ioc_.poll_one() > 0;) {
      HLOAD_CHECK(++steps <= budget, "the connection ran %zu steps for %zu chunks", steps, chunks);
    }
    // What the client wrote is of no interest here.
    server_.clear();
  }

  // check asserts what must hold after any round trip, whatever the server sent.
  void check(const hload::pool::Request& req, const Exchange& x, bool cancelled) const {
    const error_code& ec = x.result.ec;
    const hload::pool::Response& resp = x.resp;
    HLOAD_CHECK(resp.bytes_in <= delivered_, "bytes_in %llu, but the server sent %zu",
                static_cast<unsigned long long>(resp.bytes_in), delivered_);
    HLOAD_CHECK(resp.body_bytes <= resp.bytes_in, "body_bytes %llu exceeds bytes_in %llu",
                static_cast<unsigned long long>(resp.body_bytes),
                static_cast<unsigned long long>(resp.bytes_in));
    HLOAD_CHECK(x.result.got_any == (resp.bytes_in > 0), "got_any disagrees with bytes_in");
    namespace pool = hload::pool;
    const bool known = !ec || ec == asio::error::eof || ec == beast::http::error::partial_message ||
                       ec == pool::Errc::h2_protocol || ec == pool::Errc::refused_stream ||
                       pool::is_stream_reset(ec) ||
                       (cancelled && ec == asio::error::operation_aborted);
    HLOAD_CHECK(known, "an unexpected error: %s", ec.message().c_str());
    HLOAD_CHECK(ec != asio::error::eof || !x.result.got_any,
                "eof although response bytes arrived (%llu)",
                static_cast<unsigned long long>(resp.bytes_in));
    if (ec) return;
    HLOAD_CHECK(resp.status >= 200 && resp.status <= 999, "status %u returned", resp.status);
    HLOAD_CHECK(resp.keep_alive, "an HTTP/2 response without keep_alive");
    const bool bodiless = req.head || resp.status == 204 || resp.status == 304;
    HLOAD_CHECK(!bodiless || resp.body_bytes == 0, "status %u%s came with %llu body bytes",
                resp.status, req.head ? " to HEAD" : "",
                static_cast<unsigned long long>(resp.body_bytes));
    HLOAD_CHECK(resp.status / 100 == 3 || resp.location.empty(), "a Location on status %u",
                resp.status);
  }

  asio::io_context ioc_;
  beast::test::stream server_;
  std::unique_ptr<StreamConn> conn_;
  asio::cancellation_signal cancel_;
  std::array<Exchange, 3> exchanges_;
  std::size_t delivered_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t k = std::min<std::size_t>(data[0] & 0x0f, size - 1);
  const std::size_t cancel_at = data[0] >> 4;
  const std::span<const std::uint8_t> sizes(data + 1, k);
  const std::string_view payload(reinterpret_cast<const char*>(data + 1 + k), size - 1 - k);
  Session session;
  session.run(payload, sizes, cancel_at);
  return 0;
}
