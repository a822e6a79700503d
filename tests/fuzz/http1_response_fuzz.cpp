// libFuzzer target for the HTTP/1.1 response reader: the real BasicHttp1Conn over Beast's
// in-memory test stream, the fuzz input as the server's bytes, delivered in chunks the fuzzer
// chooses, then the server's close. Every input is read as the responses to GET requests and
// again as the responses to HEAD requests, each time with the fuzzer's chunks and with whole
// reads, and the invariants below must hold for all of them; a response that leaves the
// connection reusable is then read again from the same bytes and must read the same.
//
// Input layout: byte 0's low four bits are k, the count of chunk-size bytes that follow; each
// of those k bytes is a chunk size (1 to 255, 0 meaning 512), used in turn, cyclically; the
// rest is what the server sends. With k = 0 every chunk is 512 bytes. A seed that starts with
// the character '0' is therefore a plain response delivered in whole reads.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/http/error.hpp>

#include "pool/bug.hpp"
#include "pool/http1_conn_impl.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using hload::pool::error_code;

using StreamConn = hload::pool::BasicHttp1Conn<beast::test::stream>;

constexpr std::string_view kGet = "GET / HTTP/1.1\r\nHost: fuzz.test\r\n\r\n";
constexpr std::string_view kHead = "HEAD / HTTP/1.1\r\nHost: fuzz.test\r\n\r\n";

// A read of the connection never asks for less than 512 bytes (beast::read_size), so a chunk of
// at most this size, written while the connection waits in a read, is read whole: the bytes the
// connection consumed are then exactly the bytes delivered.
constexpr std::size_t kWholeRead = 512;
// Past this many chunks the rest of the input goes in whole reads, which bounds the work one
// input costs (a 64 KB input in one-byte chunks would be 64 K reads per pass).
constexpr std::size_t kMaxFineChunks = 2048;
// A keep-alive connection carries the next response from what is left of the input, up to
// this many exchanges.
constexpr int kMaxExchanges = 4;
// The header limit ResponseParser sets: a header block (status line to the empty line) larger
// than this must end in an error, whether it arrives in one read or many.
constexpr std::size_t kHeaderLimit = 64 * 1024;

// Feed hands out the server's bytes in the chunks the input chose.
class Feed {
 public:
  // sizes may be empty: then every chunk is a whole read.
  Feed(std::string_view payload, std::span<const std::uint8_t> sizes)
      : payload_(payload), sizes_(sizes) {}

  // exhausted is true once every byte was handed out.
  bool exhausted() const noexcept { return offset_ == payload_.size(); }

  // next returns the next chunk, never empty; only while !exhausted().
  std::string_view next() noexcept {
    std::size_t size = kWholeRead;
    if (!sizes_.empty() && chunks_ < kMaxFineChunks) {
      const std::uint8_t b = sizes_[chunks_ % sizes_.size()];
      size = b == 0 ? kWholeRead : b;
    }
    ++chunks_;
    const std::string_view chunk = payload_.substr(offset_, size);
    offset_ += chunk.size();
    return chunk;
  }

 private:
  std::string_view payload_;
  std::span<const std::uint8_t> sizes_;
  std::size_t offset_ = 0;
  std::size_t chunks_ = 0;
};

// Exchange is what one round trip returned, and what the server had to do for it.
struct Exchange {
  hload::pool::ConnResult result;
  hload::pool::Response resp;
  std::size_t delivered = 0;  // bytes the server sent during this round trip
  bool closed = false;        // the server closed its end during this round trip
};

// Session is one connection and the server end of its stream.
class Session {
 public:
  Session() : server_(ioc_) {
    beast::test::stream client(ioc_);
    client.connect(server_);
    conn_.emplace(std::move(client));
  }

  StreamConn& conn() noexcept { return *conn_; }

