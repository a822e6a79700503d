#include "tests/support/nginx_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/free_port.hpp"
#include "tests/support/raw_client.hpp"

namespace hload::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Attempts at starting on fresh ports when nginx exits early: a picked port can be taken by
// someone else between picking and nginx binding it.
constexpr int kLaunchAttempts = 5;
constexpr auto kPoll = 10ms;

std::string find_binary() {
  if (const char* path = std::getenv("PATH")) {
    std::string_view dirs(path);
    while (!dirs.empty()) {
      std::size_t colon = dirs.find(':');
      std::string candidate = std::string(dirs.substr(0, colon)) + "/nginx";
      if (!candidate.starts_with("/nginx") && ::access(candidate.c_str(), X_OK) == 0) {
        return candidate;
      }
      if (colon == std::string_view::npos) break;
      dirs.remove_prefix(colon + 1);
    }
  }
  return ::access("/usr/sbin/nginx", X_OK) == 0 ? "/usr/sbin/nginx" : "";
}

// build_info is `nginx -V`: it says which modules were compiled in, hence which temporary paths
// nginx will try to create (in /var/lib/nginx unless the configuration moves them).
const std::string& build_info() {
  static const std::string kInfo = [] {
    std::string out;
    std::string cmd = NginxServer::binary() + " -V 2>&1";
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
      char buf[4096];
      std::size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
      ::pclose(p);
    }
    return out;
  }();
  return kInfo;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string make_temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/hload-nginx-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + templ);
  }
  // nginx's workers run as nobody when started by root and must reach the temporary paths.
  ::chmod(templ.c_str(), 0755);
  return templ;
}

}  // namespace

const std::string& NginxServer::binary() {
  static const std::string kPath = find_binary();
  return kPath;
}

NginxServer::NginxServer(NginxOptions options) : options_(std::move(options)) {
  if (!available()) throw std::runtime_error(kNotInstalled);
  const auto deadline = Clock::now() + options_.start_timeout;
  try {
    dir_ = make_temp_dir();
    for (int attempt = 0; attempt < kLaunchAttempts; ++attempt) {
      if (launch(deadline)) return;
      if (Clock::now() >= deadline) break;
    }
    throw std::runtime_error("nginx did not start; its log:\n" + log());
  } catch (...) {
    stop();
    throw;
  }
}

NginxServer::~NginxServer() { stop(); }

bool NginxServer::launch(Clock::time_point deadline) {
  std::vector<std::uint16_t> taken;
  auto next_port = [&taken](bool wanted) -> std::uint16_t {
    if (!wanted) return 0;
    std::uint16_t p;
    do {
      p = free_loopback_port();
    } while (std::find(taken.begin(), taken.end(), p) != taken.end());
    taken.push_back(p);
    return p;
  };
  keepalive_port_ = next_port(options_.keepalive_server);
  limited_port_ = next_port(options_.limited_server);
  status_port_ = next_port(options_.status_server);
  tls_ports_.clear();
  for (std::size_t i = 0; i < options_.tls_servers.size(); ++i)
    tls_ports_.push_back(next_port(true));
  h2c_port_ = next_port(options_.h2c_server);
  write_config();

  const std::string out = dir_ + "/stdio.log";
  std::vector<std::string> args{
      binary(), "-p", dir_ + "/", "-c", dir_ + "/nginx.conf", "-e", dir_ + "/error.log"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    // The child of a possibly multi-threaded process: async-signal-safe calls only until exec.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // Its own process group, so that workers left by a killed master can be killed too.
    setpgid(0, 0);
    // If the test process dies, nginx shuts down instead of serving on.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    int in = open("/dev/null", O_RDONLY);
    int log = open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || log < 0) _exit(127);
    dup2(in, 0);
    dup2(log, 1);
    dup2(log, 2);
    // Descriptors of the test (listening sockets of other servers) must not live on in nginx.
    if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
      for (int fd = 3; fd < 65536; ++fd) close(fd);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  ::setpgid(pid, pid);  // also here: whichever runs first, the group exists before any signal
  pid_ = pid;

  // The TLS ports first, with a bare connect, then the others with whole exchanges: nginx has
  // accepted the TLS probes by the time it answers those, so a test's first reading counts them.
  for (const std::uint16_t port : tls_ports_) {
    if (!listens(port, deadline)) {
      if (exited()) return false;
      throw std::runtime_error("nginx does not listen on TLS port " + std::to_string(port) +
                               " in time; its log:\n" + log());
    }
  }
  const std::pair<std::uint16_t, std::string_view> probes[] = {
      {keepalive_port_, "/"}, {limited_port_, "/"}, {status_port_, "/nginx_status"}};
  for (const auto& [port, path] : probes) {
    if (port != 0 && !answers(port, path, deadline)) {
      if (exited()) return false;
      throw std::runtime_error("nginx did not answer on port " + std::to_string(port) +
                               " in time; its log:\n" + log());
    }
  }
  return true;
}

