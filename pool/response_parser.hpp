#pragma once

#include <cstdint>
#include <string>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

namespace hload::pool {

// ResponseParser parses one HTTP/1.x response and keeps only what the pool and the statistics
// need: the status, whether the connection may be kept, and how many body bytes arrived. It
// stores no header and no body (docs/performance.md#hot-path: header storage was most of the
// user-space cost of a request), so the body may be of any size. Beast parsers are not reusable:
// construct one per response; it allocates nothing when fed one contiguous buffer.
class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  // head_request: the request was HEAD, so the response has no body whatever its headers say.
  explicit ResponseParser(bool head_request);

  // feed parses what it can of buffers and returns how many bytes it consumed, as
  // basic_parser::put does, but holds the whole header block to one limit: basic_parser checks
  // only what one call is given, so a header of many small lines arriving over many reads
  // would otherwise pass any limit.
  template <class ConstBufferSequence>
  std::size_t feed(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
    if (!is_header_done()) {
      if (header_seen_ >= kHeaderLimit) {
        ec = boost::beast::http::error::header_limit;
        return 0;
      }
      header_limit(kHeaderLimit - header_seen_);
    }
    const bool had_header = is_header_done();
    const std::size_t n = put(buffers, ec);
    if (!had_header && !is_header_done()) header_seen_ += static_cast<std::uint32_t>(n);
    return n;
  }

  // kHeaderLimit bounds the status line and header fields together. Beast's default of 8 KB
  // is too little for real responses with large cookies (Go accepts up to 1 MB); nothing is
  // stored, so the limit only bounds how far the read buffer grows.
  static constexpr std::uint32_t kHeaderLimit = 64 * 1024;

  // status is the response's status code; 0 until the status line was parsed.
  unsigned status() const noexcept { return status_; }

  // body_bytes counts the body's bytes after chunked decoding, as they are parsed.
  std::uint64_t body_bytes() const noexcept { return body_bytes_; }

  // location is the Location header of a redirect (3xx), the one header that is kept; empty
  // for other statuses.
  const std::string& location() const noexcept { return location_; }

 private:
  // basic_parser's hooks. Only the status and the body's size are kept: keep-alive, framing
  // (Content-Length, chunked) and HEAD are tracked by basic_parser itself.
  void on_request_impl(boost::beast::http::verb method, boost::beast::string_view method_str,
                       boost::beast::string_view target, int version,
                       boost::beast::error_code& ec) override;
  void on_response_impl(int code, boost::beast::string_view reason, int version,
                        boost::beast::error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                     boost::beast::string_view value, boost::beast::error_code& ec) override;
  void on_header_impl(boost::beast::error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         boost::beast::error_code& ec) override;
  std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, boost::beast::string_view extensions,
                            boost::beast::error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, boost::beast::string_view body,
                                 boost::beast::error_code& ec) override;
  void on_finish_impl(boost::beast::error_code& ec) override;

  unsigned status_ = 0;
  std::uint64_t body_bytes_ = 0;
  std::uint32_t header_seen_ = 0;  // header bytes consumed by earlier calls to feed
  std::string location_;
};

}  // namespace hload::pool
