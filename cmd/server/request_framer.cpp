#include "cmd/server/request_framer.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include "engine/http_text.hpp"

namespace hload::server {
namespace {

constexpr std::string_view kCrlf = "\r\n";
// A chunk-size line longer than this is not a chunk size (extensions included).
constexpr std::size_t kMaxChunkLine = 1024;

using engine::iequals;
using engine::trim_ows;

// has_token says whether the comma-separated list holds token, ignoring case.
bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    if (iequals(trim_ows(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// last_token is the final element of a comma-separated list.
std::string_view last_token(std::string_view list) {
  std::size_t comma = list.rfind(',');
  return trim_ows(comma == std::string_view::npos ? list : list.substr(comma + 1));
}

bool parse_number(std::string_view s, unsigned base, std::uint64_t& out) {
  if (s.empty()) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    unsigned d;
    if (c >= '0' && c <= '9') {
      d = static_cast<unsigned>(c - '0');
    } else if (base == 16 && std::isxdigit(static_cast<unsigned char>(c))) {
      d = static_cast<unsigned>(std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
    } else {
      return false;
    }
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / base) return false;
    v = v * base + d;
  }
  out = v;
  return true;
}

}  // namespace

FrameStatus RequestFramer::frame(std::string_view bytes, FramedRequest& out) {
  if (head_size_ == 0) {
    // The terminator may straddle the previous end of the data: look back three bytes.
    std::size_t end = bytes.find("\r\n\r\n", scanned_ > 3 ? scanned_ - 3 : 0);
    if (end == std::string_view::npos) {
      scanned_ = bytes.size();
      if (bytes.size() > kMaxHeadSize) return finish(FrameStatus::malformed, 0, out);
      return FrameStatus::incomplete;
    }
    head_size_ = end + 4;
    if (head_size_ > kMaxHeadSize ||
        parse_head(bytes.substr(0, head_size_)) != FrameStatus::complete) {
      return finish(FrameStatus::malformed, 0, out);
    }
    chunk_cursor_ = head_size_;
  }
  switch (body_) {
    case Body::none:
      return finish(FrameStatus::complete, head_size_, out, bytes);
    case Body::length:
      if (content_length_ > kMaxRequestSize - head_size_) {
        return finish(FrameStatus::malformed, 0, out);
      }
      if (bytes.size() < head_size_ + content_length_) return FrameStatus::incomplete;
      return finish(FrameStatus::complete, head_size_ + content_length_, out, bytes);
    case Body::chunked:
      if (FrameStatus s = frame_chunked(bytes); s != FrameStatus::complete) {
        return s == FrameStatus::incomplete ? s : finish(s, 0, out);
      }
      return finish(FrameStatus::complete, request_size_, out, bytes);
  }
  return finish(FrameStatus::malformed, 0, out);
}

FrameStatus RequestFramer::parse_head(std::string_view head) {
  std::size_t line_end = head.find(kCrlf);
  std::string_view request_line = head.substr(0, line_end);
  std::size_t first_space = request_line.find(' ');
  std::size_t last_space = request_line.rfind(' ');
  if (first_space == 0 || first_space == std::string_view::npos || last_space == first_space) {
    return FrameStatus::malformed;
  }
  std::string_view method = request_line.substr(0, first_space);
  std::string_view version = request_line.substr(last_space + 1);
  bool http10 = false;
  if (version == "HTTP/1.0") {
    http10 = true;
  } else if (version != "HTTP/1.1") {
    return FrameStatus::malformed;
  }
  is_head_ = method == "HEAD";
  target_begin_ = first_space + 1;
  target_size_ = last_space - first_space - 1;

  bool conn_close = false;
  bool conn_keep_alive = false;
  bool has_length = false;
  bool has_encoding = false;
  bool chunked = false;
  std::size_t pos = line_end + kCrlf.size();
  for (;;) {
    std::size_t end = head.find(kCrlf, pos);
    std::string_view line = head.substr(pos, end - pos);
    pos = end + kCrlf.size();
    if (line.empty()) break;
    std::size_t colon = line.find(':');
    // Whitespace before the colon and obsolete line folding are request smuggling vectors.
    if (colon == 0 || colon == std::string_view::npos || line.front() == ' ' ||
        line.front() == '\t' || line[colon - 1] == ' ' || line[colon - 1] == '\t') {
      return FrameStatus::malformed;
    }
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim_ows(line.substr(colon + 1));
    if (iequals(name, "connection")) {
      conn_close = conn_close || has_token(value, "close");
      conn_keep_alive = conn_keep_alive || has_token(value, "keep-alive");
    } else if (iequals(name, "content-length")) {
      std::uint64_t n = 0;
      if (!parse_number(value, 10, n) || (has_length && n != content_length_)) {
        return FrameStatus::malformed;
      }
      has_length = true;
      content_length_ = n;
    } else if (iequals(name, "transfer-encoding")) {
      has_encoding = true;
      chunked = iequals(last_token(value), "chunked");
    }
  }

  keep_alive_ = http10 ? conn_keep_alive && !conn_close : !conn_close;
  if (has_encoding) {
    // A request body whose length is not marked by chunking cannot be framed (RFC 9112 6.3).
    if (!chunked) return FrameStatus::malformed;
    body_ = Body::chunked;
    // Both headers at once: chunking wins, and the connection is closed after the answer.
    if (has_length) keep_alive_ = false;
  } else if (has_length && content_length_ > 0) {
    body_ = Body::length;
  }
  return FrameStatus::complete;
}

FrameStatus RequestFramer::frame_chunked(std::string_view bytes) {
  for (;;) {
    std::size_t line_end = bytes.find(kCrlf, chunk_cursor_);
    if (line_end == std::string_view::npos) {
      return bytes.size() - chunk_cursor_ > kMaxChunkLine ? FrameStatus::malformed
                                                          : FrameStatus::incomplete;
    }
    std::string_view line = bytes.substr(chunk_cursor_, line_end - chunk_cursor_);
    std::uint64_t size = 0;
    if (line.size() > kMaxChunkLine ||
        !parse_number(trim_ows(line.substr(0, line.find(';'))), 16, size)) {
      return FrameStatus::malformed;
    }
    std::size_t data = line_end + kCrlf.size();
    if (size == 0) {
      // The last chunk is followed by optional trailer fields and an empty line.
      for (std::size_t pos = data;;) {
        std::size_t end = bytes.find(kCrlf, pos);
        if (end == std::string_view::npos) {
          return bytes.size() - data > kMaxHeadSize ? FrameStatus::malformed
                                                    : FrameStatus::incomplete;
        }
        if (end == pos) {
          request_size_ = end + kCrlf.size();
          return FrameStatus::complete;
        }
        pos = end + kCrlf.size();
      }
    }
    if (size > kMaxRequestSize || data + size + kCrlf.size() > kMaxRequestSize) {
      return FrameStatus::malformed;
    }
    std::size_t next = data + size + kCrlf.size();
    if (bytes.size() < next) return FrameStatus::incomplete;
    if (bytes.substr(data + size, kCrlf.size()) != kCrlf) return FrameStatus::malformed;
    chunk_cursor_ = next;
  }
}

FrameStatus RequestFramer::finish(FrameStatus status, std::size_t size, FramedRequest& out,
                                  std::string_view bytes) {
  if (status == FrameStatus::complete) {
    out = FramedRequest{size, keep_alive_, is_head_, bytes.substr(target_begin_, target_size_)};
  }
  *this = RequestFramer{};
  return status;
}

}  // namespace hload::server
