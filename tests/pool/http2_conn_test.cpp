// Tests of the HTTP/2 connection: over Beast's in-memory test stream against an nghttp2 server
// session (tests/support/h2_test_server), on one io_context and across two threads.

#include "pool/http2_conn.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/http/error.hpp>

#include "pool/errors.hpp"
#include "pool/h2_errors.hpp"
#include "pool/http2_conn_impl.hpp"
#include "pool/trace.hpp"
#include "tests/support/h2_test_server.hpp"

namespace hload::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using pool::error_code;
using namespace std::chrono_literals;

using StreamConn = pool::BasicHttp2Conn<beast::test::stream>;

constexpr std::uint32_t kRefusedStream = 0x7;
constexpr std::uint32_t kInternalError = 0x2;
constexpr std::uint32_t kCancel = 0x8;

// TestRequest is a request with the storage its views point into.
struct TestRequest {
  TestRequest(std::string method, std::string path, std::string body_text = {})
      : storage{":method",      std::move(method), ":scheme",       "http",       ":authority",
                "example.test", ":path",           std::move(path), "user-agent", "hload-test"},
        body(std::move(body_text)) {
    for (std::size_t i = 0; i < storage.size(); i += 2) {
      fields.push_back({storage[i], storage[i + 1]});
    }
    req.fields = fields;
    req.body = body;
  }
  TestRequest(const TestRequest&) = delete;
  TestRequest& operator=(const TestRequest&) = delete;

  std::vector<std::string> storage;
  std::vector<pool::HeaderField> fields;
  std::string body;
  pool::Request req;
};

// Exchange is one round trip's request and outcome.
struct Exchange {
  explicit Exchange(std::string path = "/", std::string method = "GET", std::string body = {})
      : request(std::move(method), std::move(path), std::move(body)) {}
  TestRequest request;
  pool::ConnResult result;
  pool::Response resp;
  bool done = false;
};

// RecordingTrace keeps the request events a connection reports, in order, and on which
// thread each came.
class RecordingTrace final : public pool::RequestTrace {
 public:
  void on_wrote_request() override { record("wrote"); }
  void on_first_response_byte() override { record("first_byte"); }

  std::vector<std::string> events;
  std::vector<std::thread::id> threads;

 private:
  void record(std::string e) {
    events.push_back(std::move(e));
    threads.push_back(std::this_thread::get_id());
  }
};

// CountingEvents counts on_conn_changed calls.
class CountingEvents final : public pool::ConnEvents {
 public:
  void on_conn_changed() override { ++calls; }
  std::atomic<int> calls{0};
};

// spawn starts x's round trip on executor ex; x.done is set when it ended. An exception
// escaping fails the test: errors must be values.
void spawn(const asio::any_io_executor& ex, pool::Conn& conn, Exchange& x) {
  asio::co_spawn(ex, conn.round_trip(x.request.req, x.resp),
                 [&x](const std::exception_ptr& e, pool::ConnResult r) {
                   EXPECT_FALSE(e) << "an exception escaped";
                   x.result = r;
                   x.done = true;
                 });
}

// run_until runs ioc until done() holds, failing the test when ten seconds pass with nothing
// to do, so that a hang is a failure, not a stuck test.
template <class Done>
void run_until(asio::io_context& ioc, Done done) {
  ioc.restart();
  while (!done() && ioc.run_one_for(10s) > 0) {
  }
  if (!done()) ADD_FAILURE() << "the operation did not finish";
}

class Http2ConnTest : public ::testing::Test {
 protected:
  // make connects a new connection to a new server and starts it.
  void make(H2ServerOptions options = {}) {
    beast::test::stream client(ioc_);
    beast::test::stream server_end(ioc_);
    client.connect(server_end);
    server_ = std::make_unique<H2TestServer>(std::move(server_end), options);
    conn_ = std::make_unique<StreamConn>(std::move(client));
    std::optional<error_code> started;
    asio::co_spawn(ioc_, conn_->start(), [&](const std::exception_ptr& e, error_code ec) {
      EXPECT_FALSE(e);
      started = ec;
    });
    run_until(ioc_, [&] { return started.has_value(); });
    ASSERT_TRUE(started.has_value());
    ASSERT_FALSE(*started) << started->message();
    conn_->set_events(events_);
  }

  // exchange runs one round trip to its end.
  void exchange(Exchange& x) {
    spawn(ioc_.get_executor(), *conn_, x);
    run_until(ioc_, [&] { return x.done; });
  }

