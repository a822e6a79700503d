#include "tests/support/raw_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <system_error>

namespace hload::test {
namespace {

std::system_error sys_error(const char* what) { return {errno, std::generic_category(), what}; }

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

// header_value finds a header in a lower-cased head; empty when absent.
std::string header_value(const std::string& head_lower, std::string_view name) {
  std::string key = "\r\n" + std::string(name) + ":";
  std::size_t at = head_lower.find(key);
  if (at == std::string::npos) return {};
  std::size_t begin = head_lower.find_first_not_of(' ', at + key.size());
  std::size_t end = head_lower.find("\r\n", begin);
  return head_lower.substr(begin, end - begin);
}

}  // namespace

const char* to_string(PeerEnd e) noexcept {
  switch (e) {
    case PeerEnd::none:
      return "none";
    case PeerEnd::eof:
      return "eof";
    case PeerEnd::reset:
      return "reset";
    case PeerEnd::timeout:
      return "timeout";
  }
  return "?";
}

RawClient::RawClient(std::uint16_t port, std::chrono::milliseconds timeout) : timeout_(timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw sys_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // A loopback connect completes or fails at once, so a blocking connect is bounded.
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    auto e = sys_error("connect");
    close();
    throw e;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

RawClient::~RawClient() { close(); }

void RawClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RawClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout_.count())) <= 0) {
      throw std::system_error(std::make_error_code(std::errc::timed_out), "send");
    }
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw sys_error("send");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

PeerEnd RawClient::fill() {
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(timeout_.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return PeerEnd::timeout;
    char buf[16 * 1024];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      buffered_.append(buf, static_cast<std::size_t>(n));
      return PeerEnd::none;
    }
    if (n == 0) return PeerEnd::eof;
    if (errno == EINTR) continue;
    return errno == ECONNRESET ? PeerEnd::reset : PeerEnd::eof;
  }
}

RawResponse RawClient::read_response(bool head) {
  RawResponse r;
  std::size_t head_end;
  while ((head_end = buffered_.find("\r\n\r\n")) == std::string::npos) {
    if ((r.end = fill()) != PeerEnd::none) {
      r.head = std::move(buffered_);
      buffered_.clear();
      return r;
    }
  }
  r.head = buffered_.substr(0, head_end + 4);
  buffered_.erase(0, head_end + 4);
  if (r.head.starts_with("HTTP/1.") && r.head.size() > 12) {
    r.status = std::atoi(r.head.c_str() + 9);
  }
  const std::string head_lower = lower(r.head);
  r.connection_close = header_value(head_lower, "connection") == "close";
  std::size_t length = 0;
  if (!head && r.status != 204 && r.status != 304) {
    length = std::stoul("0" + header_value(head_lower, "content-length"));
  }
  while (buffered_.size() < length) {
    if ((r.end = fill()) != PeerEnd::none) {
      r.body = std::move(buffered_);
      buffered_.clear();
      return r;
    }
  }
  r.body = buffered_.substr(0, length);
  buffered_.erase(0, length);
  r.complete = r.status != 0;
  return r;
}

PeerEnd RawClient::read_to_end(std::string* data) {
  PeerEnd end;
  while ((end = fill()) == PeerEnd::none) {
  }
  if (data) *data += buffered_;
  buffered_.clear();
  return end;
}

RawResponse RawClient::get(std::string_view path) {
  send("GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  return read_response();
}

}  // namespace hload::test
