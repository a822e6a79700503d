#include "tests/support/blackhole_listener.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <system_error>
#include <thread>

namespace hload::test {

namespace {

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// Linux keeps backlog + 1 connections waiting to be accepted; a few more leave no doubt.
constexpr int kFillers = 4;

}  // namespace

BlackholeListener::BlackholeListener() {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) fail("socket");
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0) fail("bind");
  if (::listen(listener_, 0) != 0) fail("listen");
  socklen_t len = sizeof at;
  if (::getsockname(listener_, reinterpret_cast<sockaddr*>(&at), &len) != 0) fail("getsockname");
  port_ = ntohs(at.sin_port);
  for (int i = 0; i < kFillers; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket");
    // A non-blocking connect is in progress (EINPROGRESS) or done; either fills the backlog.
    (void)::connect(fd, reinterpret_cast<sockaddr*>(&at), sizeof at);
    fillers_.push_back(fd);
  }
  // The handshakes the backlog takes complete at once; let them.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

BlackholeListener::~BlackholeListener() {
  for (int fd : fillers_) ::close(fd);
  if (listener_ >= 0) ::close(listener_);
}

}  // namespace hload::test
