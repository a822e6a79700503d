// The built-in server, seen from a raw socket: keep-alive, pipelining, every option and fault,
// the counters, and a bounded stop.

#include "cmd/server/builtin_server.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/raw_client.hpp"

namespace hload::server {
namespace {

using namespace std::chrono_literals;
using test::PeerEnd;
using test::RawClient;
using test::RawResponse;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kGet = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

// eventually polls pred until it holds or 5 s passed: the server counts a response once its
// write completed, which the client may notice first.
bool eventually(const std::function<bool()>& pred) {
  for (auto end = Clock::now() + 5s; Clock::now() < end; std::this_thread::sleep_for(2ms)) {
    if (pred()) return true;
  }
  return pred();
}

ServerOptions with(const std::function<void(ServerOptions&)>& set) {
  ServerOptions o;
  set(o);
  return o;
}

TEST(BuiltinServer, ListensOnAnEphemeralLoopbackPort) {
  BuiltinServer a;
  BuiltinServer b;
  EXPECT_NE(a.port(), 0);
  EXPECT_NE(a.port(), b.port());
}

TEST(BuiltinServer, ServesKeepAliveRequestsOnOneConnection) {
  BuiltinServer server;
  RawClient c(server.port());
  for (int i = 0; i < 5; ++i) {
    c.send(kGet);
    RawResponse r = c.read_response();
    ASSERT_TRUE(r.complete) << i;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "ok\n");
    EXPECT_FALSE(r.connection_close);
  }
  EXPECT_TRUE(eventually([&] { return server.counters().responses == 5; }));
  ServerCounters n = server.counters();
  EXPECT_EQ(n.accepted, 1u);
  EXPECT_EQ(n.requests, 5u);
  EXPECT_EQ(n.open, 1);
}

TEST(BuiltinServer, AnswersPipelinedRequestsInOrder) {
  BuiltinServer server(with([](ServerOptions& o) { o.body_size = 7; }));
  RawClient c(server.port());
  c.send(
      "GET /1 HTTP/1.1\r\n\r\n"
      "HEAD /2 HTTP/1.1\r\n\r\n"
      "POST /3 HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody"
      "POST /4 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  EXPECT_EQ(c.read_response().body, "ok\nok\no");
  RawResponse head = c.read_response(/*head=*/true);
  EXPECT_TRUE(head.complete);
  EXPECT_NE(head.head.find("Content-Length: 7"), std::string::npos);
  EXPECT_EQ(c.read_response().body, "ok\nok\no");
  EXPECT_EQ(c.read_response().body, "ok\nok\no");
  EXPECT_TRUE(eventually([&] { return server.counters().responses == 4; }));
  EXPECT_EQ(server.counters().requests, 4u);
}

TEST(BuiltinServer, ReadsBodiesThatSpanManyReads) {
  BuiltinServer server;
  RawClient c(server.port());
  const std::string body(300 * 1024, 'b');
  c.send("POST / HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n");
  c.send(body);
  c.send(kGet);
  EXPECT_TRUE(c.read_response().complete);
  EXPECT_TRUE(c.read_response().complete);
}

TEST(BuiltinServer, AnswersARequestSentInPieces) {
  BuiltinServer server;
  RawClient c(server.port());
  const std::string wire = "POST /x HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody";
  for (std::size_t at = 0; at < wire.size(); at += 7) {
    c.send(std::string_view(wire).substr(at, 7));
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_TRUE(c.read_response().complete);
}

TEST(BuiltinServer, ServesManyConnectionsOnSeveralThreads) {
  constexpr int kClients = 16;
  constexpr int kRequests = 100;
  BuiltinServer server(with([](ServerOptions& o) { o.threads = 2; }));
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&server, &answered] {
      RawClient c(server.port());
      // Two requests per write: pipelined and one at a time in the same run.
      for (int j = 0; j < kRequests; j += 2) {
        c.send(std::string(kGet) + std::string(kGet));
        answered += c.read_response().complete;
        answered += c.read_response().complete;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(answered.load(), kClients * kRequests);
  EXPECT_TRUE(eventually([&] { return server.counters().open == 0; }));
  ServerCounters n = server.counters();
  EXPECT_EQ(n.accepted, static_cast<std::uint64_t>(kClients));
  EXPECT_EQ(n.requests, static_cast<std::uint64_t>(kClients * kRequests));
  EXPECT_EQ(n.responses, static_cast<std::uint64_t>(kClients * kRequests));
}

TEST(BuiltinServer, SendsTheChosenStatusAndBodySize) {
  BuiltinServer server(with([](ServerOptions& o) {
    o.status = 503;
    o.body_size = 10000;
  }));
  RawClient c(server.port());
  c.send(kGet);
  RawResponse r = c.read_response();
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body.size(), 10000u);
}

TEST(BuiltinServer, NoContentHasNoBody) {
  BuiltinServer server(with([](ServerOptions& o) { o.status = 204; }));
  RawClient c(server.port());
  c.send(kGet);
  RawResponse r = c.read_response();
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.head.find("Content-Length"), std::string::npos);
}

TEST(BuiltinServer, DelaysEachResponse) {
  BuiltinServer server(with([](ServerOptions& o) { o.delay = 100ms; }));
  RawClient c(server.port());
  auto start = Clock::now();
  c.send(std::string(kGet) + std::string(kGet));
  EXPECT_TRUE(c.read_response().complete);
  EXPECT_GE(Clock::now() - start, 100ms);
  EXPECT_TRUE(c.read_response().complete);
  EXPECT_GE(Clock::now() - start, 200ms);
}

TEST(BuiltinServer, ChangesItsDelayAsItRuns) {
  BuiltinServer server(with([](ServerOptions& o) {
    o.delay = 0ms;
    o.delay_changes = {{300ms, 120ms}, {100s, 0ms}};
  }));
  RawClient c(server.port());
  auto start = Clock::now();
  c.send(kGet);
  EXPECT_TRUE(c.read_response().complete);
  EXPECT_LT(Clock::now() - start, 100ms);
  std::this_thread::sleep_for(350ms);
  start = Clock::now();
  c.send(kGet);
  EXPECT_TRUE(c.read_response().complete);
  EXPECT_GE(Clock::now() - start, 120ms);
}

TEST(BuiltinServer, AnswersTheFailureStatusInItsWindowOnly) {
  BuiltinServer server(with([](ServerOptions& o) {
    o.fail_from = 0ms;
    o.fail_until = 300ms;
  }));
  RawClient c(server.port());
  c.send(kGet);
  RawResponse failed = c.read_response();
  ASSERT_TRUE(failed.complete);
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.body, "ok\n");  // the usual body, on a connection kept alive
  std::this_thread::sleep_for(350ms);
  c.send(kGet);
  RawResponse ok = c.read_response();
  ASSERT_TRUE(ok.complete);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(server.counters().accepted, 1u);
}

TEST(BuiltinServer, ClosesAfterEveryNthResponse) {
  BuiltinServer server(with([](ServerOptions& o) { o.close_every = 3; }));
  for (int conn = 0; conn < 2; ++conn) {
    RawClient c(server.port());
    for (int i = 1; i <= 3; ++i) {
      c.send(kGet);
      RawResponse r = c.read_response();
      ASSERT_TRUE(r.complete);
      EXPECT_EQ(r.connection_close, i == 3) << i;
    }
    EXPECT_EQ(c.read_to_end(), PeerEnd::eof);
  }
  EXPECT_EQ(server.counters().accepted, 2u);
}

TEST(BuiltinServer, ClosesHttp10ConnectionsWithoutKeepAlive) {
  BuiltinServer server;
  RawClient c(server.port());
  c.send("GET / HTTP/1.0\r\n\r\n");
  RawResponse r = c.read_response();
  ASSERT_TRUE(r.complete);
  EXPECT_TRUE(r.connection_close);
  EXPECT_EQ(c.read_to_end(), PeerEnd::eof);
}

TEST(BuiltinServer, AnswersAnUnframeableRequestWith400AndCloses) {
  BuiltinServer server;
  RawClient c(server.port());
  c.send("NONSENSE\r\n\r\n");
  RawResponse r = c.read_response();
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.connection_close);
  EXPECT_EQ(c.read_to_end(), PeerEnd::eof);
}

