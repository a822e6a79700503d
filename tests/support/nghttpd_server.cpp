#include "tests/support/nghttpd_server.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>

#include "tests/support/free_port.hpp"
#include "tests/support/raw_client.hpp"

namespace hload::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string find_binary() {
  if (const char* path = std::getenv("PATH")) {
    std::string_view dirs(path);
    while (!dirs.empty()) {
      const std::size_t colon = dirs.find(':');
      std::string candidate = std::string(dirs.substr(0, colon)) + "/nghttpd";
      if (!candidate.starts_with("/nghttpd") && ::access(candidate.c_str(), X_OK) == 0) {
        return candidate;
      }
      if (colon == std::string_view::npos) break;
      dirs.remove_prefix(colon + 1);
    }
  }
  return ::access("/usr/sbin/nghttpd", X_OK) == 0 ? "/usr/sbin/nghttpd" : "";
}

// accepts says whether something takes connections on port now.
bool accepts(std::uint16_t port) {
  try {
    RawClient probe(port, 100ms);
    return true;
  } catch (const std::system_error&) {
    return false;
  }
}

}  // namespace

const std::string& NghttpdServer::binary() {
  static const std::string kPath = find_binary();
  return kPath;
}

NghttpdServer::NghttpdServer() {
  if (!available()) throw std::runtime_error(kNotInstalled);
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/hload-nghttpd-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + templ);
  }
  dir_ = templ;
  std::ofstream(dir_ + "/index.html") << "ok\n";
  std::ofstream(dir_ + "/1m", std::ios::binary) << std::string(1 << 20, 'x');

  const auto deadline = Clock::now() + 10s;
  std::string output;
  // A picked port may be taken before nghttpd binds it: then it exits, and a fresh one is tried.
  while (Clock::now() < deadline) {
    port_ = free_loopback_port();
    process_ = std::make_unique<Process>(
        binary(),
        std::vector<std::string>{"--no-tls", "-a", "127.0.0.1", "-d", dir_, std::to_string(port_)});
    while (process_->running() && !accepts(port_) && Clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    if (process_->running() && accepts(port_)) return;
    output = process_->wait(1s).describe();
    process_.reset();
  }
  std::filesystem::remove_all(dir_);
  throw std::runtime_error("nghttpd did not start: " + output);
}

NghttpdServer::~NghttpdServer() {
  if (process_) {
    process_->signal(SIGTERM);
    process_->wait(5s);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace hload::test