  // start_all starts the round trips of xs; run_all runs them to their end.
  void start_all(std::deque<Exchange>& xs) {
    for (Exchange& x : xs) spawn(ioc_.get_executor(), *conn_, x);
  }
  void run_all(std::deque<Exchange>& xs) {
    run_until(ioc_, [&] {
      for (const Exchange& x : xs) {
        if (!x.done) return false;
      }
      return true;
    });
  }

  // settle runs what is ready without waiting.
  void settle() {
    ioc_.restart();
    ioc_.poll();
  }

  asio::io_context ioc_;
  std::unique_ptr<H2TestServer> server_;
  std::shared_ptr<CountingEvents> events_ = std::make_shared<CountingEvents>();
  std::unique_ptr<StreamConn> conn_;
};

TEST_F(Http2ConnTest, OneRequestGetsItsResponse) {
  make();
  server_->set_script([](const H2Request&) {
    return H2Reply{.status = 200, .headers = {{"content-type", "text/plain"}}, .body_size = 5};
  });
  RecordingTrace trace;
  Exchange x;
  x.request.req.trace = &trace;
  exchange(x);

  EXPECT_FALSE(x.result.ec) << x.result.ec.message();
  EXPECT_TRUE(x.result.wrote_any);
  EXPECT_TRUE(x.result.got_any);
  EXPECT_EQ(x.resp.status, 200u);
  EXPECT_EQ(x.resp.body_bytes, 5u);
  EXPECT_TRUE(x.resp.keep_alive);
  EXPECT_TRUE(x.resp.location.empty());
  EXPECT_EQ(x.resp.bytes_in, server_->bytes_sent(1)) << "every frame byte the server sent";
  EXPECT_EQ(x.resp.bytes_out, server_->bytes_received(1)) << "every frame byte it received";
  EXPECT_GT(x.resp.bytes_in, 9u + 9u + 5u);
  EXPECT_EQ(trace.events, (std::vector<std::string>{"wrote", "first_byte"}));
  EXPECT_TRUE(conn_->reusable());
  EXPECT_FALSE(conn_->peer_closed());
  EXPECT_EQ(conn_->protocol(), "h2");

  ASSERT_EQ(server_->requests().size(), 1u);
  const H2Request& r = server_->requests()[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.scheme, "http");
  EXPECT_EQ(r.authority, "example.test");
  EXPECT_EQ(r.path, "/");
  EXPECT_EQ(r.headers,
            (std::vector<std::pair<std::string, std::string>>{{"user-agent", "hload-test"}}));
  EXPECT_EQ(server_->client_window(), 16u * 1024 * 1024) << "a large window, not HTTP/2's 64 KB";
}

TEST_F(Http2ConnTest, HundredConcurrentRequestsShareOneConnection) {
  make();
  server_->set_script([](const H2Request& r) {
    return H2Reply{.status = 200, .body_size = std::stoul(r.path.substr(1))};
  });
  std::deque<Exchange> xs;
  for (int i = 0; i < 100; ++i) xs.emplace_back("/" + std::to_string(i));
  start_all(xs);
  run_all(xs);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    EXPECT_FALSE(xs[i].result.ec) << i << ": " << xs[i].result.ec.message();
    EXPECT_EQ(xs[i].resp.status, 200u);
    EXPECT_EQ(xs[i].resp.body_bytes, i) << "each response reached its own request";
  }
  EXPECT_EQ(server_->requests().size(), 100u);
  // All 100 were under way at once: the server had received every request before the first
  // response was read, since none was started after another ended.
  EXPECT_TRUE(conn_->reusable());
}

TEST_F(Http2ConnTest, MegabyteEachWayPassesFlowControl) {
  // The server's window is HTTP/2's 64 KB, so the upload goes on only as it grants more; the
  // download relies on the client's large windows.
  make();
  server_->set_script(
      [](const H2Request& r) { return H2Reply{.status = 200, .body_size = r.body_bytes}; });
  Exchange x("/upload", "POST", std::string(1 << 20, 'b'));
  exchange(x);
  EXPECT_FALSE(x.result.ec) << x.result.ec.message();
  ASSERT_EQ(server_->requests().size(), 1u);
  EXPECT_EQ(server_->requests()[0].body_bytes, 1u << 20);
  EXPECT_EQ(x.resp.body_bytes, 1u << 20);
  EXPECT_EQ(x.resp.bytes_in, server_->bytes_sent(1));
  EXPECT_EQ(x.resp.bytes_out, server_->bytes_received(1));
  EXPECT_TRUE(conn_->reusable());
}

