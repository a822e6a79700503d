// Tests of the HTTP/1.1 connection and the TCP dialer. The codec tests run the connection over
// Beast's in-memory test stream, the dialer tests over real sockets on 127.0.0.1.

#include "pool/http1_conn.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/_experimental/test/error.hpp>
#include <boost/beast/_experimental/test/fail_count.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/http/error.hpp>

#include "pool/errors.hpp"
#include "pool/http1_conn_impl.hpp"
#include "pool/tcp_dialer.hpp"
#include "pool/trace.hpp"

namespace hload::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using pool::error_code;
using namespace std::chrono_literals;

using StreamConn = pool::BasicHttp1Conn<beast::test::stream>;

constexpr std::string_view kGet = "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n";
constexpr std::string_view kChunked =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer-Field: x\r\n\r\n";

// run_to_end runs op on ioc until it finishes and returns its result. It gives up (and fails
// the test) when ten seconds pass with nothing to do, so that a hang is a failure, not a
// stuck test. An exception escaping op fails the test: errors must be values.
template <class T>
T run_to_end(asio::io_context& ioc, asio::awaitable<T> op) {
  std::optional<T> out;
  asio::co_spawn(ioc, std::move(op), [&out](const std::exception_ptr& e, T value) {
    EXPECT_FALSE(e) << "an exception escaped";
    out = std::move(value);
  });
  ioc.restart();
  while (!out && ioc.run_one_for(10s) > 0) {
  }
  if (!out) {
    ADD_FAILURE() << "the operation did not finish";
    return T{};
  }
  return std::move(*out);
}

// Exchange is the outcome of one round trip.
struct Exchange {
  pool::ConnResult result;
  pool::Response resp;
};

Exchange exchange(asio::io_context& ioc, pool::Conn& conn, const pool::Request& req) {
  Exchange x;
  x.result = run_to_end(ioc, conn.round_trip(req, x.resp));
  return x;
}

pool::Request request(std::string_view wire = kGet, bool head = false) {
  pool::Request req;
  req.wire = wire;
  req.head = head;
  return req;
}

// RecordingTrace keeps the request events a connection reports, in order.
class RecordingTrace final : public pool::RequestTrace {
 public:
  void on_wrote_request() override { events.emplace_back("wrote"); }
  void on_first_response_byte() override { events.emplace_back("first_byte"); }

  std::vector<std::string> events;
};

// ---- Codec: the connection over an in-memory stream -----------------------------------------

class Http1ConnTest : public ::testing::Test {
 protected:
  // make connects a new connection to server_. read_size bounds each read (0: no bound);
  // fc, when given, makes the connection's stream fail at a chosen operation.
  void make(std::size_t read_size = 0, beast::test::fail_count* fc = nullptr) {
    conn_.reset();
    server_ = std::make_unique<beast::test::stream>(ioc_);
    auto client = fc ? beast::test::stream(ioc_, *fc) : beast::test::stream(ioc_);
    client.connect(*server_);
    if (read_size > 0) client.read_size(read_size);
    conn_ = std::make_unique<StreamConn>(std::move(client));
  }

  // respond queues bytes for the connection to read.
  void respond(std::string_view bytes) { asio::write(*server_, asio::buffer(bytes)); }

  // hang_up closes the server's end: the connection reads EOF after the queued bytes.
  void hang_up() { server_->close(); }

  Exchange round_trip(const pool::Request& req = request()) { return exchange(ioc_, *conn_, req); }

  // expect_ok checks a successful exchange of status with body_bytes of body from `wire`.
  void expect_ok(const Exchange& x, unsigned status, std::uint64_t body_bytes,
                 std::string_view wire) {
    EXPECT_FALSE(x.result.ec) << x.result.ec.message();
    EXPECT_TRUE(x.result.wrote_any);
    EXPECT_TRUE(x.result.got_any);
    EXPECT_EQ(x.resp.status, status);
    EXPECT_EQ(x.resp.body_bytes, body_bytes);
    EXPECT_EQ(x.resp.bytes_in, wire.size());
    EXPECT_EQ(x.resp.bytes_out, kGet.size());
  }

  asio::io_context ioc_;
  std::unique_ptr<beast::test::stream> server_;
  std::unique_ptr<StreamConn> conn_;
};

