#include "reporters/text_report.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "reporters/duration_text.hpp"
#include "reporters/format.hpp"

namespace hload::reporters {

namespace {

using engine::Histogram;

constexpr int kBarWidth = 40;  // hey's
constexpr int kHistogramRows = 10;
constexpr std::array<double, 8> kPercentiles = {10, 25, 50, 75, 90, 95, 99, 99.9};

constexpr std::size_t kDurationColumn = 6;  // "12.3ms", "1.00µs": the widest 3-digit duration
constexpr int kMaxLabelDecimals = 9;        // finer than any histogram bucket

// columns is how wide s shows on a terminal: its UTF-8 characters (µ is two bytes, one column).
std::size_t columns(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// pad left-aligns s in a column of `width` characters, keeping at least one space after it.
std::string pad(const std::string& s, std::size_t width) {
  const std::size_t used = columns(s);
  return s + std::string(used < width ? width - used : 1, ' ');
}

// right right-aligns s in a column of `width` characters.
std::string right(const std::string& s, std::size_t width) {
  const std::size_t used = columns(s);
  return std::string(used < width ? width - used : 0, ' ') + s;
}

// write_outcome says how the requests ended: ok, failed (and which way), still in flight.
void write_outcome(std::ostream& out, const engine::RunResult& r) {
  out << "  Requests:     " << r.requests << " finished: " << r.ok << " ok, " << r.failed()
      << " failed";
  if (r.failed() > 0) {
    out << " (" << r.http_errors() << " HTTP errors, " << r.errors << " without a response)";
  }
  out << "\n";
  if (r.unfinished > 0) {
    out << "  Unfinished:   " << r.unfinished << " still in flight when the run ended, the oldest "
        << duration_text(r.unfinished_oldest_ms) << " old (neither failed nor in the latencies)\n";
  }
  if (r.redirects > 0) out << "  Redirects:    " << r.redirects << " followed\n";
  if (r.config.warmup > engine::Duration::zero()) {
    out << "  Warm-up:      " << r.warmup_requests << " requests finished in the first "
        << duration_text(std::chrono::duration<double, std::milli>(r.config.warmup).count())
        << ", left out of every figure (their connections' dials are counted)\n";
  }
}

// write_rate says what the open model asked for and what it got; a shortfall of more than 1%
// is a warning with its cause, since latencies then describe a lighter load than asked for.
void write_rate(std::ostream& out, const engine::RunResult& r) {
  const double asked = r.config.rate;
  const double sent = r.sent_rate();
  out << "\n";
  out << "  Rate:         " << fixed(asked, 2) << " requests/sec asked (open model), "
      << fixed(sent, 2) << " sent\n";
  out << "  Late starts:  " << r.late_starts << " (sent after they were due)\n";
  out << "  Dropped:      " << r.dropped << " (due, never sent)\n";
  out << "  Latency is response time, measured from when each request was due; gates use it.\n";
  if (sent < asked * 0.99) {
    out << "  Warning: sent " << fixed(100.0 * (1.0 - sent / asked), 1)
        << "% fewer requests than asked for: all " << r.config.concurrency
        << " virtual users were busy (raise -c)\n";
  }
}

void write_summary(std::ostream& out, const engine::RunResult& r, bool rate_mode) {
  const auto& lat = r.latency;
  out << "Summary:\n";
  out << "  Total:        " << fixed(r.elapsed_s, 4) << " secs\n";
  out << "  Slowest:      " << duration_text(lat.max_ms()) << "\n";
  out << "  Fastest:      " << duration_text(lat.min_ms()) << "\n";
  out << "  Average:      " << duration_text(lat.mean_ms()) << "\n";
  out << "  Requests/sec: " << fixed(r.rps(), 4) << "\n";
  write_outcome(out, r);
  out << "\n";
  // As hey: body bytes (headers not counted).
  out << "  Total data:   " << r.body_bytes << " bytes\n";
  // hey divides by the responses received; requests that failed carried no body.
  const std::uint64_t responses = r.requests - std::min(r.errors, r.requests);
  if (responses > 0) out << "  Size/request: " << r.body_bytes / responses << " bytes\n";
  if (rate_mode) write_rate(out, r);
}

// histogram_labels are the rows' labels: like hey's, each row's upper end, here in one unit
// (that of the slowest) with as many decimals as it takes for consecutive labels to differ, so
// that ten narrow rows do not all read the same.
std::vector<std::string> histogram_labels(double lo, double width, int rows) {
  const double hi = lo + width * rows;
  const TimeUnit unit = unit_for(hi);
  const double hi_in_unit = hi / unit.ms;
  int decimals = hi_in_unit >= 100 ? 0 : (hi_in_unit >= 10 ? 1 : 2);  // 3 significant digits
  std::vector<std::string> labels;
  for (;; ++decimals) {
    labels.clear();
    bool distinct = true;
    for (int i = 0; i < rows; ++i) {
      labels.push_back(in_unit(lo + width * (i + 1), unit, decimals));
      if (i > 0 && labels[i] == labels[i - 1]) distinct = false;
    }
    if (distinct || decimals == kMaxLabelDecimals) return labels;
  }
}

// write_histogram re-buckets the log buckets into equal-width ranges between fastest and
// slowest. Each bucket goes whole to the range holding its middle: it is far narrower than a
// range, and the counts stay integers that add up to the total. When every latency is the same
// there is one range, and one row.
void write_histogram(std::ostream& out, const Histogram& h) {
  out << "Response time histogram:\n";
  const double lo = h.min_ms();
  const int rows = h.max_ms() > lo ? kHistogramRows : 1;
  const double width = (h.max_ms() - lo) / rows;
  std::array<std::uint64_t, kHistogramRows> counts{};
  for (const auto& b : h.buckets()) {
    const double mid = std::isfinite(b.upper_ms) && b.lower_ms > 0
                           ? std::sqrt(b.lower_ms * b.upper_ms)
                           : (b.lower_ms > 0 ? h.max_ms() : h.min_ms());
    const double at = std::clamp(mid, h.min_ms(), h.max_ms());
    const int row = width > 0 ? static_cast<int>((at - lo) / width) : 0;
    counts[std::min(row, rows - 1)] += b.count;
  }
  const std::uint64_t most = *std::max_element(counts.begin(), counts.end());
  const std::vector<std::string> ends =
      width > 0 ? histogram_labels(lo, width, rows) : std::vector<std::string>{duration_text(lo)};
  std::size_t end_width = 0;
  for (const auto& end : ends) end_width = std::max(end_width, columns(end));
  std::vector<std::string> labels;
  std::size_t label_width = 0;
  for (int i = 0; i < rows; ++i) {
    labels.push_back(right(ends[i], end_width) + " [" + std::to_string(counts[i]) + "]");
    label_width = std::max(label_width, columns(labels.back()));
  }
  for (int i = 0; i < rows; ++i) {
    out << "  " << pad(labels[i], label_width + 1) << "|" << bar(counts[i], most, kBarWidth)
        << "\n";
  }
}

void write_distribution(std::ostream& out, const char* title, const Histogram& h) {
  out << title << "\n";
  for (double p : kPercentiles) {
    const std::string pct = (p == std::floor(p) ? fixed(p, 0) : fixed(p, 1)) + "%";
    out << "  " << pct << " in " << duration_text(h.percentile_ms(p / 100.0)) << "\n";
  }
}

void write_details(std::ostream& out, const engine::Phases& p) {
  out << "Details (average, fastest, slowest):\n";
  const auto line = [&out](const char* name, const Histogram& h) {
    out << "  " << pad(name, 14) << right(duration_text(h.mean_ms()), kDurationColumn) << ", "
        << right(duration_text(h.min_ms()), kDurationColumn) << ", "
        << right(duration_text(h.max_ms()), kDurationColumn) << "  (n=" << h.count() << ")\n";
  };
  line("wait-conn:", p.wait_conn);
  line("dial:", p.dial);
  // Only runs that made TLS handshakes have the row, so that an http run reads as hey's.
  if (p.tls.count() > 0) line("tls:", p.tls);
  line("req write:", p.write);
  line("resp wait:", p.first_byte);
  line("resp read:", p.body);
}

// hint says what to do about an error kind whose cause is on hload's side, if it has one.
const char* hint(const std::string& kind) {
  if (kind == "fd_limit") {
    return "hload ran out of file descriptors: raise the limit (ulimit -n), or lower -c or "
           "-max-conns-per-host";
  }
  if (kind == "no_local_port") {
    return "no local port was free to connect from: closed connections wait in TIME_WAIT "
           "(-disable-keepalive makes one per request); keep connections alive, or widen "
           "net.ipv4.ip_local_port_range";
  }
  return nullptr;
}

void write_counts(std::ostream& out, const engine::RunResult& r) {
  out << "Status code distribution:\n";
  for (const auto& [code, n] : r.status_codes) {
    out << "  [" << code << "] " << n << " responses\n";
  }
  std::uint64_t errors = 0;
  for (const auto& [kind, n] : r.errors_by_kind) errors += n;
  if (errors == 0) return;
  out << "\nError distribution:\n";
  for (const auto& [kind, n] : r.errors_by_kind) {
    if (n == 0) continue;
    out << "  [" << n << "] " << kind;
    if (const auto e = r.error_examples.find(kind); e != r.error_examples.end()) {
      out << ", e.g. " << e->second;
    }
    out << "\n";
    if (const char* h = hint(kind)) out << "        hint: " << h << "\n";
  }
}

std::string wait_line(const Histogram& h) {
  if (h.count() == 0) return "none";
  return "p50 " + duration_text(h.percentile_ms(0.50)) + "  p99 " +
         duration_text(h.percentile_ms(0.99)) + "  max " + duration_text(h.max_ms()) +
         "   (n=" + std::to_string(h.count()) + ")";
}

// tls_line is what a host's TLS handshakes agreed on and how long they took.
std::string tls_line(const engine::HostResult& h) {
  std::string line = h.tls_version + "  " + h.tls_cipher;
  line += "  ALPN " + (h.alpn.empty() ? std::string("none") : h.alpn);
  const Histogram& t = h.tls_handshake;
  return line + "   handshake p50 " + duration_text(t.percentile_ms(0.50)) + "  p99 " +
         duration_text(t.percentile_ms(0.99));
}

void write_host(std::ostream& out, const std::string& key, const engine::HostResult& h) {
  const auto label = [](const char* s) { return "    " + pad(s, 17); };
  const auto acquired = [&h](pool::AcquireOutcome o) {
    return std::string(pool::to_string(o)) + " " +
           std::to_string(h.acquire[static_cast<std::size_t>(o)]);
  };
  out << "  " << key << "\n";
  out << label("dials:") << h.dials << " (" << h.dial_errors << " failed, " << h.dials_cancelled
      << " cancelled)   max open: " << h.max_open_conns << "\n";
  out << label("requests:") << h.requests << "   reused: " << h.reused << " ("
      << fixed(h.reuse_ratio() * 100.0, 2) << "%)   retries: " << h.retries << "\n";
  out << label("acquired by:") << acquired(pool::AcquireOutcome::idle) << "   "
      << acquired(pool::AcquireOutcome::handoff) << "   " << acquired(pool::AcquireOutcome::dial)
      << "\n";
  out << label("waited:") << "for a released connection  " << wait_line(h.wait_idle) << "\n";
  out << label("") << "for a dial permit          " << wait_line(h.wait_permit) << "\n";
  out << label("held back:") << "by the limit               " << wait_line(h.queued_at_limit)
      << "\n";
  out << label("TLS handshakes:") << h.tls_handshakes << " (" << h.tls_resumed << " resumed)\n";
  if (h.tls_handshakes > 0) out << label("TLS:") << tls_line(h) << "\n";
  if (h.asked_http2 || h.http2_conns > 0) {
    out << label("protocol:") << h.protocol() << " (" << h.http2_conns << " HTTP/2, "
        << h.http1_conns << " HTTP/1.1 connections"
        << (h.asked_http2 && h.http1_conns > 0 ? ": the server did not offer h2" : "") << ")\n";
    out << label("streams:") << "per connection max " << h.max_streams_per_conn << ", mean "
        << fixed(h.mean_streams_in_flight(), 1) << "   GOAWAYs: " << h.goaways
        << "   refused and sent again: " << h.refused_retries << "\n";
  }
  // Only the reasons that occurred: seven columns of mostly zeros would hide the one that did.
  out << label("closes:");
  bool any = false;
  for (int i = 0; i < pool::kCloseReasons; ++i) {
    if (h.closes[i] == 0) continue;
    out << (any ? "  " : "") << pool::to_string(static_cast<pool::CloseReason>(i)) << " "
        << h.closes[i];
    any = true;
  }
  out << (any ? "\n" : "none\n");
}

}  // namespace

void write_text(std::ostream& out, const engine::RunResult& r) {
  const bool rate_mode = r.config.rate > 0;
  // What a reader must know before any number comes first.
  if (r.requests == 0) {
    out << "No request finished";
    if (r.unfinished > 0) {
      out << ": " << r.unfinished << " still in flight when the run ended, the oldest "
          << duration_text(r.unfinished_oldest_ms) << " old";
    }
    out << ". There is no latency to report.\n\n";
  }
  if (r.interrupted) {
    out << "Interrupted after " << r.requests << " requests: partial results.\n\n";
  }
  if (r.abandoned) {
    out << "Work that could not be cancelled (a name lookup) was left running at the end.\n\n";
  }
  write_summary(out, r, rate_mode);
  out << "\n";
  if (r.latency.count() > 0) {
    write_histogram(out, r.latency);
    out << "\n";
    write_distribution(out, "Latency distribution:", r.latency);
    out << "\n";
  } else {
    out << "No latencies were recorded.\n\n";
  }
  if (rate_mode && r.service_time.count() > 0) {
    write_distribution(out, "Service time distribution (from actually sending):", r.service_time);
    out << "\n";
  }
  write_details(out, r.phases);
  out << "\n";
  write_counts(out, r);
  if (r.hosts.empty()) return;
  out << "\nConnection pool (per host):\n";
  for (const auto& [key, h] : r.hosts) write_host(out, key, h);
}

}  // namespace hload::reporters