TEST_F(Http2ConnTest, PostBodyArrivesWhole) {
  make();
  Exchange x("/form", "POST", "name=value");
  exchange(x);
  EXPECT_FALSE(x.result.ec) << x.result.ec.message();
  ASSERT_EQ(server_->requests().size(), 1u);
  EXPECT_EQ(server_->requests()[0].method, "POST");
  EXPECT_EQ(server_->requests()[0].body_bytes, 10u);
  EXPECT_EQ(x.resp.bytes_out, server_->bytes_received(1));
  EXPECT_EQ(x.resp.status, 200u);
}

TEST_F(Http2ConnTest, RedirectKeepsItsLocation) {
  make();
  server_->set_script([](const H2Request& r) {
    if (r.path == "/moved") return H2Reply{.status = 302, .headers = {{"location", "/there"}}};
    return H2Reply{.status = 200, .headers = {{"location", "/ignored"}}};
  });
  Exchange moved("/moved");
  exchange(moved);
  EXPECT_EQ(moved.resp.status, 302u);
  EXPECT_EQ(moved.resp.location, "/there");
  Exchange ok("/ok");
  exchange(ok);
  EXPECT_EQ(ok.resp.status, 200u);
  EXPECT_TRUE(ok.resp.location.empty()) << "Location counts for a 3xx only";
}

TEST_F(Http2ConnTest, InterimResponseIsSkipped) {
  make();
  // 103 Early Hints, then the response: the status is the final one's.
  server_->set_script([](const H2Request&) { return H2Reply{.interim = 103, .status = 204}; });
  Exchange x;
  exchange(x);
  EXPECT_FALSE(x.result.ec);
  EXPECT_EQ(x.resp.status, 204u);
  EXPECT_EQ(x.resp.body_bytes, 0u);
}

TEST_F(Http2ConnTest, MaxConcurrentStreamsIsTheServersFromTheStart) {
  make({.max_concurrent_streams = 7});
  EXPECT_EQ(conn_->max_concurrent_streams(), 7) << "known before the first request";
  EXPECT_EQ(events_->calls, 0);

  server_->send_settings(3);
  settle();
  EXPECT_EQ(conn_->max_concurrent_streams(), 3);
  EXPECT_EQ(events_->calls, 1) << "the pool hears of the change";
  EXPECT_TRUE(conn_->reusable());

  server_->send_settings(3);
  settle();
  EXPECT_EQ(events_->calls, 1) << "SETTINGS that change nothing are not news";
}

TEST_F(Http2ConnTest, UnlimitedServerCountsAsAThousandStreams) {
  make({.limit_streams = false});
  EXPECT_EQ(conn_->max_concurrent_streams(), 1000);
}

TEST_F(Http2ConnTest, GoawayRefusesStreamsAboveItsLastIdAndLetsTheOthersFinish) {
  make();
  server_->set_script([](const H2Request&) { return H2Reply{.hold = true}; });
  std::deque<Exchange> xs(4);  // streams 1, 3, 5, 7
  start_all(xs);
  run_until(ioc_, [&] { return server_->held().size() == 4; });

  server_->send_goaway(3);
  settle();
  EXPECT_FALSE(conn_->reusable()) << "no new stream after GOAWAY";
  EXPECT_TRUE(conn_->peer_closed());
  EXPECT_GE(events_->calls, 1);
  ASSERT_TRUE(xs[2].done && xs[3].done) << "streams 5 and 7 end at once";
  EXPECT_EQ(xs[2].result.ec, pool::Errc::refused_stream);
  EXPECT_EQ(xs[3].result.ec, pool::Errc::refused_stream);
  EXPECT_FALSE(xs[0].done || xs[1].done) << "streams 1 and 3 go on";

  server_->release(1, H2Reply{.status = 200, .body_size = 3});
  server_->release(3, H2Reply{.status = 201});
  run_all(xs);
  EXPECT_FALSE(xs[0].result.ec) << xs[0].result.ec.message();
  EXPECT_EQ(xs[0].resp.body_bytes, 3u);
  EXPECT_FALSE(xs[1].result.ec) << xs[1].result.ec.message();
  EXPECT_EQ(xs[1].resp.status, 201u);
  EXPECT_EQ(conn_->close_reason(), pool::CloseReason::server_close);

  // The pool may still hand it out in the moment GOAWAY arrives: nothing is sent, and the
  // request may go elsewhere.
  Exchange late;
  exchange(late);
  EXPECT_EQ(late.result.ec, pool::Errc::refused_stream);
  EXPECT_FALSE(late.result.wrote_any);
}

