#pragma once

// RunConfig is everything a run needs, as the command line gave it (docs/architecture.md#modules).
// cmd/ fills and validates it; the engine only reads it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/shard.hpp"
#include "pool/clock.hpp"

namespace hload::engine {

using pool::Duration;

// OutputFormat is -o: csv is the one report written request by request during the run; html
// is drawn from the JSON report.
enum class OutputFormat { text, json, histogram, csv, html };

// TargetOrder is how virtual users go through the targets of -targets.
enum class TargetOrder { round_robin, random };

// TargetSpec is one request of a -targets file: it replaces the URL, method and body of the
// run, and adds its headers after -H's.
struct TargetSpec {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value", in order
  std::optional<std::string> body;   // none: the run's -d or -D
};

struct RunConfig {
  // What to send.
  std::string url;
  std::string method = "GET";
  std::vector<std::string> headers;        // "Name: value", in order given (-H)
  std::string body;                        // -d, or the contents of the -D file
  std::string content_type = "text/html";  // -T (hey's default)
  std::string accept;                      // -A
  std::string user_agent;                  // -U; empty: "hload/<version>"
  std::string basic_auth;                  // -a "user:password"
  std::string host_header;                 // -host
  std::string proxy;                       // -x "host:port"
  bool disable_compression = false;
  bool disable_redirects = false;
  bool http2 = false;     // -h2: HTTP/2 over TLS, by ALPN
  bool h2c = false;       // -h2c: HTTP/2 with prior knowledge to http:// URLs
  bool insecure = false;  // -insecure: do not verify the server's certificate

  // TLS (https URLs).
  std::string cacert;       // -cacert: PEM CA certificates trusted instead of the system's
  std::string client_cert;  // -cert: PEM client certificate chain, with client_key
  std::string client_key;   // -key: its PEM private key
  Duration tls_handshake_timeout = std::chrono::seconds(10);  // 0 = none
  bool tls_resume = false;  // -tls-resume: offer each host its last session

  // -targets: the requests, taken in turn by the virtual users (url is the first one's).
  std::vector<TargetSpec> targets;
  std::string targets_file;
  TargetOrder targets_order = TargetOrder::round_robin;

  // How much and how fast.
  int concurrency = 50;                   // -c: virtual users
  std::optional<std::uint64_t> requests;  // -n; 200 when neither -n nor -z is given
  std::optional<Duration> duration;       // -z
  // -shard: -n, -c and -rate above are this shard's shares already; none = the whole run.
  std::optional<Shard> shard;
  // -warmup: requests that finish this soon after the start are left out of every figure
  // (their dials still count); zero = none.
  Duration warmup{};
  double qps_per_user = 0;  // -q: per virtual user; 0 = no limit
  double rate = 0;          // -rate: total per second, open model; 0 = closed model
  Duration timeout = std::chrono::seconds(20);  // -t: per request; 0 = none
  int threads = 1;                              // -threads

  // The pool (docs/architecture.md#knobs).
  int max_conns_per_host = 0;
  int max_idle_conns_per_host = 0;  // 0: the concurrency
  int max_idle_conns = 0;
  Duration idle_conn_timeout = std::chrono::seconds(90);
  int max_conns = 0;
  bool disable_keepalive = false;
  Duration dial_timeout = std::chrono::seconds(30);

  // Where the report goes.
  OutputFormat output = OutputFormat::text;
  std::string output_file;  // -output: written atomically; empty = stdout
  bool progress = true;     // a live line on stderr (only shown when stderr is a terminal)
  Duration timeline_interval = std::chrono::seconds(1);  // -timeline-interval: > 0

  // request_limit is what -n means after defaults: none when -z is given.
  std::optional<std::uint64_t> request_limit() const {
    if (requests) return requests;
    if (duration) return std::nullopt;
    return 200;
  }
};

}  // namespace hload::engine
