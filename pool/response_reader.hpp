#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>

#include "pool/head_memo.hpp"
#include "pool/response_parser.hpp"

namespace hload::pool {

// ResponseReader reads one HTTP/1.x response. A response whose head equals the connection's
// HeadMemo is read from it: the head is skipped and the body counted. Any other response is
// parsed by ResponseParser, and its head is remembered when it qualifies: a final status
// other than 101 or a redirect (whose Location would have to be kept as well), a connection
// that stays open, a body of a length the head gave (not chunked), to a request other than
// HEAD (whose response has no body whatever its head says), and a head of at most
// HeadMemo::kMaxHead bytes. A reader is single-use, like the parser.
class ResponseReader {
 public:
  ResponseReader(bool head_request, HeadMemo& memo);

  // feed reads what it can of bytes and returns how many it consumed, as
  // ResponseParser::feed does; need_more means it needs more bytes than it has been given.
  std::size_t feed(boost::asio::const_buffer bytes, boost::beast::error_code& ec);

  // put_eof tells the reader the server closed the connection: it completes a body delimited
  // by the close, and anything else ends in partial_message.
  void put_eof(boost::beast::error_code& ec);

  bool is_done() const noexcept;
  // got_some is true once any byte of the response was consumed.
  bool got_some() const noexcept;

  unsigned status() const noexcept;
  bool keep_alive() const noexcept;
  std::uint64_t body_bytes() const noexcept;
  // location is the Location of a redirect (3xx); a redirect is never read from the memo.
  const std::string& location() const noexcept;

 private:
  enum class Source { undecided, memo, parser };

  std::size_t feed_memo(boost::asio::const_buffer bytes, std::size_t skip) noexcept;
  std::size_t feed_parser(boost::asio::const_buffer bytes, boost::beast::error_code& ec);

  // Made only for a response the memo does not match: a Beast parser is about 50
  // instructions to make and destroy.
  std::optional<ResponseParser> parser_;
  HeadMemo& memo_;
  std::uint64_t body_left_ = 0;  // from the memo: body bytes still to come
  std::uint64_t body_seen_ = 0;  // from the memo: body bytes consumed
  std::size_t parsed_ = 0;       // bytes the parser consumed so far
  bool head_request_;
  bool held_ = false;  // the memo holds this response's head, to be confirmed at its end
  Source source_ = Source::undecided;
};

}  // namespace hload::pool