TEST_F(Http2ConnTest, GoawayWithAnErrorIsAProtocolClose) {
  make();
  server_->send_goaway(0, kInternalError);
  settle();
  EXPECT_FALSE(conn_->reusable());
  EXPECT_EQ(conn_->close_reason(), pool::CloseReason::protocol);
}

TEST_F(Http2ConnTest, RefusedStreamIsRetryableOtherResetsNameTheirCode) {
  make();
  server_->set_script([](const H2Request& r) {
    if (r.path == "/refused") return H2Reply{.reset = kRefusedStream};
    if (r.path == "/internal") return H2Reply{.reset = kInternalError};
    return H2Reply{.status = 200};
  });
  std::deque<Exchange> xs;
  xs.emplace_back("/refused");
  xs.emplace_back("/internal");
  xs.emplace_back("/ok");
  start_all(xs);
  run_all(xs);
  EXPECT_EQ(xs[0].result.ec, pool::Errc::refused_stream);
  const error_code reset = xs[1].result.ec;
  EXPECT_TRUE(pool::is_stream_reset(reset)) << reset.message();
  EXPECT_EQ(reset, boost::system::error_condition(static_cast<int>(pool::Errc::stream_reset),
                                                  pool::pool_category()));
  EXPECT_EQ(reset.message(), "stream reset by the server (INTERNAL_ERROR)");
  EXPECT_FALSE(pool::is_stream_reset(xs[0].result.ec));
  EXPECT_FALSE(xs[2].result.ec);
  EXPECT_TRUE(conn_->reusable()) << "a reset ends a stream, not the connection";

  Exchange after;
  exchange(after);
  EXPECT_FALSE(after.result.ec);
}

TEST_F(Http2ConnTest, CancelResetsOneStreamAndTheOthersContinue) {
  make();
  server_->set_script([](const H2Request&) { return H2Reply{.hold = true}; });
  std::deque<Exchange> xs(3);  // streams 1, 3, 5
  asio::cancellation_signal cancel;
  xs[1].request.req.cancel = cancel.slot();
  start_all(xs);
  run_until(ioc_, [&] { return server_->held().size() == 3; });

  cancel.emit(asio::cancellation_type::terminal);
  run_until(ioc_, [&] { return xs[1].done; });
  EXPECT_EQ(xs[1].result.ec, asio::error::operation_aborted);
  EXPECT_FALSE(xs[0].done || xs[2].done);
  settle();
  EXPECT_EQ(server_->resets(), (std::vector<std::pair<std::int32_t, std::uint32_t>>{{3, kCancel}}))
      << "the server hears RST_STREAM CANCEL";
  EXPECT_TRUE(conn_->reusable());

  server_->release(1, H2Reply{.status = 200});
  server_->release(5, H2Reply{.status = 200});
  run_all(xs);
  EXPECT_FALSE(xs[0].result.ec);
  EXPECT_FALSE(xs[2].result.ec);

  // A cancel after the round trip ended reaches nothing.
  cancel.emit(asio::cancellation_type::terminal);
  settle();
  server_->set_script([](const H2Request&) { return H2Reply{.status = 200}; });
  Exchange next;
  exchange(next);
  EXPECT_FALSE(next.result.ec);
}

TEST_F(Http2ConnTest, CloseFailsOpenStreamsEofWhenNothingArrived) {
  make();
  server_->set_script([](const H2Request& r) {
    if (r.path == "/started") return H2Reply{.status = 200, .headers_only = true};
    return H2Reply{.hold = true};
  });
  std::deque<Exchange> xs;
  xs.emplace_back("/started");
  xs.emplace_back("/waiting");
  start_all(xs);
  run_until(ioc_, [&] { return server_->held().size() == 1 && server_->requests().size() == 2; });
  settle();

  server_->close();
  run_all(xs);
  EXPECT_EQ(xs[0].result.ec, beast::http::error::partial_message) << "cut short";
  EXPECT_TRUE(xs[0].result.got_any);
  EXPECT_EQ(xs[1].result.ec, asio::error::eof) << "nothing arrived: the pool's stale case";
  EXPECT_FALSE(xs[1].result.got_any);
  EXPECT_TRUE(xs[1].result.wrote_any);
  EXPECT_FALSE(conn_->reusable());
  EXPECT_GE(events_->calls, 1);
}

