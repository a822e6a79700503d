#include "cmd/serve_flags.hpp"

#include <chrono>
#include <string>

#include "cmd/app_flags.hpp"
#include "cmd/flag_values.hpp"
#include "cmd/go_duration.hpp"
#include "cmd/thread_limit.hpp"
#include "cmd/usage_error.hpp"

namespace hload::cli {
namespace {

// kMaxBodySize bounds -body-size: the server keeps one response in memory, and a typo of a few
// extra digits should be an error, not an exhausted machine.
constexpr std::int64_t kMaxBodySize = std::int64_t{1} << 30;

std::chrono::milliseconds millis(std::string_view flag, std::string_view text) {
  return std::chrono::ceil<std::chrono::milliseconds>(read_duration(flag, text, Zero::allowed));
}

// read_delay_change reads -delay-after's AFTER=DELAY.
std::pair<std::chrono::milliseconds, std::chrono::milliseconds> read_delay_change(
    const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) {
    throw UsageError("-delay-after wants AFTER=DELAY, such as 3s=50ms (got " + printable(text) +
                     ")");
  }
  return {millis("-delay-after", std::string_view(text).substr(0, eq)),
          millis("-delay-after", std::string_view(text).substr(eq + 1))};
}

// read_fail_window reads -fail-between's FROM-UNTIL into c.
void read_fail_window(const std::string& text, ServeConfig& c) {
  const auto dash = text.find('-', 1);
  if (dash == std::string::npos) {
    throw UsageError("-fail-between wants FROM-UNTIL, such as 2s-3s (got " + printable(text) + ")");
  }
  c.fail_from = millis("-fail-between", std::string_view(text).substr(0, dash));
  c.fail_until = millis("-fail-between", std::string_view(text).substr(dash + 1));
  if (c.fail_until <= c.fail_from) {
    throw UsageError("-fail-between must end after it starts (got " + printable(text) + ")");
  }
}

}  // namespace

void add_serve_flags(CLI::App& app) {
  const ServeConfig d;
  app.option_defaults()->group("Server");
  add_value_flag(app, "port", "N", "port to listen on, on 127.0.0.1 only; 0 = any free one",
                 std::to_string(d.port));
  add_value_flag(app, "body-size", "BYTES", R"(response body size ("ok\n" repeated))",
                 std::to_string(d.body_size));
  add_value_flag(app, "status", "CODE", "response status, 200-999", std::to_string(d.status));
  add_value_flag(app, "delay", "DURATION", "wait before each response (5ms, 1s)",
                 format_go_duration(d.delay));
  add_value_flag(app, "delay-after", "AFTER=DELAY",
                 "from AFTER since the start, wait DELAY instead (3s=50ms); repeat for more");
  add_value_flag(app, "fail-between", "FROM-UNTIL",
                 "answer 500 to requests from FROM until UNTIL since the start (2s-3s)");
  add_value_flag(app, "close-every", "N", "close a connection after N responses; 0 = never",
                 std::to_string(d.close_every));
  add_value_flag(app, "threads", "N", "threads serving, at most " + std::to_string(max_threads()),
                 std::to_string(d.threads));
}

ServeConfig read_serve_flags(const CLI::App& app) {
  ServeConfig c;
  if (const auto* v = last_value(app, "port")) {
    c.port = static_cast<std::uint16_t>(read_whole("-port", *v, Zero::allowed, 65535));
  }
  if (const auto* v = last_value(app, "body-size")) {
    c.body_size =
        static_cast<std::size_t>(read_whole("-body-size", *v, Zero::allowed, kMaxBodySize));
  }
  if (const auto* v = last_value(app, "status")) {
    // The server speaks only final statuses; 1xx would need a second response.
    const auto status = read_whole("-status", *v, Zero::refused, 999);
    if (status < 200) {
      throw UsageError("-status must be 200-999 (got " + printable(*v) + ")");
    }
    c.status = static_cast<unsigned>(status);
  }
  if (const auto* v = last_value(app, "delay")) {
    c.delay =
        std::chrono::ceil<std::chrono::milliseconds>(read_duration("-delay", *v, Zero::allowed));
  }
  for (const auto& text : all_values(app, "delay-after")) {
    c.delay_changes.push_back(read_delay_change(text));
    if (c.delay_changes.size() > 1 &&
        c.delay_changes.back().first < c.delay_changes[c.delay_changes.size() - 2].first) {
      throw UsageError("-delay-after must be given in order of time (got " + printable(text) +
                       " after a later one)");
    }
  }
  if (const auto* v = last_value(app, "fail-between")) read_fail_window(*v, c);
  if (const auto* v = last_value(app, "close-every")) {
    c.close_every = static_cast<std::uint64_t>(read_count("-close-every", *v, Zero::allowed));
  }
  if (const auto* v = last_value(app, "threads")) {
    c.threads = static_cast<int>(read_whole("-threads", *v, Zero::refused, max_threads()));
  }
  return c;
}

}  // namespace hload::cli