TEST_F(Http1ConnTest, ContentLengthResponseIsReadAndKeptAlive) {
  make();
  constexpr std::string_view kWire = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  respond(kWire);
  const Exchange x = round_trip();
  expect_ok(x, 200, 5, kWire);
  EXPECT_TRUE(x.resp.keep_alive);
  EXPECT_TRUE(conn_->reusable());
  EXPECT_EQ(server_->str(), kGet) << "the request is written exactly as given";
  EXPECT_EQ(conn_->max_concurrent_streams(), 1);
}

TEST_F(Http1ConnTest, ChunkedResponseCountsDecodedBody) {
  make();
  respond(kChunked);
  const Exchange x = round_trip();
  expect_ok(x, 200, 11, kChunked);
  EXPECT_TRUE(conn_->reusable());
}

TEST_F(Http1ConnTest, NoContentHasNoBody) {
  make();
  constexpr std::string_view kWire = "HTTP/1.1 204 No Content\r\n\r\n";
  respond(kWire);
  const Exchange x = round_trip();
  expect_ok(x, 204, 0, kWire);
  EXPECT_TRUE(conn_->reusable());
}

TEST_F(Http1ConnTest, NotModifiedHasNoBodyWhateverItsContentLength) {
  make();
  constexpr std::string_view kWire = "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n";
  respond(kWire);
  const Exchange x = round_trip();
  expect_ok(x, 304, 0, kWire);
  EXPECT_TRUE(conn_->reusable());
}

TEST_F(Http1ConnTest, HeadResponseHasNoBodyWhateverItsContentLength) {
  make();
  constexpr std::string_view kWire = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
  respond(kWire);
  const Exchange x = round_trip(request(kGet, /*head=*/true));
  expect_ok(x, 200, 0, kWire);
  EXPECT_TRUE(conn_->reusable());
}

TEST_F(Http1ConnTest, ConnectionCloseIsNotReusable) {
  make();
  constexpr std::string_view kWire =
      "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";
  respond(kWire);
  const Exchange x = round_trip();
  expect_ok(x, 200, 2, kWire);
  EXPECT_FALSE(x.resp.keep_alive);
  EXPECT_FALSE(conn_->reusable());
}

TEST_F(Http1ConnTest, Http10WithoutKeepAliveIsNotReusable) {
  make();
  constexpr std::string_view kWire = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";
  respond(kWire);
  const Exchange x = round_trip();
  expect_ok(x, 200, 2, kWire);
  EXPECT_FALSE(x.resp.keep_alive);
  EXPECT_FALSE(conn_->reusable());
}

TEST_F(Http1ConnTest, Http10WithKeepAliveIsReusable) {
  make();
  constexpr std::string_view kWire =
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok";
  respond(kWire);
  const Exchange x = round_trip();
  expect_ok(x, 200, 2, kWire);
  EXPECT_TRUE(x.resp.keep_alive);
  EXPECT_TRUE(conn_->reusable());
}

TEST_F(Http1ConnTest, BodyDelimitedByCloseEndsAtEof) {
  make();
  constexpr std::string_view kWire = "HTTP/1.1 200 OK\r\n\r\nuntil the end";
  respond(kWire);
  hang_up();
  const Exchange x = round_trip();
  expect_ok(x, 200, 13, kWire);
  EXPECT_FALSE(x.resp.keep_alive);
  EXPECT_FALSE(conn_->reusable());
}

TEST_F(Http1ConnTest, BodyTruncatedByCloseIsAnError) {
  make();
  respond("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd");
  hang_up();
  const Exchange x = round_trip();
  EXPECT_EQ(x.result.ec, http::error::partial_message);
  EXPECT_TRUE(x.result.got_any);
  EXPECT_FALSE(conn_->reusable());
}

TEST_F(Http1ConnTest, ChunkedBodyTruncatedByCloseIsAnError) {
  make();
  respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
  hang_up();
  const Exchange x = round_trip();
  EXPECT_EQ(x.result.ec, http::error::partial_message);
  EXPECT_FALSE(conn_->reusable());
}

TEST_F(Http1ConnTest, HeaderTruncatedByCloseIsAnError) {
  make();
  respond("HTTP/1.1 200 OK\r\nContent-Le");
  hang_up();
  const Exchange x = round_trip();
  EXPECT_EQ(x.result.ec, http::error::partial_message);
  EXPECT_TRUE(x.result.got_any);
  EXPECT_FALSE(conn_->reusable());
}

