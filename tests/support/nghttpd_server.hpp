#pragma once

// NghttpdServer runs nghttp2's own server, nghttpd, for integration tests: HTTP/2 over cleartext
// with prior knowledge (--no-tls) on 127.0.0.1, on a port it picks itself, serving a fresh
// directory of its own that holds "index.html" ("ok\n") and "1m" (1 MiB). The destructor stops
// it (SIGTERM, then SIGKILL) and removes the directory.
//
//   if (!NghttpdServer::available()) GTEST_SKIP() << NghttpdServer::kNotInstalled;
//   NghttpdServer nghttpd;
//   ... h2c traffic to nghttpd.port() ...

#include <cstdint>
#include <memory>
#include <string>

#include "tests/support/process.hpp"

namespace hload::test {

class NghttpdServer {
 public:
  // Why a test that needs nghttpd skips, when it is not installed.
  static constexpr const char* kNotInstalled =
      "nghttpd is not installed (scripts/setup.sh installs nghttp2-server)";

  // binary is the nghttpd executable (PATH, then /usr/sbin/nghttpd); empty when there is none.
  static const std::string& binary();
  static bool available() { return !binary().empty(); }

  // Starts nghttpd and returns once its port takes connections. Throws std::runtime_error
  // with its output when it cannot start within ten seconds.
  NghttpdServer();
  NghttpdServer(const NghttpdServer&) = delete;
  NghttpdServer& operator=(const NghttpdServer&) = delete;
  ~NghttpdServer();

  std::uint16_t port() const noexcept { return port_; }

 private:
  std::string dir_;  // the document root
  std::uint16_t port_ = 0;
  std::unique_ptr<Process> process_;
};

}  // namespace hload::test
