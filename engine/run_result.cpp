#include "engine/run_result.hpp"

#include <algorithm>

namespace hload::engine {

void HostResult::merge(const HostResult& o) {
  requests += o.requests;
  dials += o.dials;
  dial_errors += o.dial_errors;
  tls_handshakes += o.tls_handshakes;
  tls_resumed += o.tls_resumed;
  reused += o.reused;
  retries += o.retries;
  dials_cancelled += o.dials_cancelled;
  max_open_conns = std::max(max_open_conns, o.max_open_conns);
  for (size_t i = 0; i < acquire.size(); ++i) acquire[i] += o.acquire[i];
  for (size_t i = 0; i < closes.size(); ++i) closes[i] += o.closes[i];
  wait_idle.merge(o.wait_idle);
  wait_permit.merge(o.wait_permit);
  queued_at_limit.merge(o.queued_at_limit);
  tls_handshake.merge(o.tls_handshake);
  if (!o.tls_version.empty()) tls_version = o.tls_version;
  if (!o.tls_cipher.empty()) tls_cipher = o.tls_cipher;
  if (!o.alpn.empty()) alpn = o.alpn;
  asked_http2 = asked_http2 || o.asked_http2;
  http1_conns += o.http1_conns;
  http2_conns += o.http2_conns;
  max_streams_per_conn = std::max(max_streams_per_conn, o.max_streams_per_conn);
  streams_started += o.streams_started;
  streams_in_flight_sum += o.streams_in_flight_sum;
  goaways += o.goaways;
  refused_retries += o.refused_retries;
}

void Phases::merge(const Phases& o) {
  wait_conn.merge(o.wait_conn);
  dial.merge(o.dial);
  tls.merge(o.tls);
  write.merge(o.write);
  first_byte.merge(o.first_byte);
  body.merge(o.body);
}

void RunResult::merge(const RunResult& o) {
  requests += o.requests;
  ok += o.ok;
  errors += o.errors;
  redirects += o.redirects;
  unfinished += o.unfinished;
  unfinished_oldest_ms = std::max(unfinished_oldest_ms, o.unfinished_oldest_ms);
  dropped += o.dropped;
  bytes_in += o.bytes_in;
  bytes_out += o.bytes_out;
  body_bytes += o.body_bytes;
  late_starts += o.late_starts;
  warmup_requests += o.warmup_requests;
  latency.merge(o.latency);
  service_time.merge(o.service_time);
  phases.merge(o.phases);
  for (const auto& [code, n] : o.status_codes) status_codes[code] += n;
  for (const auto& [kind, n] : o.errors_by_kind) errors_by_kind[kind] += n;
  for (const auto& [kind, message] : o.error_examples) error_examples.try_emplace(kind, message);
  for (const auto& [key, h] : o.hosts) hosts[key].merge(h);
}

}  // namespace hload::engine
