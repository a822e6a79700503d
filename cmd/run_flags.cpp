#include "cmd/run_flags.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "cmd/addresses.hpp"
#include "cmd/app_flags.hpp"
#include "cmd/body_file.hpp"
#include "cmd/flag_values.hpp"
#include "cmd/go_duration.hpp"
#include "cmd/http_syntax.hpp"
#include "cmd/readable_file.hpp"
#include "cmd/targets_file.hpp"
#include "cmd/thread_limit.hpp"
#include "cmd/usage_error.hpp"
#include "cmd/version.hpp"

namespace hload::cli {
namespace {

using engine::OutputFormat;
using engine::RunConfig;

constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();

// kOutputFormats names each report format as -o spells it.
constexpr std::array<std::pair<std::string_view, OutputFormat>, 5> kOutputFormats{{
    {"text", OutputFormat::text},
    {"json", OutputFormat::json},
    {"histogram", OutputFormat::histogram},
    {"csv", OutputFormat::csv},
    {"html", OutputFormat::html},
}};

// kMinTimelineInterval bounds -timeline-interval from below: finer intervals would cost a
// wake-up of every thread more often than a load test should pay for.
constexpr auto kMinTimelineInterval = std::chrono::milliseconds(100);

std::string output_name(OutputFormat format) {
  return std::string(std::find_if(kOutputFormats.begin(), kOutputFormats.end(), [&](const auto& f) {
                       return f.second == format;
                     })->first);
}

// shortest writes x as briefly as it reads back ("0", "2.5").
std::string shortest(double x) {
  char text[32];
  return {text, std::to_chars(text, text + sizeof text, x).ptr};
}

void add_request_flags(CLI::App& app, const RunConfig& d) {
  app.option_defaults()->group("Request");
  add_value_flag(app, "m", "METHOD", "HTTP method, any token, sent in upper case", d.method);
  add_value_flag(app, "H", "\"NAME: VALUE\"", "request header; repeat for more");
  add_value_flag(app, "d", "BODY", "request body (not with -D)");
  add_value_flag(app, "D", "FILE", "request body read from FILE (not with -d)");
  add_value_flag(app, "T", "TYPE", "Content-Type header", d.content_type);
  add_value_flag(app, "A", "TYPE", "Accept header");
  add_value_flag(app, "U", "AGENT", "User-Agent header", "hload/" + std::string(kVersion));
  add_value_flag(app, "a", "USER:PASS", "basic authentication");
  add_value_flag(app, "host", "HOST[:PORT]", "Host header", "the URL's host");
  add_value_flag(app, "x", "HOST:PORT", "HTTP proxy");
  add_switch(app, "h2",
             "offer HTTP/2 to https:// URLs by ALPN, HTTP/1.1 if the server does not choose it");
  add_switch(app, "h2c", "speak HTTP/2 with prior knowledge to http:// URLs, as h2load does");
  add_switch(app, "disable-compression", "do not ask for compressed responses");
  add_switch(app, "disable-redirects",
             "do not follow redirects (hload follows up to 10 by default); a 3xx is reported as "
             "it comes");
  add_value_flag(app, "targets", "FILE",
                 "requests to send instead of the URL's, in vegeta's HTTP or JSON format");
  add_value_flag(app, "targets-order", "ORDER",
                 "how users go through the -targets: round-robin or random", "round-robin");
}

void add_tls_flags(CLI::App& app, const RunConfig& d) {
  app.option_defaults()->group("TLS (https URLs)");
  add_switch(app, "insecure", "do not verify the server's certificate or its name");
  add_value_flag(app, "cacert", "FILE",
                 "trust the CA certificates of this PEM file instead of the system's");
  add_value_flag(app, "cert", "FILE", "client certificate (PEM) for servers that ask; with -key");
  add_value_flag(app, "key", "FILE", "private key (PEM) of the -cert certificate");
  add_value_flag(app, "tls-handshake-timeout", "DURATION",
                 "give up a TLS handshake after this (5s, 500ms); 0 = never",
                 format_go_duration(d.tls_handshake_timeout));
  add_switch(app, "tls-resume", "resume each host's last TLS session (abbreviated handshakes)");
}

void add_load_flags(CLI::App& app, const RunConfig& d) {
  app.option_defaults()->group("Load");
  add_value_flag(app, "n", "N", "requests in all, at least -c",
                 d.requests ? std::to_string(*d.requests) : "200, none with -z");
  add_value_flag(app, "c", "N", "concurrent virtual users, at least 1",
                 std::to_string(d.concurrency));
  add_value_flag(app, "z", "DURATION",
                 "run this long (10s, 1m30s), then stop: requests in flight are reported as "
                 "unfinished; with -n, until either is met");
  add_value_flag(app, "q", "QPS", "requests/s per virtual user at most; 0 = no limit",
                 shortest(d.qps_per_user));
  add_value_flag(app, "rate", "R", "requests/s in all, sent on schedule (open model); not with -q");
  add_value_flag(app, "warmup", "DURATION",
                 "requests that finish this soon after the start are left out of every figure "
                 "(their dials count)");
  add_value_flag(app, "t", "SECONDS",
                 "timeout per request in seconds, as hey's, or 1500ms; 0 = none",
                 format_go_duration(d.timeout));
  add_value_flag(app, "threads", "N",
                 "threads for the virtual users, at most -c and " + std::to_string(max_threads()),
                 std::to_string(d.threads));
  add_value_flag(app, "shard", "I/N",
                 "run the I-th (from 0) of N equal shares of -n, -c and -rate; merge the N "
                 "reports with hload merge");
  add_value_flag(app, "cpus", "N", "accepted for hey's sake and ignored; see -threads");
}

void add_pool_flags(CLI::App& app, const RunConfig& d) {
  app.option_defaults()->group("Connection pool");
  add_value_flag(app, "max-conns-per-host", "N", "open connections per host at most; 0 = no limit",
                 std::to_string(d.max_conns_per_host));
  add_value_flag(app, "max-idle-conns-per-host", "N",
                 "idle connections a host keeps; 0 = as many as -c",
                 std::to_string(d.max_idle_conns_per_host));
  add_value_flag(app, "max-idle-conns", "N", "idle connections over all hosts; 0 = no limit",
                 std::to_string(d.max_idle_conns));
  add_value_flag(app, "max-conns", "N", "open connections over all hosts; 0 = no limit",
                 std::to_string(d.max_conns));
  add_value_flag(app, "idle-conn-timeout", "DURATION",
                 "close connections idle this long (90s, 2m); 0 = never",
                 format_go_duration(d.idle_conn_timeout));
  add_value_flag(app, "dial-timeout", "DURATION",
                 "give up connecting after this (5s, 500ms); 0 = never",
                 format_go_duration(d.dial_timeout));
  add_switch(app, "disable-keepalive", "one request per connection: nothing is pooled");
}

void add_report_flags(CLI::App& app, const RunConfig& d) {
  app.option_defaults()->group("Report");
  add_value_flag(app, "o", "FORMAT",
                 "report format: text, json, histogram, csv (hey's, a line per request), or html "
                 "(charts in one file that works offline)",
                 output_name(d.output));
  add_value_flag(app, "output", "FILE",
                 "write the report to FILE, not standard output; FILE.html without -o is html");
  add_value_flag(app, "timeline-interval", "DURATION",
                 "the timeline's interval (report: timeline), at least 100ms",
                 format_go_duration(d.timeline_interval));
  add_switch(app, "no-progress", "no live progress line on standard error");
}

// one_line returns text, refusing it when it would break the header line it goes into.
std::string one_line(std::string_view flag, const std::string& text) {
  if (breaks_line(text)) {
    throw UsageError(std::string(flag) + " must be one line (got " + quote(text) + ")");
  }
  return text;
}

std::string read_method(const std::string& text) {
  std::string method = text;
  std::transform(method.begin(), method.end(), method.begin(), [](char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  });
  if (!is_token(method)) {
    throw UsageError("-m wants an HTTP method such as GET or POST (got " + quote(text) + ")");
  }
  return method;
}

std::string read_header(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos || !is_token(std::string_view(text).substr(0, colon)) ||
      breaks_line(text)) {
    throw UsageError("-H wants \"Name: value\" on one line, the name a token (got " + quote(text) +
                     ")");
  }
  return text;
}

OutputFormat read_output_format(const std::string& text) {
  for (const auto& [name, format] : kOutputFormats) {
    if (name == text) return format;
  }
  throw UsageError("-o wants text, json, histogram, csv or html (got " + quote(text) + ")");
}

int read_int(const CLI::App& app, std::string_view name, Zero zero, int current,
             std::int64_t max = kIntMax) {
  const std::string* text = last_value(app, name);
  if (!text) return current;
  return static_cast<int>(read_count("-" + std::string(name), *text, zero, max));
}

Duration read_time(const CLI::App& app, std::string_view name, Zero zero, Duration current) {
  const std::string* text = last_value(app, name);
  return text ? read_duration("-" + std::string(name), *text, zero) : current;
}

void read_request_flags(const CLI::App& app, RunConfig& c) {
  if (const auto* v = last_value(app, "m")) c.method = read_method(*v);
  for (const auto& header : all_values(app, "H")) c.headers.push_back(read_header(header));
  if (given(app, "d") && given(app, "D")) {
    throw UsageError("-d and -D cannot both be given: one request body");
  }
  if (const auto* v = last_value(app, "d")) c.body = *v;
  if (const auto* v = last_value(app, "D")) c.body = read_body_file(*v);
  if (const auto* v = last_value(app, "T")) c.content_type = one_line("-T", *v);
  if (const auto* v = last_value(app, "A")) c.accept = one_line("-A", *v);
  if (const auto* v = last_value(app, "U")) c.user_agent = one_line("-U", *v);
  if (const auto* v = last_value(app, "a")) {
    if (v->find(':') == std::string::npos || breaks_line(*v)) {
      throw UsageError("-a wants user:password (got " + quote(*v) + ")");
    }
    c.basic_auth = *v;
  }
  if (const auto* v = last_value(app, "host")) {
    check_host_header(*v);
    c.host_header = *v;
  }
  if (const auto* v = last_value(app, "x")) {
    check_proxy_address(*v);
    c.proxy = *v;
  }
  if (const auto* v = last_value(app, "targets")) {
    c.targets = read_targets_file(*v);
    c.targets_file = *v;
    c.url = c.targets.front().url;
  }
  if (const auto* v = last_value(app, "targets-order")) {
    if (*v == "round-robin") {
      c.targets_order = engine::TargetOrder::round_robin;
    } else if (*v == "random") {
      c.targets_order = engine::TargetOrder::random;
    } else {
      throw UsageError("-targets-order wants round-robin or random (got " + quote(*v) + ")");
    }
  }
  read_switch(app, "h2", c.http2);
  read_switch(app, "h2c", c.h2c);
  if (c.h2c && c.http2) {
    throw UsageError("-h2 and -h2c cannot both be given: -h2 is HTTP/2 over TLS, -h2c without");
  }
  if (c.h2c && !c.proxy.empty()) {
    throw UsageError("-h2c cannot go through an HTTP proxy (-x): it would get HTTP/2's preface");
  }
  read_switch(app, "disable-compression", c.disable_compression);
  read_switch(app, "disable-redirects", c.disable_redirects);
}

void read_tls_flags(const CLI::App& app, RunConfig& c) {
  read_switch(app, "insecure", c.insecure);
  if (const auto* v = last_value(app, "cacert")) {
    check_readable_file("-cacert", *v);
    c.cacert = *v;
  }
  if (given(app, "cert") != given(app, "key")) {
    throw UsageError(
        std::string("-cert and -key go together: ") +
        (given(app, "cert") ? "-cert was given without -key" : "-key was given without -cert"));
  }
  if (const auto* v = last_value(app, "cert")) {
    check_readable_file("-cert", *v);
    c.client_cert = *v;
  }
  if (const auto* v = last_value(app, "key")) {
    check_readable_file("-key", *v);
    c.client_key = *v;
  }
  c.tls_handshake_timeout =
      read_time(app, "tls-handshake-timeout", Zero::allowed, c.tls_handshake_timeout);
  read_switch(app, "tls-resume", c.tls_resume);
}

void read_load_flags(const CLI::App& app, RunConfig& c) {
  if (const auto* v = last_value(app, "n")) {
    c.requests = static_cast<std::uint64_t>(read_count("-n", *v, Zero::refused));
  }
  c.concurrency = read_int(app, "c", Zero::refused, c.concurrency);
  if (const auto* v = last_value(app, "z")) c.duration = read_duration("-z", *v, Zero::refused);
  if (given(app, "q") && given(app, "rate")) {
    throw UsageError("-q and -rate cannot both be given: -q limits each virtual user, -rate all");
  }
  if (const auto* v = last_value(app, "q")) c.qps_per_user = read_real("-q", *v, Zero::allowed);
  if (const auto* v = last_value(app, "rate")) c.rate = read_real("-rate", *v, Zero::refused);
  if (const auto* v = last_value(app, "t")) c.timeout = read_seconds("-t", *v, Zero::allowed);
  if (const auto* v = last_value(app, "warmup")) {
    c.warmup = read_duration("-warmup", *v, Zero::allowed);
    if (c.duration && c.warmup >= *c.duration) {
      throw UsageError("-warmup must be shorter than -z (got " + quote(*v) + ")");
    }
  }
  c.threads = read_int(app, "threads", Zero::refused, c.threads, max_threads());
}

void read_pool_flags(const CLI::App& app, RunConfig& c) {
  c.max_conns_per_host = read_int(app, "max-conns-per-host", Zero::allowed, c.max_conns_per_host);
  c.max_idle_conns_per_host =
      read_int(app, "max-idle-conns-per-host", Zero::allowed, c.max_idle_conns_per_host);
  c.max_idle_conns = read_int(app, "max-idle-conns", Zero::allowed, c.max_idle_conns);
  c.max_conns = read_int(app, "max-conns", Zero::allowed, c.max_conns);
  c.idle_conn_timeout = read_time(app, "idle-conn-timeout", Zero::allowed, c.idle_conn_timeout);
  c.dial_timeout = read_time(app, "dial-timeout", Zero::allowed, c.dial_timeout);
  read_switch(app, "disable-keepalive", c.disable_keepalive);
}

void read_report_flags(const CLI::App& app, RunConfig& c) {
  if (const auto* v = last_value(app, "o")) c.output = read_output_format(*v);
  if (const auto* v = last_value(app, "output")) {
    if (v->empty()) throw UsageError("-output wants a file name (got \"\")");
    c.output_file = *v;
    const auto html = c.output_file.rfind(".html");
    if (!given(app, "o") && html != std::string::npos && html + 5 == c.output_file.size()) {
      c.output = OutputFormat::html;
    }
  }
  if (const auto* v = last_value(app, "timeline-interval")) {
    c.timeline_interval = std::chrono::ceil<std::chrono::milliseconds>(
        read_duration("-timeline-interval", *v, Zero::refused));
    if (c.timeline_interval < kMinTimelineInterval) {
      throw UsageError("-timeline-interval must be at least 100ms (got " + quote(*v) + ")");
    }
  }
  bool no_progress = !c.progress;
  read_switch(app, "no-progress", no_progress);
  c.progress = !no_progress;
}

// read_shard parses -shard's "I/N": 0 <= I < N.
engine::Shard read_shard(const std::string& text) {
  const auto slash = text.find('/');
  const auto number = [&](std::string_view part, int& out) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && end == part.data() + part.size();
  };
  engine::Shard s;
  if (slash == std::string::npos || !number(std::string_view(text).substr(0, slash), s.index) ||
      !number(std::string_view(text).substr(slash + 1), s.count) || s.count < 1 || s.index < 0 ||
      s.index >= s.count) {
    throw UsageError("-shard wants I/N with 0 <= I < N, such as 0/3 (got " + quote(text) + ")");
  }
  return s;
}

