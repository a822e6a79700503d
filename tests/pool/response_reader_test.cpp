// Tests of ResponseReader and HeadMemo: a head the connection parsed in full is recognized when
// it comes again, and every response reads the same from the memo as Beast reads it.

#include "pool/response_reader.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace hload::test {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::beast::error_code;

constexpr std::string_view kHead =
    "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n";
constexpr std::string_view kOk =
    "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n"
    "hello";

// Outcome is what reading one response gave.
struct Outcome {
  error_code ec;
  std::size_t consumed = 0;
  bool done = false;
  unsigned status = 0;
  bool keep_alive = false;
  std::uint64_t body = 0;
  std::string location;
};

// read feeds wire to a reader, `chunk` bytes at a time (0: all at once), as a connection does:
// what a call did not consume is given again with the next bytes. eof: the server closes after
// wire.
Outcome read(pool::HeadMemo& memo, std::string_view wire, bool head_request = false,
             std::size_t chunk = 0, bool eof = false) {
  pool::ResponseReader reader(head_request, memo);
  Outcome out;
  std::size_t arrived = chunk == 0 ? wire.size() : std::min(chunk, wire.size());
  while (!reader.is_done()) {
    const std::string_view pending = wire.substr(out.consumed, arrived - out.consumed);
    if (!pending.empty()) {
      out.consumed += reader.feed(asio::buffer(pending.data(), pending.size()), out.ec);
      if (out.ec == http::error::need_more) out.ec = {};
      if (out.ec || reader.is_done()) break;
    }
    if (arrived == wire.size()) {
      if (eof) reader.put_eof(out.ec);
      break;
    }
    arrived = std::min(wire.size(), arrived + (chunk == 0 ? wire.size() : chunk));
  }
  out.done = reader.is_done();
  // What a response meant is asked only of one that did not fail, as the connection does:
  // Beast asserts its header was parsed.
  if (out.ec) return out;
  out.status = reader.status();
  out.keep_alive = reader.keep_alive();
  out.body = reader.body_bytes();
  out.location = reader.location();
  return out;
}

bool remembers(const pool::HeadMemo& memo, std::string_view head) {
  return memo.matches(asio::buffer(head.data(), head.size()));
}

void expect_read(const Outcome& x, unsigned status, std::uint64_t body, std::size_t consumed) {
  EXPECT_FALSE(x.ec) << x.ec.message();
  EXPECT_TRUE(x.done);
  EXPECT_EQ(x.status, status);
  EXPECT_EQ(x.body, body);
  EXPECT_EQ(x.consumed, consumed);
}

TEST(ResponseReaderTest, ParsedHeadIsRememberedAndReadAgainAlike) {
  pool::HeadMemo memo;
  EXPECT_FALSE(remembers(memo, kHead));
  const Outcome first = read(memo, kOk);
  expect_read(first, 200, 5, kOk.size());
  EXPECT_TRUE(first.keep_alive);
  EXPECT_TRUE(remembers(memo, kHead));
  EXPECT_EQ(memo.head_size(), kHead.size());

  for (const std::size_t chunk :
       {std::size_t{0}, std::size_t{1}, std::size_t{3}, kHead.size(), kHead.size() + 2}) {
    SCOPED_TRACE(chunk);
    const Outcome again = read(memo, kOk, false, chunk);
    expect_read(again, 200, 5, kOk.size());
    EXPECT_TRUE(again.keep_alive);
    EXPECT_TRUE(remembers(memo, kHead));
  }
}

TEST(ResponseReaderTest, ReadingStopsAtTheBodysEnd) {
  pool::HeadMemo memo;
  read(memo, kOk);
  const std::string two = std::string(kOk) + std::string(kOk);
  expect_read(read(memo, two), 200, 5, kOk.size());
}

