#include "cmd/server/canned_responses.hpp"

#include <string_view>

namespace hload::server {
namespace {

std::string_view reason(unsigned status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

CannedResponse serialize(unsigned status, std::size_t body_size, bool close) {
  const bool bodiless = status == 204 || status == 304;
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason(status)) +
                     "\r\nServer: hload\r\n";
  if (!bodiless) {
    head += "Content-Type: text/plain\r\nContent-Length: " + std::to_string(body_size) + "\r\n";
  }
  if (close) head += "Connection: close\r\n";
  head += "\r\n";

  CannedResponse r;
  r.head_size = head.size();
  r.bytes = std::move(head);
  if (!bodiless) {
    constexpr std::string_view kPattern = "ok\n";
    r.bytes.reserve(r.head_size + body_size);
    for (std::size_t i = 0; i < body_size; ++i) r.bytes += kPattern[i % kPattern.size()];
  }
  return r;
}

}  // namespace

CannedResponses CannedResponses::make(unsigned status, std::size_t body_size,
                                      unsigned redirect_status, const std::string& location,
                                      unsigned fail_status) {
  CannedResponses r;
  if (!location.empty()) {
    r.redirect = "HTTP/1.1 " + std::to_string(redirect_status) + " " +
                 std::string(reason(redirect_status)) +
                 "\r\nServer: hload\r\nLocation: " + location + "\r\nContent-Length: 0\r\n\r\n";
  }
  r.keep_alive = serialize(status, body_size, false);
  r.closing = serialize(status, body_size, true);
  r.failing = serialize(fail_status, body_size, false);
  r.bad_request = serialize(400, 0, true).bytes;
  r.too_large = serialize(413, 0, true).bytes;
  r.garbage = "NOT-HTTP/9.9 what\r\n\r\n";
  return r;
}

}  // namespace hload::server