TEST_F(Http2ConnTest, IdleCloseIsAServerClose) {
  make();
  server_->close();
  settle();
  EXPECT_TRUE(conn_->peer_closed());
  EXPECT_EQ(conn_->close_reason(), pool::CloseReason::server_close);
  EXPECT_EQ(events_->calls, 1);
}

TEST_F(Http2ConnTest, DestroyingTheConnectionClosesIt) {
  make();
  Exchange x;
  exchange(x);
  EXPECT_FALSE(server_->client_closed());
  conn_.reset();
  settle();
  EXPECT_TRUE(server_->client_closed()) << "the close was handed to the connection's executor";
}

// A peer that is no HTTP/2 server, or none at all: start fails, as a value.
class Http2StartTest : public ::testing::Test {
 protected:
  std::optional<error_code> start(StreamConn& conn, asio::cancellation_slot cancel = {}) {
    std::optional<error_code> started;
    asio::co_spawn(ioc_, conn.start(cancel), [&](const std::exception_ptr& e, error_code ec) {
      EXPECT_FALSE(e);
      started = ec;
    });
    ioc_.restart();
    ioc_.poll();
    return started;
  }

  asio::io_context ioc_;
};

TEST_F(Http2StartTest, Http1AnswerIsAProtocolError) {
  beast::test::stream client(ioc_), server(ioc_);
  client.connect(server);
  StreamConn conn(std::move(client));
  asio::write(server, asio::buffer(std::string_view("HTTP/1.1 400 Bad Request\r\n\r\n")));
  const auto started = start(conn);
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(*started, pool::Errc::h2_protocol);
  EXPECT_FALSE(conn.reusable());
}

TEST_F(Http2StartTest, CloseBeforeSettingsIsEof) {
  beast::test::stream client(ioc_), server(ioc_);
  client.connect(server);
  StreamConn conn(std::move(client));
  server.close();
  const auto started = start(conn);
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(*started, asio::error::eof);
}

TEST_F(Http2StartTest, CancelEndsAWaitForSettings) {
  // Over a socket pair: Beast's test stream does not take per-operation cancellation.
  using LocalSocket = asio::local::stream_protocol::socket;
  LocalSocket client(ioc_), server(ioc_);
  asio::local::connect_pair(client, server);
  pool::BasicHttp2Conn<LocalSocket> conn(std::move(client));
  asio::cancellation_signal cancel;
  std::optional<error_code> started;
  asio::co_spawn(ioc_, conn.start(cancel.slot()), [&](const std::exception_ptr& e, error_code ec) {
    EXPECT_FALSE(e);
    started = ec;
  });
  ioc_.poll();
  EXPECT_FALSE(started.has_value()) << "the server said nothing yet";
  cancel.emit(asio::cancellation_type::terminal);
  ioc_.restart();
  ioc_.poll();
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(*started, asio::error::operation_aborted);
  EXPECT_FALSE(conn.reusable());
}