TEST(ResponseReaderTest, AHeadThatDiffersInOneByteIsParsed) {
  pool::HeadMemo memo;
  read(memo, kOk);
  constexpr std::string_view kLonger =
      "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\n"
      "goodbye";
  expect_read(read(memo, kLonger), 200, 7, kLonger.size());
  EXPECT_FALSE(remembers(memo, kHead));
  constexpr std::string_view kNotFound =
      "HTTP/1.1 404 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n"
      "hello";
  expect_read(read(memo, kNotFound), 404, 5, kNotFound.size());
  const Outcome closing =
      read(memo,
           "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
           "Connection: close\r\n\r\nhello");
  EXPECT_FALSE(closing.keep_alive);
}

TEST(ResponseReaderTest, ABodyCutShortAfterARememberedHeadIsPartial) {
  pool::HeadMemo memo;
  read(memo, kOk);
  const Outcome x = read(memo, kOk.substr(0, kOk.size() - 2), false, 0, /*eof=*/true);
  EXPECT_EQ(x.ec, http::error::partial_message);
  EXPECT_FALSE(x.done);
}

TEST(ResponseReaderTest, AHeadRequestIsNeverReadFromTheMemo) {
  pool::HeadMemo memo;
  read(memo, kOk);
  // The same head answers a HEAD request with no body: read from the memo it would wait for
  // five bytes that never come.
  const Outcome head = read(memo, kHead, /*head_request=*/true);
  expect_read(head, 200, 0, kHead.size());
  // Nor is a response to HEAD remembered.
  EXPECT_FALSE(remembers(memo, kHead));
  read(memo, kHead, /*head_request=*/true);
  EXPECT_FALSE(remembers(memo, kHead));
}

TEST(ResponseReaderTest, BodilessStatusesAreRememberedWithNoBody) {
  pool::HeadMemo memo;
  // A 204 has no body, whatever Content-Length says.
  constexpr std::string_view kNoContent = "HTTP/1.1 204 No Content\r\nContent-Length: 100\r\n\r\n";
  expect_read(read(memo, kNoContent), 204, 0, kNoContent.size());
  EXPECT_TRUE(remembers(memo, kNoContent));
  expect_read(read(memo, kNoContent), 204, 0, kNoContent.size());
}

// Each of these is parsed every time: what it means is not all in its head, or it ends the
// connection, or it needs more than the memo keeps.
TEST(ResponseReaderTest, ResponsesThatDoNotQualifyAreNotRemembered) {
  const std::string big_head =
      "HTTP/1.1 200 OK\r\nX-Big: " + std::string(pool::HeadMemo::kMaxHead, 'a') +
      "\r\nContent-Length: 2\r\n\r\n";
  const struct {
    const char* name;
    std::string head;
    std::string body;
  } cases[] = {
      {"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "2\r\nok\r\n0\r\n\r\n"},
      {"redirect", "HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n", ""},
      {"not modified", "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n", ""},
      {"close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n", "ok"},
      {"http/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n", "ok"},
      {"interim", "HTTP/1.1 100 Continue\r\n\r\n", ""},
      {"switching", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n",
       ""},
      {"large head", big_head, "ok"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    pool::HeadMemo memo;
    const std::string wire = c.head + c.body;
    const Outcome x = read(memo, wire);
    EXPECT_FALSE(x.ec) << x.ec.message();
    EXPECT_FALSE(remembers(memo, c.head));
  }
  // A redirect's Location comes from the parser, each time.
  pool::HeadMemo memo;
  const Outcome redirect =
      read(memo, "HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(redirect.location, "/next");
}

// Beast parses a head only once its end arrived, so one that came over several reads is whole
// in the bytes of the call that parses it.
TEST(ResponseReaderTest, AHeadSplitOverReadsIsRememberedWhole) {
  pool::HeadMemo memo;
  expect_read(read(memo, kOk, false, 7), 200, 5, kOk.size());
  EXPECT_TRUE(remembers(memo, kHead));
  EXPECT_EQ(memo.head_size(), kHead.size());
}

TEST(ResponseReaderTest, AFailedParseForgetsTheMemo) {
  pool::HeadMemo memo;
  read(memo, kOk);
  const Outcome bad = read(memo, "HTTP/1.1 2x0 OK\r\n\r\n");
  EXPECT_TRUE(bad.ec);
  EXPECT_FALSE(remembers(memo, kHead));
}

}  // namespace
}  // namespace hload::test
