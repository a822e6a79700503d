#include "pool/response_parser.hpp"

namespace hload::pool {

namespace http = boost::beast::http;
using boost::beast::error_code;
using boost::beast::string_view;

ResponseParser::ResponseParser(bool head_request) {
  // Bodies are counted and dropped, never stored, so their size needs no bound.
  body_limit(boost::none);
  header_limit(kHeaderLimit);
  // Parse the body in the same put() as the header: one call per read.
  eager(true);
  if (head_request) skip(true);
}

void ResponseParser::on_request_impl(http::verb, string_view, string_view, int, error_code&) {
  // A response parser is never given a request line.
}

void ResponseParser::on_response_impl(int code, string_view, int, error_code& ec) {
  // Beast takes any three digits; a status is from 100 to 999 (RFC 9110 section 15).
  if (code < 100) {
    ec = http::error::bad_status;
    return;
  }
  status_ = static_cast<unsigned>(code);
}

void ResponseParser::on_field_impl(http::field name, string_view, string_view value, error_code&) {
  // Connection, Content-Length and Transfer-Encoding are tracked by basic_parser itself; only
  // a redirect's target is kept.
  if (name == http::field::location && status_ / 100 == 3) location_.assign(value);
}

void ResponseParser::on_header_impl(error_code&) {}

void ResponseParser::on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) {}

std::size_t ResponseParser::on_body_impl(string_view body, error_code&) {
  body_bytes_ += body.size();
  return body.size();
}

void ResponseParser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}

std::size_t ResponseParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  body_bytes_ += body.size();
  return body.size();
}

void ResponseParser::on_finish_impl(error_code&) {}

}  // namespace hload::pool