TEST(BuiltinServer, StallReadsTheRequestAndNeverAnswers) {
  BuiltinServer server(with([](ServerOptions& o) { o.fault = Fault::stall; }));
  RawClient c(server.port(), 300ms);
  c.send(kGet);
  RawResponse r = c.read_response();
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.end, PeerEnd::timeout);
  EXPECT_TRUE(r.head.empty());
  ServerCounters n = server.counters();
  EXPECT_EQ(n.requests, 1u);
  EXPECT_EQ(n.responses, 0u);
  EXPECT_EQ(n.open, 1);
}

TEST(BuiltinServer, CloseMidBodySendsHalfTheBody) {
  BuiltinServer server(with([](ServerOptions& o) {
    o.fault = Fault::close_mid_body;
    o.body_size = 100;
  }));
  RawClient c(server.port());
  c.send(kGet);
  RawResponse r = c.read_response();
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.end, PeerEnd::eof);
  EXPECT_NE(r.head.find("Content-Length: 100"), std::string::npos);
  EXPECT_EQ(r.body.size(), 50u);
}

TEST(BuiltinServer, MalformedSendsAGarbageStatusLine) {
  BuiltinServer server(with([](ServerOptions& o) { o.fault = Fault::malformed; }));
  RawClient c(server.port());
  c.send(kGet);
  RawResponse r = c.read_response();
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.head.empty());
  EXPECT_FALSE(r.head.starts_with("HTTP/1."));
  EXPECT_EQ(c.read_to_end(), PeerEnd::eof);
}

