#pragma once

// What the end-to-end tests share: they run the built hload program (HLOAD_BINARY, its path,
// comes from tests/CMakeLists.txt) as a user would, with a time limit on every run, and read
// what it printed or wrote.

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cmd/server/builtin_server.hpp"
#include "tests/support/process.hpp"

namespace hload::test::e2e {

using nlohmann::json;
using namespace std::chrono_literals;

// kHload is the program under test.
inline const std::string kHload = HLOAD_BINARY;

// kRunLimit bounds a run of hload in these tests; none should take more than a few seconds, and
// a hang must fail the test rather than stall the suite.
inline constexpr std::chrono::milliseconds kRunLimit = 60s;

// hload runs the program with args to its end, killing it at limit.
inline ProcessResult hload(const std::vector<std::string>& args,
                           std::chrono::milliseconds limit = kRunLimit) {
  return run_process(kHload, args, {.env = {}, .time_limit = limit});
}

// url is the root URL of a server on 127.0.0.1:port.
inline std::string url(std::uint16_t port) {
  return "http://127.0.0.1:" + std::to_string(port) + "/";
}

// host_key is how a report names that server under "hosts".
inline std::string host_key(std::uint16_t port) {
  return "http://127.0.0.1:" + std::to_string(port);
}

// parse_json returns the document text holds, or a discarded value (is_discarded()) when text
// is not one JSON document.
inline json parse_json(const std::string& text) { return json::parse(text, nullptr, false); }

// read_file returns the contents of the file at path; empty when it cannot be read.
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// lines splits text at newlines; a last line without one counts too.
inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// shows_a_crash says whether err holds what an escaped exception, an abort or a sanitizer
// prints: none of them may reach a user, whatever went wrong.
inline bool shows_a_crash(std::string_view err) {
  for (std::string_view sign : {"terminate called", "what():", "Aborted", "Segmentation fault",
                                "Sanitizer", "runtime error:", "#0 0x"}) {
    if (err.find(sign) != std::string_view::npos) return true;
  }
  return false;
}

// accepted_after_settling is how many connections server accepted, read once a connection that
// a just-ended hload made has had time to be accepted: the kernel completes the handshake at
// once, the server's accept may run a moment later.
inline std::uint64_t accepted_after_settling(const server::BuiltinServer& server) {
  std::this_thread::sleep_for(100ms);
  return server.counters().accepted;
}

// TempDir is a fresh directory, removed with everything in it by the destructor.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/hload-e2e-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp " + templ);
    path_ = templ;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::string& path() const { return path_; }
  // file is the path of name inside the directory.
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // names lists what the directory holds, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_)) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::string path_;
};

}  // namespace hload::test::e2e
