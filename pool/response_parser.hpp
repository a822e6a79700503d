#pragma once

#include <cstdint>

#include <boost/beast/http/basic_parser.hpp>

namespace hload::pool {

// ResponseParser parses one HTTP/1.x response and keeps only what the pool and the statistics
// need: the status, whether the connection may be kept, and how many body bytes arrived. It
// stores no header and no body (performance.md: header storage was most of the user-space cost
// of a request), so the body may be of any size. Beast parsers are not reusable: construct one
// per response; it allocates nothing when fed one contiguous buffer.
class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  // head_request: the request was HEAD, so the response has no body whatever its headers say.
  explicit ResponseParser(bool head_request);

  // status is the response's status code; 0 until the status line was parsed.
  unsigned status() const noexcept { return status_; }

  // body_bytes counts the body's bytes after chunked decoding, as they are parsed.
  std::uint64_t body_bytes() const noexcept { return body_bytes_; }

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
};

}  // namespace hload::pool
