// RequestFramer: where requests end in a byte stream, fed whole, in pieces and pipelined.

#include "cmd/server/request_framer.hpp"

#include <string>

#include <gtest/gtest.h>

namespace hload::server {
namespace {

// frame_growing feeds `wire` as it would arrive one byte at a time, each call seeing all bytes
// so far, and returns the first result that is not `incomplete`.
FrameStatus frame_growing(RequestFramer& f, const std::string& wire, FramedRequest& out,
                          std::size_t* seen = nullptr) {
  for (std::size_t n = 1; n <= wire.size(); ++n) {
    FrameStatus s = f.frame(std::string_view(wire).substr(0, n), out);
    if (s != FrameStatus::incomplete) {
      if (seen) *seen = n;
      return s;
    }
  }
  return FrameStatus::incomplete;
}

TEST(RequestFramer, FramesGetWithoutBody) {
  RequestFramer f;
  FramedRequest r;
  const std::string wire = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(f.frame(wire, r), FrameStatus::complete);
  EXPECT_EQ(r.size, wire.size());
  EXPECT_TRUE(r.keep_alive);
  EXPECT_FALSE(r.head);
}

TEST(RequestFramer, WaitsForTheWholeHeadWhenFedByteByByte) {
  RequestFramer f;
  FramedRequest r;
  const std::string wire = "GET /a HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";
  std::size_t seen = 0;
  ASSERT_EQ(frame_growing(f, wire, r, &seen), FrameStatus::complete);
  EXPECT_EQ(seen, wire.size());
  EXPECT_EQ(r.size, wire.size());
}

TEST(RequestFramer, Http10ClosesUnlessKeepAliveIsAsked) {
  RequestFramer f;
  FramedRequest r;
  ASSERT_EQ(f.frame("GET / HTTP/1.0\r\n\r\n", r), FrameStatus::complete);
  EXPECT_FALSE(r.keep_alive);
  ASSERT_EQ(f.frame("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", r), FrameStatus::complete);
  EXPECT_TRUE(r.keep_alive);
}

TEST(RequestFramer, ConnectionCloseEndsKeepAlive) {
  RequestFramer f;
  FramedRequest r;
  ASSERT_EQ(f.frame("GET / HTTP/1.1\r\nconnection: foo, CLOSE\r\n\r\n", r), FrameStatus::complete);
  EXPECT_FALSE(r.keep_alive);
}

TEST(RequestFramer, MarksHeadRequests) {
  RequestFramer f;
  FramedRequest r;
  ASSERT_EQ(f.frame("HEAD / HTTP/1.1\r\n\r\n", r), FrameStatus::complete);
  EXPECT_TRUE(r.head);
}

TEST(RequestFramer, SkipsContentLengthBody) {
  RequestFramer f;
  FramedRequest r;
  const std::string head = "POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\n";
  const std::string wire = head + "hello";
  std::size_t seen = 0;
  ASSERT_EQ(frame_growing(f, wire, r, &seen), FrameStatus::complete);
  EXPECT_EQ(seen, wire.size());
  EXPECT_EQ(r.size, wire.size());
}

TEST(RequestFramer, FramesPipelinedRequestsOneByOne) {
  RequestFramer f;
  FramedRequest r;
  const std::string first = "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
  const std::string second = "GET /2 HTTP/1.1\r\n\r\n";
  std::string wire = first + second;
  ASSERT_EQ(f.frame(wire, r), FrameStatus::complete);
  EXPECT_EQ(r.size, first.size());
  ASSERT_EQ(f.frame(std::string_view(wire).substr(r.size), r), FrameStatus::complete);
  EXPECT_EQ(r.size, second.size());
}

TEST(RequestFramer, SkipsChunkedBodyWithExtensionsAndTrailers) {
  RequestFramer f;
  FramedRequest r;
  const std::string wire =
      "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n";
  std::size_t seen = 0;
  ASSERT_EQ(frame_growing(f, wire + "GET / HTTP/1.1\r\n\r\n", r, &seen), FrameStatus::complete);
  EXPECT_EQ(seen, wire.size());
  EXPECT_EQ(r.size, wire.size());
  EXPECT_TRUE(r.keep_alive);
}

TEST(RequestFramer, ChunkedWithContentLengthClosesAfterwards) {
  RequestFramer f;
  FramedRequest r;
  ASSERT_EQ(f.frame("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "0\r\n\r\n",
                    r),
            FrameStatus::complete);
  EXPECT_FALSE(r.keep_alive);
}

TEST(RequestFramer, RejectsWhatCannotBeFramed) {
  const char* bad[] = {
      "GARBAGE\r\n\r\n",
      "GET / HTTP/2.0\r\n\r\n",
      "GET /\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: x1\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
      "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
  };
  for (const char* wire : bad) {
    RequestFramer f;
    FramedRequest r;
    EXPECT_EQ(f.frame(wire, r), FrameStatus::malformed) << wire;
  }
}

TEST(RequestFramer, RejectsAnEndlessHead) {
  RequestFramer f;
  FramedRequest r;
  std::string wire = "GET / HTTP/1.1\r\n";
  wire += std::string(RequestFramer::kMaxHeadSize, 'x');
  EXPECT_EQ(f.frame(wire, r), FrameStatus::malformed);
}

TEST(RequestFramer, IsReadyForTheNextRequestAfterAMalformedOne) {
  RequestFramer f;
  FramedRequest r;
  ASSERT_EQ(f.frame("BAD\r\n\r\n", r), FrameStatus::malformed);
  EXPECT_EQ(f.frame("GET / HTTP/1.1\r\n\r\n", r), FrameStatus::complete);
}

}  // namespace
}  // namespace hload::server
