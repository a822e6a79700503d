// Reproductions of what http1_response_fuzz found in the HTTP/1.1 response reader and is not
// fixed yet. Each test states the behaviour the reader should have and fails until it does;
// the program is built but not registered with CTest. Once a bug is fixed, its test moves to
// tests/pool/http1_conn_test.cpp and its input stays in tests/fuzz/regressions/.

#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/http/error.hpp>

#include "pool/http1_conn_impl.hpp"

namespace hload::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

using StreamConn = pool::BasicHttp1Conn<beast::test::stream>;

// Exchange is the outcome of one GET over a fresh connection.
struct Exchange {
  pool::ConnResult result;
  pool::Response resp;
  bool reusable = false;
};

// read_response sends a GET over a connection whose server sends `wire` and closes; read_size
// bounds each read of the connection (0: no bound).
Exchange read_response(std::string_view wire, std::size_t read_size = 0) {
  asio::io_context ioc;
  beast::test::stream server(ioc);
  beast::test::stream client(ioc);
  client.connect(server);
  if (read_size > 0) client.read_size(read_size);
  StreamConn conn(std::move(client));
  asio::write(server, asio::buffer(wire));
  server.close();

  pool::Request req;
  req.wire = "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n";
  Exchange x;
  bool done = false;
  asio::co_spawn(ioc, conn.round_trip(req, x.resp), [&](std::exception_ptr e, pool::ConnResult r) {
    EXPECT_FALSE(e) << "an exception escaped";
    x.result = r;
    done = true;
  });
  ioc.run();
  EXPECT_TRUE(done) << "the round trip did not finish";
  x.reusable = conn.reusable();
  return x;
}

// A status code is three digits from 100 (RFC 9110 section 15): Beast takes any three digits,
// and the reader returns "HTTP/1.1 020" as a successful response with status 20.
// Input: regressions/http1_response/status_below_100_accepted.
TEST(Http1ConnFindingsTest, StatusBelow100IsAParseError) {
  for (const std::string_view wire : {"HTTP/1.1 020 OK\r\nContent-Length: 0\r\n\r\n",
                                      "HTTP/1.1 000 \r\nContent-Length: 0\r\n\r\n",
                                      "HTTP/1.1 099 OK\r\nContent-Length: 0\r\n\r\n"}) {
    SCOPED_TRACE(wire);
    const Exchange x = read_response(wire);
    EXPECT_TRUE(x.result.ec) << "read as status " << x.resp.status;
    EXPECT_FALSE(x.reusable);
  }
}

// The 64 KB header limit is meant for the whole header block. Beast parses the fields of a
// header that is still incomplete only while fewer than three bytes of an unfinished line are
// buffered, and the reader consumes what was parsed, so reads that each end just past the
// start of a header line let a header block of any size through; read whole, the same bytes
// end in header_limit. Input: regressions/http1_response/header_block_over_limit_in_line_reads.
TEST(Http1ConnFindingsTest, HeaderBlockOverTheLimitIsAnErrorWhateverTheReads) {
  // 36 bytes of status line, then 37-byte fields: a read of 37 bytes ends one byte into the
  // next line every time.
  std::string wire = "HTTP/1.1 200 " + std::string(21, 'R') + "\r\n";
  ASSERT_EQ(wire.size(), 36u);
  const std::size_t line = std::string_view("X-Field-00000: vvvvvvvvvvvvvvvvvvvv\r\n").size();
  ASSERT_EQ(line, 37u);
  for (int i = 0; wire.size() < 72 * 1024; ++i) {
    const std::string n = std::to_string(100000 + i).substr(1);
    wire += "X-Field-" + n + ": " + std::string(20, 'v') + "\r\n";
  }
  wire += "Content-Length: 0\r\n\r\n";
  for (const std::size_t read_size : {std::size_t{0}, line}) {
    SCOPED_TRACE(read_size);
    const Exchange x = read_response(wire, read_size);
    EXPECT_EQ(x.result.ec, http::error::header_limit) << x.result.ec.message();
    EXPECT_FALSE(x.reusable);
  }
}

}  // namespace
}  // namespace hload::test
