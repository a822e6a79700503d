#pragma once

// The requests the HTTP/2 fuzz target has in flight, in the order it sends them (streams 1, 3
// and 5), shared with the program that writes its seed corpus so that the seeds answer them.

#include <array>
#include <string_view>

#include "pool/conn.hpp"

namespace hload::fuzz {

// kServerSettings is the server's preface the target sends before the input: an empty
// SETTINGS frame.
inline constexpr std::string_view kServerSettings("\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9);

inline constexpr std::array<pool::HeaderField, 4> kGet{
    {{":method", "GET"}, {":scheme", "http"}, {":authority", "fuzz.test"}, {":path", "/"}}};
inline constexpr std::array<pool::HeaderField, 4> kHead{
    {{":method", "HEAD"}, {":scheme", "http"}, {":authority", "fuzz.test"}, {":path", "/"}}};
inline constexpr std::array<pool::HeaderField, 5> kPost{{{":method", "POST"},
                                                         {":scheme", "http"},
                                                         {":authority", "fuzz.test"},
                                                         {":path", "/form"},
                                                         {"content-length", "5"}}};
inline constexpr std::string_view kPostBody = "hello";

// requests returns the three requests, GET, HEAD and POST.
inline std::array<pool::Request, 3> requests() {
  std::array<pool::Request, 3> r;
  r[0].fields = kGet;
  r[1].fields = kHead;
  r[1].head = true;
  r[2].fields = kPost;
  r[2].body = kPostBody;
  r[2].replayable = false;
  return r;
}

}  // namespace hload::fuzz