  // round_trip sends one request and feeds the connection chunk by chunk, each only once the
  // connection waits for it, closing the server's end when the feed runs dry. It aborts when
  // the round trip throws, spins without waiting for input, or has not finished once the
  // stream is closed: each is a hang or a crash in the pool.
  Exchange round_trip(Feed& feed, bool head) {
    hload::pool::Request req;
    req.wire = head ? kHead : kGet;
    req.head = head;
    Exchange x;
    bool done = false;
    asio::co_spawn(ioc_, conn_->round_trip(req, x.resp),
                   [&](std::exception_ptr e, hload::pool::ConnResult r) {
                     HLOAD_CHECK(!e, "an exception escaped round_trip");
                     x.result = r;
                     done = true;
                   });
    std::size_t chunks = 0;
    for (;;) {
      run_until_idle(chunks);
      if (done) break;
      HLOAD_CHECK(!x.closed, "round_trip has not finished though the stream is closed");
      if (feed.exhausted()) {
        server_.close();
        x.closed = true;
        continue;
      }
      const std::string_view chunk = feed.next();
      asio::write(server_, asio::buffer(chunk));
      x.delivered += chunk.size();
      ++chunks;
    }
    check(req, x);
    return x;
  }

 private:
  // run_until_idle runs the handlers that are ready. A read completes once per chunk, and a
  // round trip takes a bounded number of steps besides; more steps than that is a loop that
  // never waits for input.
  void run_until_idle(std::size_t chunks) {
    const std::size_t budget = 64 + 16 * (chunks + 1);
    ioc_.restart();
    for (std::size_t steps = 0; ioc_.poll_one() > 0;) {
      HLOAD_CHECK(++steps <= budget, "round_trip ran %zu steps for %zu chunks", steps, chunks);
    }
  }

  // check asserts what must hold after any round trip, whatever the server sent.
  void check(const hload::pool::Request& req, const Exchange& x) const {
    const error_code& ec = x.result.ec;
    const hload::pool::Response& resp = x.resp;
    HLOAD_CHECK(x.result.wrote_any && resp.bytes_out == req.wire.size(),
                "the request was not written whole: %llu of %zu bytes",
                static_cast<unsigned long long>(resp.bytes_out), req.wire.size());
    HLOAD_CHECK(resp.bytes_in == x.delivered, "bytes_in %llu, but the stream delivered %zu",
                static_cast<unsigned long long>(resp.bytes_in), x.delivered);
    HLOAD_CHECK(x.result.got_any == (resp.bytes_in > 0), "got_any disagrees with bytes_in");
    HLOAD_CHECK(resp.body_bytes <= resp.bytes_in, "body_bytes %llu exceeds bytes_in %llu",
                static_cast<unsigned long long>(resp.body_bytes),
                static_cast<unsigned long long>(resp.bytes_in));
    // A close before any byte is the only way to eof: every later close is a truncated
    // response (partial_message) or completes one delimited by the close.
    HLOAD_CHECK((ec == asio::error::eof) == (resp.bytes_in == 0),
                "eof must mean no response byte (ec: %s, bytes_in %llu)", ec.message().c_str(),
                static_cast<unsigned long long>(resp.bytes_in));
    HLOAD_CHECK(!ec || ec == asio::error::eof ||
                    &ec.category() == &error_code(beast::http::error::need_more).category(),
                "an error of neither the stream nor the parser: %s", ec.message().c_str());
    if (ec) {
      HLOAD_CHECK(!conn_->reusable(), "reusable after an error: %s", ec.message().c_str());
      return;
    }
    HLOAD_CHECK(resp.status >= 100 && resp.status <= 999, "status %u out of range", resp.status);
    HLOAD_CHECK(resp.status / 100 != 1 || resp.status == 101, "interim status %u returned",
                resp.status);
    const bool bodiless =
        req.head || resp.status == 101 || resp.status == 204 || resp.status == 304;
    HLOAD_CHECK(!bodiless || resp.body_bytes == 0, "status %u%s came with %llu body bytes",
                resp.status, req.head ? " to HEAD" : "",
                static_cast<unsigned long long>(resp.body_bytes));
    HLOAD_CHECK(!conn_->reusable() || (resp.keep_alive && resp.status != 101 && !x.closed),
                "reusable after status %u, keep_alive %d, closed %d", resp.status, resp.keep_alive,
                x.closed);
  }

  asio::io_context ioc_;
  beast::test::stream server_;
  std::optional<StreamConn> conn_;
};