// apply_shard replaces -n, -c and -rate by this shard's shares of them. A shard left without a
// virtual user, or with a rate of 0 (which would mean no rate), is refused.
void apply_shard(const CLI::App& app, RunConfig& c) {
  const std::string* text = last_value(app, "shard");
  if (!text) return;
  const engine::Shard s = read_shard(*text);
  const std::string named = "-shard " + *text + ": ";
  const auto users = engine::share_of(static_cast<std::uint64_t>(c.concurrency), s);
  if (users == 0) {
    throw UsageError(named + "-c " + std::to_string(c.concurrency) +
                     " leaves this shard no virtual user (-c must be at least " +
                     std::to_string(s.count) + ")");
  }
  if (c.rate > 0) {
    const double rate = engine::share_of(c.rate, s);
    if (rate <= 0) {
      throw UsageError(named + "-rate " + shortest(c.rate) +
                       " leaves this shard no request per second (-rate must be at least " +
                       std::to_string(s.count) + ")");
    }
    c.rate = rate;
  }
  if (const auto limit = c.request_limit()) c.requests = engine::share_of(*limit, s);
  c.concurrency = static_cast<int>(users);
  c.shard = s;
}

// check_against_concurrency applies the rules that relate flags to -c.
void check_against_concurrency(const RunConfig& c) {
  if (c.threads > c.concurrency) {
    throw UsageError("-threads cannot be more than -c (" + std::to_string(c.threads) + " > " +
                     std::to_string(c.concurrency) + "): each thread needs a virtual user");
  }
  // hey's rule: fewer requests than users would leave users idle and the numbers misleading.
  const auto limit = c.request_limit();
  if (limit && *limit < static_cast<std::uint64_t>(c.concurrency)) {
    throw UsageError("-n cannot be less than -c (" + std::to_string(*limit) + " < " +
                     std::to_string(c.concurrency) + ")" +
                     (c.requests ? "" : "; -n is 200 unless given, or use -z"));
  }
}

}  // namespace

void add_run_flags(CLI::App& app, const RunConfig& defaults) {
  add_request_flags(app, defaults);
  add_tls_flags(app, defaults);
  add_load_flags(app, defaults);
  add_pool_flags(app, defaults);
  add_report_flags(app, defaults);
}

RunConfig read_run_flags(const CLI::App& app, RunConfig config) {
  read_request_flags(app, config);
  read_tls_flags(app, config);
  read_load_flags(app, config);
  apply_shard(app, config);
  read_pool_flags(app, config);
  read_report_flags(app, config);
  check_against_concurrency(config);
  return config;
}

}  // namespace hload::cli