void NginxServer::write_config() const {
  const std::string& d = dir_;
  std::ostringstream c;
  c << "daemon off;\nmaster_process on;\nworker_processes 1;\n";
  if (::geteuid() == 0) c << "user nobody nogroup;\n";
  c << "pid " << d << "/nginx.pid;\n"
    << "error_log " << d << "/error.log notice;\n"
    << "worker_rlimit_nofile 8192;\n"
    // Bounds a graceful stop when a test still holds a connection mid-request.
    << "worker_shutdown_timeout 2s;\n"
    << "events { worker_connections 4096; }\n"
    << "http {\n"
    << "  access_log off;\n"
    << "  default_type text/plain;\n"
    << "  keepalive_timeout " << options_.keepalive_timeout.count() << "s;\n"
    << "  client_body_temp_path " << d << "/client_body;\n";
  for (const char* module : {"proxy", "fastcgi", "uwsgi", "scgi"}) {
    if (build_info().find("--without-http_" + std::string(module) + "_module") ==
        std::string::npos) {
      c << "  " << module << "_temp_path " << d << "/" << module << ";\n";
    }
  }
  if (keepalive_port_ != 0) {
    c << "  server {\n    listen 127.0.0.1:" << keepalive_port_ << " backlog=4096;\n"
      << "    keepalive_requests 1000000000;\n"
      << "    location / { return 200 \"ok\\n\"; }\n  }\n";
  }
  if (limited_port_ != 0) {
    c << "  server {\n    listen 127.0.0.1:" << limited_port_ << " backlog=4096;\n"
      << "    keepalive_requests " << options_.limited_keepalive_requests << ";\n"
      << "    location / { return 200 \"ok\\n\"; }\n  }\n";
  }
  for (std::size_t i = 0; i < tls_ports_.size(); ++i) {
    c << "  server {\n    listen 127.0.0.1:" << tls_ports_[i] << " ssl"
      << (options_.tls_http2 ? " http2" : "") << " backlog=4096;\n"
      << "    ssl_certificate " << options_.tls_servers[i].cert << ";\n"
      << "    ssl_certificate_key " << options_.tls_servers[i].key << ";\n"
      << "    ssl_protocols TLSv1.2 TLSv1.3;\n"
      << "    keepalive_requests " << options_.tls_keepalive_requests << ";\n"
      << "    http2_max_concurrent_streams " << options_.http2_max_concurrent_streams << ";\n"
      << "    location / { return 200 \"ok\\n\"; }\n  }\n";
  }
  if (h2c_port_ != 0) {
    std::ofstream(d + "/1m", std::ios::binary) << std::string(1 << 20, 'x');
    c << "  server {\n    listen 127.0.0.1:" << h2c_port_ << " http2 backlog=4096;\n"
      << "    keepalive_requests 1000000000;\n"
      << "    http2_max_concurrent_streams " << options_.http2_max_concurrent_streams << ";\n"
      << "    location = /1m { alias " << d << "/1m; }\n"
      << "    location / { return 200 \"ok\\n\"; }\n  }\n";
  }
  if (status_port_ != 0) {
    c << "  server {\n    listen 127.0.0.1:" << status_port_ << ";\n"
      << "    location = /nginx_status { stub_status; }\n"
      << "    location / { return 404; }\n  }\n";
  }
  c << "}\n";
  std::ofstream(d + "/nginx.conf") << c.str();
}

bool NginxServer::answers(std::uint16_t port, std::string_view path, Clock::time_point deadline) {
  // A whole exchange, read until nginx closes: the probe is then accepted, counted and gone
  // before the test's first reading, which therefore starts from a quiet server.
  const std::string request =
      "GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  while (Clock::now() < deadline) {
    if (exited()) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    try {
      RawClient c(port, std::max(left, std::chrono::milliseconds(1)));
      c.send(request);
      RawResponse r = c.read_response();
      if (r.complete && r.status == 200 && c.read_to_end() == PeerEnd::eof) return true;
    } catch (const std::system_error&) {
      // Not listening yet.
    }
    std::this_thread::sleep_for(kPoll);
  }
  return false;
}

bool NginxServer::listens(std::uint16_t port, Clock::time_point deadline) {
  while (Clock::now() < deadline) {
    if (exited()) return false;
    try {
      RawClient probe(port);
      return true;
    } catch (const std::system_error&) {
      // Not listening yet.
    }
    std::this_thread::sleep_for(kPoll);
  }
  return false;
}

bool NginxServer::exited() {
  if (pid_ <= 0) return true;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return true;
  }
  return false;
}

StubStatus NginxServer::counters() const {
  if (status_port_ == 0) throw std::logic_error("NginxServer: the status server is not enabled");
  RawClient c(status_port_);
  c.send("GET /nginx_status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  RawResponse r = c.read_response();
  // Wait until nginx closed this connection, so that the next reading does not see it active.
  c.read_to_end();
  std::optional<StubStatus> s = parse_stub_status(r.body);
  if (!r.complete || r.status != 200 || !s) {
    throw std::runtime_error("NginxServer: cannot read stub_status: " + r.head + r.body);
  }
  return *s;
}

std::string NginxServer::log() const {
  if (dir_.empty()) return {};
  return read_file(dir_ + "/error.log") + read_file(dir_ + "/stdio.log");
}

void NginxServer::stop() {
  if (pid_ > 0) kill_and_reap();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    dir_.clear();
  }
}

void NginxServer::kill_and_reap() {
  auto exits_within = [this](std::chrono::milliseconds limit) {
    for (auto end = Clock::now() + limit; Clock::now() < end;) {
      if (exited()) return true;
      std::this_thread::sleep_for(kPoll);
    }
    return exited();
  };
  // Graceful first: the master waits for its workers, so nothing of nginx is left.
  ::kill(pid_, SIGQUIT);
  if (exits_within(5s)) return;
  ::kill(pid_, SIGTERM);
  if (exits_within(3s)) return;
  // The master is not reaped yet, so its process group id cannot have been reused.
  ::kill(-pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace hload::test
