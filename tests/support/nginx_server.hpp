#pragma once

// NginxServer runs a real nginx for integration tests: on 127.0.0.1, on ports it picks itself,
// from a configuration it writes into a fresh directory of its own (prefix, pid file, logs,
// temporary files), so that it never touches or collides with a system nginx or another test.
// The destructor always stops it, falling back to SIGKILL; if the test process dies first,
// nginx is sent SIGTERM (PR_SET_PDEATHSIG) and shuts down with it; so construct it on a thread
// that outlives it (the test's own).
//
//   if (!NginxServer::available()) GTEST_SKIP() << NginxServer::kNotInstalled;
//   NginxServer nginx;
//   StubStatus before = nginx.counters();
//   ... traffic to nginx.keepalive_port() ...
//   StubDelta d = delta(before, nginx.counters());   // exact: the readings are taken out

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/stub_status.hpp"
#include "tests/support/test_certs.hpp"

namespace hload::test {

// NginxOptions choose which servers the instance runs. Each enabled one gets its own port.
struct NginxOptions {
  // (a) `return 200 "ok\n"` with keep-alive connections that are never closed by count.
  bool keepalive_server = true;
  // (b) the same, but nginx closes a connection after `limited_keepalive_requests` requests.
  bool limited_server = true;
  int limited_keepalive_requests = 100;
  // (c) stub_status at /nginx_status, for counters().
  bool status_server = true;
  // (d) one HTTPS server per entry, with that certificate: `return 200 "ok\n"` over TLS 1.2
  // or 1.3 with keep-alive connections never closed by count, as (a). nginx's default session
  // handling stands: TLS session tickets, so clients may resume.
  std::vector<CertFiles> tls_servers{};
  // With tls_http2 the HTTPS servers also speak HTTP/2, chosen by ALPN "h2".
  bool tls_http2 = false;
  // How many requests (HTTP/2: streams) an HTTPS connection carries before nginx closes it
  // (HTTP/2: with GOAWAY).
  int tls_keepalive_requests = 1'000'000'000;
  // (d) HTTP/2 over cleartext with prior knowledge (h2c): `return 200 "ok\n"` at /, a body of
  // 1 MiB at /1m. It is not probed at start (it does not answer HTTP/1.1); nginx binds it with
  // the others, so enable one of them too.
  bool h2c_server = false;
  // The SETTINGS_MAX_CONCURRENT_STREAMS of every HTTP/2 server (nginx's default).
  int http2_max_concurrent_streams = 128;
  std::chrono::seconds keepalive_timeout{75};
  // Starting fails (with nginx's log in the exception) after this long.
  std::chrono::milliseconds start_timeout{10'000};
};

class NginxServer {
 public:
  // Why a test that needs nginx skips, when it is not installed.
  static constexpr const char* kNotInstalled =
      "nginx is not installed (scripts/setup.sh installs nginx-light)";

  // binary is the nginx executable (PATH, then /usr/sbin/nginx); empty when there is none.
  static const std::string& binary();
  // available says whether nginx is installed.
  static bool available() { return !binary().empty(); }

  // Starts nginx and returns once every enabled server answers. Throws std::runtime_error with
  // nginx's log when it cannot start within options.start_timeout.
  explicit NginxServer(NginxOptions options = {});
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;
  ~NginxServer();

  // The ports of the servers (a) to (d); 0 for a server that is not enabled.
  std::uint16_t keepalive_port() const noexcept { return keepalive_port_; }
  std::uint16_t limited_port() const noexcept { return limited_port_; }
  std::uint16_t status_port() const noexcept { return status_port_; }
  // tls_port is the port of the TLS server (d) of options.tls_servers[i].
  std::uint16_t tls_port(std::size_t i) const { return tls_ports_.at(i); }
  std::uint16_t h2c_port() const noexcept { return h2c_port_; }

  // counters reads stub_status with one GET on a connection of its own ("Connection: close"),
  // read until nginx closes it. That reading is itself one accept, one handled connection and
  // one request, and its connection is active while it is read: see StubStatus and delta().
  // Throws std::runtime_error when the page cannot be read.
  StubStatus counters() const;

  // log returns what nginx wrote to its error log and standard streams so far.
  std::string log() const;

  // stop shuts nginx down (SIGQUIT, then SIGTERM, then SIGKILL, each wait bounded) and removes
  // its directory. Idempotent; the destructor calls it.
  void stop();

 private:
  // launch starts nginx on fresh ports and waits for it; false when it exited early (a port
  // taken in the meantime), after which it may be tried again.
  bool launch(std::chrono::steady_clock::time_point deadline);
  void write_config() const;
  // answers says whether port answered a GET of path before the deadline (false too when nginx
  // exited).
  bool answers(std::uint16_t port, std::string_view path,
               std::chrono::steady_clock::time_point deadline);
  // listens says whether port accepted a connection before the deadline (false too when nginx
  // exited).
  bool listens(std::uint16_t port, std::chrono::steady_clock::time_point deadline);
  // exited reaps the master if it has exited.
  bool exited();
  // kill_and_reap stops the master (and so its workers) with escalating signals, each wait
  // bounded, and reaps it.
  void kill_and_reap();

  NginxOptions options_;
  std::string dir_;  // the prefix: config, pid file, logs, temporary files
  pid_t pid_ = -1;   // the master process, leader of its own process group
  std::uint16_t keepalive_port_ = 0;
  std::uint16_t limited_port_ = 0;
  std::uint16_t status_port_ = 0;
  std::vector<std::uint16_t> tls_ports_;
  std::uint16_t h2c_port_ = 0;
};

}  // namespace hload::test