TEST(BuiltinServer, ResetAbortsTheConnection) {
  BuiltinServer server(with([](ServerOptions& o) { o.fault = Fault::reset; }));
  RawClient c(server.port());
  c.send(kGet);
  std::string got;
  EXPECT_EQ(c.read_to_end(&got), PeerEnd::reset);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(server.counters().requests, 1u);
}

TEST(BuiltinServer, CloseBeforeResponseClosesWithoutAnswering) {
  BuiltinServer server(with([](ServerOptions& o) { o.fault = Fault::close_before_response; }));
  RawClient c(server.port());
  c.send(kGet);
  std::string got;
  EXPECT_EQ(c.read_to_end(&got), PeerEnd::eof);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(server.counters().requests, 1u);
}

TEST(BuiltinServer, FaultAfterAnswersTheFirstRequestsNormally) {
  BuiltinServer server(with([](ServerOptions& o) {
    o.fault = Fault::close_before_response;
    o.fault_after = 2;
  }));
  RawClient c(server.port());
  for (int i = 0; i < 2; ++i) {
    c.send(kGet);
    EXPECT_TRUE(c.read_response().complete) << i;
  }
  c.send(kGet);
  EXPECT_EQ(c.read_to_end(), PeerEnd::eof);
}

TEST(BuiltinServer, ClosesIdleConnectionsButNotBusyOnes) {
  BuiltinServer server(with([](ServerOptions& o) { o.close_idle_after = 400ms; }));
  RawClient c(server.port());
  // Requests 100 ms apart keep the connection busy enough.
  for (int i = 0; i < 5; ++i) {
    if (i > 0) std::this_thread::sleep_for(100ms);
    c.send(kGet);
    ASSERT_TRUE(c.read_response().complete) << i;
  }
  // The server started counting before the client read the last response.
  auto idle_from = Clock::now();
  EXPECT_EQ(c.read_to_end(), PeerEnd::eof);
  EXPECT_GE(Clock::now() - idle_from, 350ms);
  EXPECT_TRUE(eventually([&] { return server.counters().open == 0; }));
}

TEST(BuiltinServer, CountsOpenAndMaxOpenConnections) {
  BuiltinServer server(with([](ServerOptions& o) { o.threads = 2; }));
  {
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 4; ++i) {
      clients.push_back(std::make_unique<RawClient>(server.port()));
      clients.back()->send(kGet);
      ASSERT_TRUE(clients.back()->read_response().complete);
    }
    ServerCounters n = server.counters();
    EXPECT_EQ(n.accepted, 4u);
    EXPECT_EQ(n.open, 4);
    EXPECT_EQ(n.max_open, 4);
  }
  EXPECT_TRUE(eventually([&] { return server.counters().open == 0; }));
  EXPECT_EQ(server.counters().max_open, 4);
}

TEST(BuiltinServer, StopClosesEveryConnectionPromptly) {
  auto server = std::make_unique<BuiltinServer>(with([](ServerOptions& o) {
    o.delay = 10s;
    o.threads = 2;
  }));
  RawClient idle(server->port());
  RawClient waiting(server->port());
  waiting.send(kGet);
  // Once the request is read, the session sits in its delay; a request still unread when the
  // socket closes would turn the close into a reset.
  ASSERT_TRUE(eventually([&] {
    ServerCounters n = server->counters();
    return n.open == 2 && n.requests == 1;
  }));
  const std::uint16_t port = server->port();

  auto start = Clock::now();
  server->stop();
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_EQ(server->counters().open, 0);
  EXPECT_EQ(idle.read_to_end(), PeerEnd::eof);
  EXPECT_EQ(waiting.read_to_end(), PeerEnd::eof);
  server.reset();
  EXPECT_THROW(RawClient{port}, std::system_error);
}

TEST(BuiltinServer, RunsOnAGivenIoContext) {
  asio::io_context ioc;
  BuiltinServer server(ioc);
  std::thread runner([&ioc] { ioc.run(); });
  {
    RawClient c(server.port());
    c.send(kGet);
    EXPECT_TRUE(c.read_response().complete);
    server.stop();
    EXPECT_EQ(c.read_to_end(), PeerEnd::eof);
  }
  // With the listener and the connections closed, the context runs out of work.
  runner.join();
  EXPECT_EQ(server.counters().open, 0);
}

TEST(BuiltinServer, RejectsImpossibleOptions) {
  EXPECT_THROW(BuiltinServer(with([](ServerOptions& o) { o.status = 99; })), std::invalid_argument);
  EXPECT_THROW(BuiltinServer(with([](ServerOptions& o) {
                 o.fault = Fault::close_mid_body;
                 o.body_size = 0;
               })),
               std::invalid_argument);
  EXPECT_THROW(BuiltinServer(with([](ServerOptions& o) {
                 o.delay_changes = {{2s, 1ms}, {1s, 2ms}};
               })),
               std::invalid_argument);
}

}  // namespace
}  // namespace hload::server