// run_exchanges reads the payload as the responses to up to kMaxExchanges requests on one
// connection, each sent once the connection is reusable again, and returns their outcomes.
std::vector<Exchange> run_exchanges(std::string_view payload, std::span<const std::uint8_t> sizes,
                                    bool head) {
  Session session;
  Feed feed(payload, sizes);
  std::vector<Exchange> out;
  do {
    out.push_back(session.round_trip(feed, head));
  } while (session.conn().reusable() && !feed.exhausted() && out.size() < kMaxExchanges);
  return out;
}

// same_outcome: how the bytes were split across reads must not change whether the first
// response was read, nor its status, body or keep-alive. The error that ends a bad one may
// differ: Beast checks a status line only once its header's end arrived or it is known to be
// complete, so garbage read a byte at a time ends in partial_message, read whole in
// bad_version. Later exchanges may differ too: bytes after a response that arrive in the same
// read make the connection not reusable.
bool same_outcome(const Exchange& a, const Exchange& b) {
  const bool a_ok = !a.result.ec;
  const bool b_ok = !b.result.ec;
  if (!a_ok || !b_ok) return a_ok == b_ok;
  return a.resp.status == b.resp.status && a.resp.body_bytes == b.resp.body_bytes &&
         a.resp.keep_alive == b.resp.keep_alive;
}

// check_repeat reads the payload as a GET's response, then, if that left the connection
// reusable with every byte read, the same bytes again, in the fuzzer's chunks and whole: the
// connection remembers a head it parsed (HeadMemo) and reads the same head again without
// parsing it, which must change nothing of what the response reads as.
void check_repeat(std::string_view payload, std::span<const std::uint8_t> sizes) {
  Session session;
  Feed first_feed(payload, {});
  const Exchange first = session.round_trip(first_feed, false);
  if (first.result.ec || !session.conn().reusable() || first.delivered != payload.size()) return;
  for (const bool split : {true, false, true}) {
    Feed feed(payload, split ? sizes : std::span<const std::uint8_t>{});
    const Exchange again = session.round_trip(feed, false);
    HLOAD_CHECK(!again.result.ec && again.resp.status == first.resp.status &&
                    again.resp.body_bytes == first.resp.body_bytes &&
                    again.resp.keep_alive == first.resp.keep_alive &&
                    again.resp.bytes_in == first.resp.bytes_in,
                "read again (%s reads), the response gave (%s, status %u, body %llu, keep_alive "
                "%d), the first time (status %u, body %llu, keep_alive %d)",
                split ? "split" : "whole", again.result.ec.message().c_str(), again.resp.status,
                static_cast<unsigned long long>(again.resp.body_bytes), again.resp.keep_alive,
                first.resp.status, static_cast<unsigned long long>(first.resp.body_bytes),
                first.resp.keep_alive);
    if (!session.conn().reusable()) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t k = std::min<std::size_t>(data[0] & 0x0f, size - 1);
  const std::span<const std::uint8_t> sizes(data + 1, k);
  const std::string_view payload(reinterpret_cast<const char*>(data + 1 + k), size - 1 - k);
  for (const bool head : {false, true}) {
    const std::vector<Exchange> split = run_exchanges(payload, sizes, head);
    const std::vector<Exchange> whole = run_exchanges(payload, {}, head);
    HLOAD_CHECK(
        same_outcome(split.front(), whole.front()),
        "%s: split reads gave (%s, status %u, body %llu, keep_alive %d), whole reads "
        "(%s, status %u, body %llu, keep_alive %d)",
        head ? "HEAD" : "GET", split.front().result.ec.message().c_str(), split.front().resp.status,
        static_cast<unsigned long long>(split.front().resp.body_bytes),
        split.front().resp.keep_alive, whole.front().result.ec.message().c_str(),
        whole.front().resp.status, static_cast<unsigned long long>(whole.front().resp.body_bytes),
        whole.front().resp.keep_alive);
    // The first header block (an interim response's, if any) ends within the limit whenever a
    // response was read. Inputs that test this exceed -max_len; regressions/ may hold them.
    const std::size_t end = payload.find("\r\n\r\n");
    HLOAD_CHECK(split.front().result.ec || (end != payload.npos && end + 4 <= kHeaderLimit),
                "%s: a header block of %zu bytes was accepted, over the limit of %zu",
                head ? "HEAD" : "GET", end == payload.npos ? payload.size() : end + 4,
                kHeaderLimit);
  }
  check_repeat(payload, sizes);
  return 0;
}