// A keep-alive connection the server closed while it sat idle: the pool retries on this error
// only when no byte of the response arrived.
TEST_F(Http1ConnTest, CloseBeforeAnyResponseByteIsEof) {
  make();
  hang_up();
  const Exchange x = round_trip();
  EXPECT_EQ(x.result.ec, asio::error::eof);
  EXPECT_TRUE(x.result.wrote_any);
  EXPECT_FALSE(x.result.got_any);
  EXPECT_FALSE(conn_->reusable());
}

TEST_F(Http1ConnTest, MalformedStatusLineIsAParseError) {
  make();
  respond("HTTX/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  const Exchange x = round_trip();
  ASSERT_TRUE(x.result.ec);
  EXPECT_EQ(&x.result.ec.category(), &error_code(http::error::bad_version).category());
  EXPECT_FALSE(conn_->reusable());
}

TEST_F(Http1ConnTest, MalformedChunkSizeIsAParseError) {
  make();
  respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  const Exchange x = round_trip();
  ASSERT_TRUE(x.result.ec);
  EXPECT_EQ(&x.result.ec.category(), &error_code(http::error::bad_chunk).category());
  EXPECT_FALSE(conn_->reusable());
}

// Every way of splitting a response across reads gives the same result.
TEST_F(Http1ConnTest, ResponseSplitAcrossSmallReadsIsReassembled) {
  for (const std::size_t read_size : {1, 2, 3, 7, 16}) {
    SCOPED_TRACE(read_size);
    make(read_size);
    respond(kChunked);
    RecordingTrace trace;
    pool::Request req = request();
    req.trace = &trace;
    const Exchange x = round_trip(req);
    expect_ok(x, 200, 11, kChunked);
    EXPECT_TRUE(conn_->reusable());
    EXPECT_EQ(trace.events, (std::vector<std::string>{"wrote", "first_byte"}));
  }
}

TEST_F(Http1ConnTest, KeepAliveConnectionCarriesResponsesBackToBack) {
  make();
  constexpr std::string_view kFirst = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst";
  respond(kFirst);
  const Exchange a = round_trip();
  expect_ok(a, 200, 5, kFirst);
  ASSERT_TRUE(conn_->reusable());

  respond(kChunked);
  const Exchange b = round_trip();
  expect_ok(b, 200, 11, kChunked);
  EXPECT_TRUE(conn_->reusable());
  EXPECT_EQ(server_->str(), std::string(kGet) + std::string(kGet));
}

// Bytes nobody asked for could not be told apart from the next response.
TEST_F(Http1ConnTest, BytesAfterTheResponseMakeItNotReusable) {
  make();
  respond(
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  const Exchange x = round_trip();
  EXPECT_FALSE(x.result.ec);
  EXPECT_EQ(x.resp.body_bytes, 2u);
  EXPECT_TRUE(x.resp.keep_alive);
  EXPECT_FALSE(conn_->reusable());
}

TEST_F(Http1ConnTest, InterimResponsesAreSkipped) {
  make();
  constexpr std::string_view kWire =
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  respond(kWire);
  const Exchange x = round_trip();
  expect_ok(x, 200, 2, kWire);
  EXPECT_TRUE(conn_->reusable());
}

TEST_F(Http1ConnTest, SwitchingProtocolsIsNotReusable) {
  make();
  respond("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
  const Exchange x = round_trip();
  EXPECT_FALSE(x.result.ec);
  EXPECT_EQ(x.resp.status, 101u);
  EXPECT_FALSE(conn_->reusable());
}

// Bodies are counted, not stored, so their size is not limited; headers may exceed Beast's
// default limit of 8 KB.
TEST_F(Http1ConnTest, LargeHeaderAndBodyAreCounted) {
  make();
  const std::string header = "X-Big: " + std::string(20'000, 'h') + "\r\n";
  const std::string body(3'000'000, 'b');
  const std::string wire = "HTTP/1.1 200 OK\r\n" + header +
                           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  respond(wire);
  const Exchange x = round_trip();
  expect_ok(x, 200, body.size(), wire);
  EXPECT_TRUE(conn_->reusable());
}

TEST_F(Http1ConnTest, HeaderOverTheLimitIsAnError) {
  make();
  respond("HTTP/1.1 200 OK\r\nX-Huge: " + std::string(70'000, 'h') + "\r\n\r\n");
  const Exchange x = round_trip();
  EXPECT_EQ(x.result.ec, http::error::header_limit);
  EXPECT_FALSE(conn_->reusable());
}

// header_lines returns a status line and header fields of kLine bytes each, at least `size`
// bytes in all, so that reads of a multiple of kLine end exactly at line ends (as from a server
// that writes a line at a time).
constexpr std::size_t kLine = 18;
std::string header_lines(std::size_t size) {
  std::string out = "HTTP/1.1 200 OK!\r\n";  // kLine bytes
  // Room for any int, so that the compiler sees no truncation; i % 1'000'000 has six digits,
  // which make kLine bytes.
  char line[kLine + 8];
  for (int i = 0; out.size() < size; ++i) {
    std::snprintf(line, sizeof line, "X-Line-%06d: v\r\n", i % 1'000'000);
    out.append(line, kLine);
  }
  return out;
}

// The limit holds for the header block as a whole, however the reads split it: Beast alone
// checks only the part it is given at once, so reads that end at line ends would let a header
// of any size through.
TEST_F(Http1ConnTest, ManySmallHeaderLinesOverTheLimitAreAnErrorWhateverTheReads) {
  const std::string wire = header_lines(600'000) + "Content-Length: 0\r\n\r\n";
  for (const std::size_t read_size :
       {std::size_t{0}, kLine, 10 * kLine, 100 * kLine, std::size_t{4096}}) {
    SCOPED_TRACE(read_size);
    make(read_size);
    respond(wire);
    const Exchange x = round_trip();
    EXPECT_EQ(x.result.ec, http::error::header_limit);
    EXPECT_FALSE(conn_->reusable());
  }
}

// A header block just under the limit passes, in small reads as in one.
TEST_F(Http1ConnTest, HeaderBlockJustUnderTheLimitPassesInSmallReads) {
  const std::string wire = header_lines(60'000) + "Content-Length: 2\r\n\r\nok";
  for (const std::size_t read_size : {std::size_t{0}, kLine, 97 * kLine, std::size_t{4096}}) {
    SCOPED_TRACE(read_size);
    make(read_size);
    respond(wire);
    const Exchange x = round_trip();
    expect_ok(x, 200, 2, wire);
  }
}

// A status code is three digits from 100 (RFC 9110 section 15); Beast takes any three digits.
TEST_F(Http1ConnTest, StatusBelow100IsAParseError) {
  for (const std::string_view wire : {"HTTP/1.1 020 OK\r\nContent-Length: 0\r\n\r\n",
                                      "HTTP/1.1 000 \r\nContent-Length: 0\r\n\r\n",
                                      "HTTP/1.1 099 OK\r\nContent-Length: 0\r\n\r\n"}) {
    SCOPED_TRACE(wire);
    make();
    respond(wire);
    const Exchange x = round_trip();
    EXPECT_EQ(x.result.ec, http::error::bad_status) << "read as status " << x.resp.status;
    EXPECT_FALSE(conn_->reusable());
  }
}

// Each write and read of an exchange fails in turn (Beast's fail_count): every failure comes
// back as an error value, never as an exception, and leaves the connection unusable.
TEST_F(Http1ConnTest, EveryFailurePointYieldsAnErrorValue) {
  int failures = 0;
  std::optional<beast::test::fail_count> fc;
  for (std::size_t n = 1; n < 100; ++n) {
    SCOPED_TRACE(n);
    conn_.reset();
    fc.emplace(n);
    make(8, &*fc);
    respond(kChunked);
    const Exchange x = round_trip();
    if (!x.result.ec) {
      expect_ok(x, 200, 11, kChunked);
      EXPECT_TRUE(conn_->reusable());
      break;
    }
    ++failures;
    EXPECT_EQ(x.result.ec, beast::test::error::test_failure);
    EXPECT_EQ(x.result.wrote_any, n > 1) << "only the first operation is the write";
    EXPECT_FALSE(conn_->reusable());
  }
  // One write, then one read per 8 bytes of the response.
  EXPECT_EQ(failures, 1 + static_cast<int>((kChunked.size() + 7) / 8));
}

// ---- Dialer and connection over loopback TCP --------------------------------------------------
// Cancellation is tested here rather than over the test stream: Boost 1.81's test stream passes
// a cancellation slot along but never installs a handler on it, so a cancel could not abort it.

// answer is a one-shot server: it accepts one connection, reads one request head, writes
// `response` and parks the socket in *kept, open, for the test to close or write to.
asio::awaitable<void> answer(tcp::acceptor* acceptor, std::string response,
                             std::optional<tcp::socket>* kept) {
  auto [accept_ec, socket] = co_await acceptor->async_accept(asio::as_tuple(asio::use_awaitable));
  if (accept_ec) co_return;
  std::string request;
  const auto [read_ec, n] = co_await asio::async_read_until(
      socket, asio::dynamic_buffer(request), "\r\n\r\n", asio::as_tuple(asio::use_awaitable));
  if (read_ec) co_return;
  co_await asio::async_write(socket, asio::buffer(response), asio::as_tuple(asio::use_awaitable));
  kept->emplace(std::move(socket));
}

// PostedCancel emits a cancel on the request's executor right after an event, so that the
// signal reaches the operation the connection starts next.
class PostedCancel final : public pool::RequestTrace {
 public:
  PostedCancel(asio::io_context& ioc, bool after_first_byte)
      : ioc_(ioc), after_first_byte_(after_first_byte) {}

  void on_wrote_request() override {
    if (!after_first_byte_) cancel_soon();
  }
  void on_first_response_byte() override {
    if (after_first_byte_) cancel_soon();
  }

  asio::cancellation_signal signal;

 private:
  void cancel_soon() {
    asio::post(ioc_, [this] { signal.emit(asio::cancellation_type::terminal); });
  }

  asio::io_context& ioc_;
  bool after_first_byte_;
};

class TcpDialerTest : public ::testing::Test {
 protected:
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  pool::ConnKey key(std::string host = "127.0.0.1") const {
    pool::ConnKey k;
    k.scheme = "http";
    k.host = std::move(host);
    k.port = port();
    return k;
  }

  pool::DialResult dial(pool::TcpDialer& dialer, const pool::ConnKey& k,
                        asio::cancellation_slot cancel = {}) {
    return run_to_end(ioc_, dialer.dial(k, cancel));
  }

  // fill_accept_queue makes further connects to acceptor_ hang: with a backlog of 0 the
  // kernel queues one unaccepted connection and drops the SYNs of the others.
  void fill_accept_queue() {
    acceptor_.listen(0);
    for (auto& s : fillers_) {
      s.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()),
                      [](error_code) {});
    }
  }

  asio::io_context ioc_;
  tcp::acceptor acceptor_{ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::optional<tcp::socket> server_;
  std::array<tcp::socket, 3> fillers_{tcp::socket(ioc_), tcp::socket(ioc_), tcp::socket(ioc_)};
};

TEST_F(TcpDialerTest, DialsAndCarriesARoundTrip) {
  constexpr std::string_view kWire = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  asio::co_spawn(ioc_, answer(&acceptor_, std::string(kWire), &server_), asio::detached);
  pool::TcpDialer dialer(pool::steady_clock());
  pool::DialResult d = dial(dialer, key());
  ASSERT_FALSE(d.ec) << d.ec.message();
  ASSERT_TRUE(d.conn);
  EXPECT_EQ(d.conn->max_concurrent_streams(), 1);
  EXPECT_EQ(d.resolve_time, pool::Duration::zero()) << "an IP address is not looked up";

  const Exchange x = exchange(ioc_, *d.conn, request());
  EXPECT_FALSE(x.result.ec) << x.result.ec.message();
  EXPECT_EQ(x.resp.status, 200u);
  EXPECT_EQ(x.resp.body_bytes, 5u);
  EXPECT_EQ(x.resp.bytes_in, kWire.size());
  EXPECT_TRUE(d.conn->reusable());
  EXPECT_FALSE(d.conn->peer_closed()) << "an idle, open connection";
  EXPECT_TRUE(d.conn->reusable());
}

TEST_F(TcpDialerTest, ResolvesAHostName) {
  asio::co_spawn(ioc_, answer(&acceptor_, "HTTP/1.1 204 No Content\r\n\r\n", &server_),
                 asio::detached);
  pool::TcpDialer dialer(pool::steady_clock());
  pool::DialResult d = dial(dialer, key("localhost"));
  ASSERT_FALSE(d.ec) << d.ec.message();
  EXPECT_GT(d.resolve_time, pool::Duration::zero()) << "the lookup is timed";
  const Exchange x = exchange(ioc_, *d.conn, request());
  EXPECT_FALSE(x.result.ec) << x.result.ec.message();
  EXPECT_EQ(x.resp.status, 204u);
}

// The liveness check sees a server-side close of an idle connection.
TEST_F(TcpDialerTest, PeerClosedSeesTheServerClose) {
  asio::co_spawn(ioc_, answer(&acceptor_, "HTTP/1.1 204 No Content\r\n\r\n", &server_),
                 asio::detached);
  pool::TcpDialer dialer(pool::steady_clock());
  pool::DialResult d = dial(dialer, key());
  ASSERT_FALSE(d.ec) << d.ec.message();
  ASSERT_FALSE(exchange(ioc_, *d.conn, request()).result.ec);
  ASSERT_TRUE(server_);
  ASSERT_FALSE(d.conn->peer_closed());

  server_->close();
  bool closed = false;
  for (int i = 0; i < 100 && !closed; ++i) {
    closed = d.conn->peer_closed();
    if (!closed) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(closed);
  EXPECT_FALSE(d.conn->reusable());
}

// Go's idle readLoop treats bytes on an idle connection (a 408, say) as a close.
TEST_F(TcpDialerTest, PeerClosedSeesUnsolicitedBytes) {
  asio::co_spawn(ioc_, answer(&acceptor_, "HTTP/1.1 204 No Content\r\n\r\n", &server_),
                 asio::detached);
  pool::TcpDialer dialer(pool::steady_clock());
  pool::DialResult d = dial(dialer, key());
  ASSERT_FALSE(d.ec) << d.ec.message();
  ASSERT_FALSE(exchange(ioc_, *d.conn, request()).result.ec);
  ASSERT_TRUE(server_);

  asio::write(*server_, asio::buffer(std::string_view("HTTP/1.1 408 Request Timeout\r\n\r\n")));
  bool closed = false;
  for (int i = 0; i < 100 && !closed; ++i) {
    closed = d.conn->peer_closed();
    if (!closed) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(closed);
}

// read_all_then_answer accepts one connection, reads `expect` bytes from it, then answers 204
// and records how many bytes arrived.
asio::awaitable<void> read_all_then_answer(tcp::acceptor* acceptor, std::size_t expect,
                                           std::size_t* got, std::optional<tcp::socket>* kept) {
  auto [accept_ec, socket] = co_await acceptor->async_accept(asio::as_tuple(asio::use_awaitable));
  if (accept_ec) co_return;
  std::string request(expect, '\0');
  const auto [read_ec, n] =
      co_await asio::async_read(socket, asio::buffer(request), asio::as_tuple(asio::use_awaitable));
  *got = n;
  if (read_ec) co_return;
  co_await asio::async_write(socket,
                             asio::buffer(std::string_view("HTTP/1.1 204 No Content\r\n\r\n")),
                             asio::as_tuple(asio::use_awaitable));
  kept->emplace(std::move(socket));
}

TEST_F(TcpDialerTest, RequestLargerThanTheSendBufferIsWrittenWhole) {
  // The first write takes what the socket's buffer holds at once; the rest must follow.
  const std::string body(16 << 20, 'x');
  const std::string wire =
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
      body;
  std::size_t got = 0;
  asio::co_spawn(ioc_, read_all_then_answer(&acceptor_, wire.size(), &got, &server_),
                 asio::detached);
  pool::TcpDialer dialer(pool::steady_clock());
  pool::DialResult d = dial(dialer, key());
  ASSERT_FALSE(d.ec) << d.ec.message();
  pool::Request req = request();
  req.wire = wire;
  const Exchange x = exchange(ioc_, *d.conn, req);
  EXPECT_FALSE(x.result.ec) << x.result.ec.message();
  EXPECT_EQ(x.resp.status, 204u);
  EXPECT_EQ(x.resp.bytes_out, wire.size());
  EXPECT_EQ(got, wire.size());
  EXPECT_TRUE(d.conn->reusable());
}

TEST_F(TcpDialerTest, CancelWhileWaitingForTheResponseAbortsTheRead) {
  // The server reads the request and never answers.
  asio::co_spawn(ioc_, answer(&acceptor_, "", &server_), asio::detached);
  pool::TcpDialer dialer(pool::steady_clock());
  pool::DialResult d = dial(dialer, key());
  ASSERT_FALSE(d.ec) << d.ec.message();

  PostedCancel trace(ioc_, /*after_first_byte=*/false);
  pool::Request req = request();
  req.trace = &trace;
  req.cancel = trace.signal.slot();
  const Exchange x = exchange(ioc_, *d.conn, req);
  EXPECT_EQ(x.result.ec, asio::error::operation_aborted);
  EXPECT_TRUE(x.result.wrote_any);
  EXPECT_FALSE(x.result.got_any);
  EXPECT_FALSE(d.conn->reusable());
}

TEST_F(TcpDialerTest, CancelMidBodyAbortsTheRead) {
  asio::co_spawn(ioc_,
                 answer(&acceptor_, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", &server_),
                 asio::detached);
  pool::TcpDialer dialer(pool::steady_clock());
  pool::DialResult d = dial(dialer, key());
  ASSERT_FALSE(d.ec) << d.ec.message();

  PostedCancel trace(ioc_, /*after_first_byte=*/true);
  pool::Request req = request();
  req.trace = &trace;
  req.cancel = trace.signal.slot();
  const Exchange x = exchange(ioc_, *d.conn, req);
  EXPECT_EQ(x.result.ec, asio::error::operation_aborted);
  EXPECT_TRUE(x.result.got_any);
  EXPECT_FALSE(d.conn->reusable());
}

TEST_F(TcpDialerTest, ClosedPortIsConnectionRefused) {
  const pool::ConnKey k = key();
  acceptor_.close();
  pool::TcpDialer dialer(pool::steady_clock());
  const pool::DialResult d = dial(dialer, k);
  EXPECT_EQ(d.ec, asio::error::connection_refused) << d.ec.message();
  EXPECT_FALSE(d.conn);
}

TEST_F(TcpDialerTest, UnknownHostIsAResolveError) {
  pool::TcpDialer dialer(pool::steady_clock());
  const pool::DialResult d = dial(dialer, key("no-such-host.invalid"));
  EXPECT_TRUE(d.ec == asio::error::host_not_found || d.ec == asio::error::host_not_found_try_again)
      << d.ec.message();
  EXPECT_FALSE(d.conn);
}

TEST_F(TcpDialerTest, HangingConnectTimesOut) {
  fill_accept_queue();
  pool::TcpDialer dialer(pool::steady_clock(), pool::TcpDialerOptions{.dial_timeout = 100ms});
  const pool::DialResult d = dial(dialer, key());
  EXPECT_EQ(d.ec, pool::Errc::dial_timeout) << d.ec.message();
  EXPECT_EQ(d.ec, boost::system::errc::timed_out) << "a timeout for generic checks too";
  EXPECT_EQ(std::string(d.ec.category().name()), "hload.pool");
  EXPECT_FALSE(d.conn);
}

TEST_F(TcpDialerTest, CancelAbortsAHangingDial) {
  fill_accept_queue();
  pool::TcpDialer dialer(
      pool::steady_clock());  // the default timeout of 30 s must not be what ends it
  asio::cancellation_signal cancel;
  asio::steady_timer soon(ioc_, 50ms);
  soon.async_wait([&cancel](error_code) { cancel.emit(asio::cancellation_type::terminal); });
  const pool::DialResult d = dial(dialer, key(), cancel.slot());
  EXPECT_EQ(d.ec, asio::error::operation_aborted) << d.ec.message();
  EXPECT_FALSE(d.conn);
}

// A cancel that comes after the dial finished touches nothing.
TEST_F(TcpDialerTest, CancelAfterTheDialIsHarmless) {
  asio::co_spawn(ioc_, answer(&acceptor_, "HTTP/1.1 204 No Content\r\n\r\n", &server_),
                 asio::detached);
  pool::TcpDialer dialer(pool::steady_clock(), pool::TcpDialerOptions{.dial_timeout = 10ms});
  asio::cancellation_signal cancel;
  pool::DialResult d = dial(dialer, key(), cancel.slot());
  ASSERT_FALSE(d.ec) << d.ec.message();
  cancel.emit(asio::cancellation_type::terminal);
  asio::steady_timer past_timeout(ioc_, 50ms);
  run_to_end(ioc_, [](asio::steady_timer* t) -> asio::awaitable<int> {
    co_await t->async_wait(asio::as_tuple(asio::use_awaitable));
    co_return 0;
  }(&past_timeout));
  const Exchange x = exchange(ioc_, *d.conn, request());
  EXPECT_FALSE(x.result.ec) << x.result.ec.message();
  EXPECT_EQ(x.resp.status, 204u);
}

}  // namespace
}  // namespace hload::test