// A server that breaks off mid-frame: the stream is charged the bytes that came, not the
// frame's declared length.
TEST_F(Http2StartTest, FrameCutShortCountsOnlyWhatArrived) {
  beast::test::stream client(ioc_), server(ioc_);
  client.connect(server);
  StreamConn conn(std::move(client));
  asio::write(server, asio::buffer(std::string_view("\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9)));
  const auto started = start(conn);
  ASSERT_TRUE(started.has_value());
  ASSERT_FALSE(*started) << started->message();

  Exchange x;
  spawn(ioc_.get_executor(), conn, x);
  ioc_.restart();
  ioc_.poll();
  // HEADERS on stream 1, END_HEADERS, declaring 100 bytes of which 1 arrives (:status 200).
  asio::write(server,
              asio::buffer(std::string_view("\x00\x00\x64\x01\x04\x00\x00\x00\x01\x88", 10)));
  server.close();
  run_until(ioc_, [&] { return x.done; });
  EXPECT_EQ(x.result.ec, beast::http::error::partial_message);
  EXPECT_TRUE(x.result.got_any);
  EXPECT_EQ(x.resp.bytes_in, 10u);
}

// Round trips from another thread's io_context on a connection that lives on this one: each
// resumes on its own thread, and trace events come there too. Run under ThreadSanitizer.
TEST(Http2ConnThreadsTest, RequestsFromTwoIoContextsShareOneConnection) {
  asio::io_context conn_ioc;
  asio::io_context other_ioc;
  beast::test::stream client(conn_ioc), server_end(conn_ioc);
  client.connect(server_end);
  auto server = std::make_unique<H2TestServer>(std::move(server_end));
  server->set_script([](const H2Request& r) {
    if (r.path == "/hold") return H2Reply{.hold = true};
    return H2Reply{.status = 200, .body_size = r.path.size(), .delay = 1ms};
  });
  auto conn = std::make_unique<StreamConn>(std::move(client));
  std::optional<error_code> started;
  asio::co_spawn(conn_ioc, conn->start(),
                 [&](const std::exception_ptr&, error_code ec) { started = ec; });
  run_until(conn_ioc, [&] { return started.has_value(); });
  ASSERT_FALSE(started.value_or(asio::error::eof));

  constexpr int kEach = 100;
  struct Side {
    std::deque<Exchange> xs;
    std::deque<RecordingTrace> traces;
    std::deque<asio::cancellation_signal> cancels;
    std::atomic<int> done{0};
    std::thread::id thread;
  };
  Side local, remote;
  auto prepare = [](Side& side) {
    for (int i = 0; i < kEach; ++i) {
      // Every tenth request is held by the server and cancelled by its requester.
      side.xs.emplace_back(i % 10 == 0 ? "/hold" : "/" + std::string(i, 'p'));
      side.traces.emplace_back();
      side.cancels.emplace_back();
      side.xs.back().request.req.trace = &side.traces.back();
      side.xs.back().request.req.cancel = side.cancels.back().slot();
    }
  };
  prepare(local);
  prepare(remote);

  auto requester = [&conn](Side& side) -> asio::awaitable<void> {
    side.thread = std::this_thread::get_id();
    for (std::size_t i = 0; i < side.xs.size(); ++i) {
      asio::co_spawn(co_await asio::this_coro::executor,
                     conn->round_trip(side.xs[i].request.req, side.xs[i].resp),
                     [&side, i](const std::exception_ptr& e, pool::ConnResult r) {
                       EXPECT_FALSE(e);
                       side.xs[i].result = r;
                       side.xs[i].done = true;
                       ++side.done;
                     });
    }
    asio::steady_timer t(co_await asio::this_coro::executor, 20ms);
    co_await t.async_wait(asio::use_awaitable);
    for (std::size_t i = 0; i < side.xs.size(); i += 10) {
      side.cancels[i].emit(asio::cancellation_type::terminal);
    }
  };
  asio::co_spawn(conn_ioc, requester(local), asio::detached);
  asio::co_spawn(other_ioc, requester(remote), asio::detached);

  std::thread other([&] { other_ioc.run(); });
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while ((local.done < kEach || remote.done < kEach) &&
         std::chrono::steady_clock::now() < deadline) {
    conn_ioc.run_one_for(10ms);
  }
  other.join();  // its io_context ran out of work once its round trips had resumed

  for (Side* side : {&local, &remote}) {
    ASSERT_EQ(side->done, kEach);
    for (int i = 0; i < kEach; ++i) {
      const Exchange& x = side->xs[i];
      if (i % 10 == 0) {
        EXPECT_EQ(x.result.ec, asio::error::operation_aborted);
        continue;
      }
      EXPECT_FALSE(x.result.ec) << x.result.ec.message();
      EXPECT_EQ(x.resp.body_bytes, static_cast<std::uint64_t>(i) + 1);
      EXPECT_EQ(side->traces[i].events, (std::vector<std::string>{"wrote", "first_byte"}));
      for (const std::thread::id id : side->traces[i].threads) {
        EXPECT_EQ(id, side->thread) << "trace events come on the request's own thread";
      }
    }
  }
  EXPECT_NE(local.thread, remote.thread);
  EXPECT_TRUE(conn->reusable());
  // Destroyed from the other thread while the reader waits: the close is handed over.
  std::thread destroyer([&] { conn.reset(); });
  destroyer.join();
  conn_ioc.restart();
  conn_ioc.poll();
}

}  // namespace
}  // namespace hload::test
