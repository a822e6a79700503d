#include "pool/response_reader.hpp"

#include <algorithm>

#include <boost/beast/http/error.hpp>

namespace hload::pool {

namespace asio = boost::asio;
using boost::beast::error_code;

ResponseReader::ResponseReader(bool head_request, HeadMemo& memo)
    : memo_(memo), head_request_(head_request) {}

std::size_t ResponseReader::feed(asio::const_buffer bytes, error_code& ec) {
  switch (source_) {
    case Source::undecided:
      // The whole head must be there to be recognized; a response whose head arrives over
      // several reads is parsed, which is as correct and only slower.
      if (!head_request_ && memo_.matches(bytes)) {
        source_ = Source::memo;
        body_left_ = memo_.body_length();
        return feed_memo(bytes, memo_.head_size());
      }
      source_ = Source::parser;
      parser_.emplace(head_request_);
      memo_.forget();
      return feed_parser(bytes, ec);
    case Source::memo:
      return feed_memo(bytes, 0);
    case Source::parser:
      return feed_parser(bytes, ec);
  }
  return 0;
}

std::size_t ResponseReader::feed_memo(asio::const_buffer bytes, std::size_t skip) noexcept {
  const std::uint64_t take = std::min<std::uint64_t>(body_left_, bytes.size() - skip);
  body_left_ -= take;
  body_seen_ += take;
  return skip + static_cast<std::size_t>(take);
}

std::size_t ResponseReader::feed_parser(asio::const_buffer bytes, error_code& ec) {
  const bool head_was_done = parser_->is_header_done();
  const std::uint64_t body_before = parser_->body_bytes();
  const std::size_t n = parser_->feed(bytes, ec);
  const bool first_feed = parsed_ == 0;
  parsed_ += n;
  if (ec) return n;
  if (!head_was_done && parser_->is_header_done() && first_feed && !head_request_ &&
      !parser_->chunked()) {
    // Beast parses a head only once its end is in the bytes it is given, so the head is all
    // in this call's bytes (first_feed: nothing of it was taken before). Without chunked
    // coding every body byte the parser took is a byte of the input, so what it took before
    // them is the head.
    const unsigned status = parser_->status();
    const std::size_t head_size = n - static_cast<std::size_t>(parser_->body_bytes() - body_before);
    if (status >= 200 && status != 101 && status / 100 != 3 && head_size <= HeadMemo::kMaxHead) {
      memo_.hold(asio::buffer(bytes.data(), head_size));
      held_ = true;
    }
  }
  if (held_ && parser_->is_done() && parser_->keep_alive()) {
    // Complete and kept alive, so the body's length was the head's to give (a Content-Length,
    // or none for 204 and 304): the same head will mean the same length.
    memo_.confirm(parser_->status(), parser_->body_bytes());
  }
  return n;
}

void ResponseReader::put_eof(error_code& ec) {
  if (source_ == Source::memo) {
    // The head promised more body than arrived.
    if (body_left_ > 0) ec = boost::beast::http::error::partial_message;
    return;
  }
  if (source_ == Source::parser) {
    parser_->put_eof(ec);
  } else {
    ec = boost::beast::http::error::partial_message;  // no byte of the response came
  }
}

bool ResponseReader::is_done() const noexcept {
  switch (source_) {
    case Source::undecided:
      return false;
    case Source::memo:
      return body_left_ == 0;
    case Source::parser:
      return parser_->is_done();
  }
  return false;
}

bool ResponseReader::got_some() const noexcept {
  return source_ == Source::memo || (source_ == Source::parser && parser_->got_some());
}

unsigned ResponseReader::status() const noexcept {
  switch (source_) {
    case Source::undecided:
      return 0;
    case Source::memo:
      return memo_.status();
    case Source::parser:
      return parser_->status();
  }
  return 0;
}

bool ResponseReader::keep_alive() const noexcept {
  // Only a response that kept its connection open is remembered.
  return source_ == Source::memo || (source_ == Source::parser && parser_->keep_alive());
}

std::uint64_t ResponseReader::body_bytes() const noexcept {
  return source_ == Source::parser ? parser_->body_bytes() : body_seen_;
}

const std::string& ResponseReader::location() const noexcept {
  static const std::string kNone;
  return source_ == Source::parser ? parser_->location() : kNone;
}

}  // namespace hload::pool
