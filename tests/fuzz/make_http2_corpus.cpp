// make_http2_corpus DIR writes the seed corpus of http2_session_fuzz into DIR: for each
// scenario below, what tests/support/h2_test_server sends while answering the fuzz target's
// three requests (GET, HEAD, POST on streams 1, 3 and 5), after its own SETTINGS frame (the
// target sends one of its own), behind a zero byte (whole reads, no cancel).
//
//   build/tests/make_http2_corpus tests/fuzz/corpus/http2_session

#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

#include "pool/http2_conn_impl.hpp"
#include "tests/fuzz/http2_requests.hpp"
#include "tests/support/h2_test_server.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using hload::test::H2Reply;
using hload::test::H2Request;
using hload::test::H2TestServer;

// Scenario is a script for the server and what it does once the requests arrived.
struct Scenario {
  const char* name;
  std::function<H2Reply(const H2Request&)> script;
  std::function<void(H2TestServer&)> then = [](H2TestServer&) {};
};

// run_scenario returns what the server sent after its SETTINGS frame.
std::string run_scenario(const Scenario& s) {
  asio::io_context ioc;
  beast::test::stream client(ioc), server_end(ioc);
  client.connect(server_end);
  H2TestServer server(std::move(server_end));
  server.set_script(s.script);
  hload::pool::BasicHttp2Conn<beast::test::stream> conn(std::move(client));
  asio::co_spawn(ioc, conn.start(), [](const std::exception_ptr&, hload::pool::error_code) {});
  ioc.poll();
  auto reqs = hload::fuzz::requests();
  std::vector<hload::pool::Response> resps(reqs.size());
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    asio::co_spawn(ioc, conn.round_trip(reqs[i], resps[i]),
                   [](const std::exception_ptr&, hload::pool::ConnResult) {});
  }
  ioc.restart();
  ioc.run_for(std::chrono::milliseconds(50));
  s.then(server);
  ioc.restart();
  ioc.run_for(std::chrono::milliseconds(50));
  const std::string& wire = server.wire();
  // A frame's header starts with its payload's length, 24 bits big-endian.
  const std::size_t first =
      9 + ((static_cast<unsigned char>(wire[0]) << 16) |
           (static_cast<unsigned char>(wire[1]) << 8) | static_cast<unsigned char>(wire[2]));
  return wire.substr(first);
}

H2Reply reply(unsigned status, std::uint64_t body = 0) {
  H2Reply r;
  r.status = status;
  r.body_size = body;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::vector<Scenario> scenarios = {
      {"responses",
       [](const H2Request& r) {
         H2Reply x = reply(r.method == "POST" ? 201 : 200, r.method == "HEAD" ? 0 : 5);
         x.headers = {{"content-type", "text/plain"}, {"content-length", "5"}};
         return x;
       }},
      {"interim_then_response",
       [](const H2Request&) {
         H2Reply x = reply(200, 2);
         x.interim = 103;
         x.headers = {{"link", "</style.css>; rel=preload"}};
         return x;
       }},
      {"redirect_not_modified_no_content",
       [](const H2Request& r) {
         if (r.method == "GET") {
           H2Reply x = reply(302);
           x.headers = {{"location", "/elsewhere"}};
           return x;
         }
         return reply(r.method == "HEAD" ? 304 : 204);
       }},
      {"large_body", [](const H2Request&) { return reply(200, 20'000); }},
      {"goaway_last_stream_1",
       [](const H2Request&) {
         H2Reply x;
         x.hold = true;
         return x;
       },
       [](H2TestServer& s) {
         s.send_goaway(1);
         s.release(1, reply(200, 3));
       }},
      {"goaway_protocol_error", [](const H2Request&) { return reply(200); },
       [](H2TestServer& s) { s.send_goaway(5, 0x1); }},
      {"resets",
       [](const H2Request& r) {
         H2Reply x = reply(200, 1);
         if (r.method == "GET") x.reset = 0x7;   // REFUSED_STREAM
         if (r.method == "HEAD") x.reset = 0x2;  // INTERNAL_ERROR
         return x;
       }},
      {"settings_change", [](const H2Request&) { return reply(200, 1); },
       [](H2TestServer& s) { s.send_settings(1); }},
      {"headers_only",
       [](const H2Request& r) {
         H2Reply x = reply(200);
         x.headers_only = r.method == "GET";
         x.hold = r.method != "GET";
         return x;
       }},
  };
  for (const Scenario& s : scenarios) {
    const std::string path = std::string(argv[1]) + "/" + s.name;
    std::ofstream out(path, std::ios::binary);
    out.put('\0');
    out << run_scenario(s);
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", path.c_str());
      return 1;
    }
  }
  return 0;
}
