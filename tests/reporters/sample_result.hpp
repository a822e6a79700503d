#pragma once

// sample_result builds, by hand, the RunResult the reporter tests read: a count-bound run of
// 20,000 requests against one host at -c 200 -max-conns-per-host 2, with known numbers.

#include <chrono>

#include "engine/run_result.hpp"

namespace hload::reporters::testing {

inline constexpr const char* kHost = "http://127.0.0.1:18080";

inline engine::RunResult sample_result() {
  engine::RunResult r;
  r.config.url = "http://127.0.0.1:18080/";
  r.config.concurrency = 200;
  r.config.requests = 20'000;
  r.config.max_conns_per_host = 2;
  r.elapsed_s = 2.0;
  r.requests = 20'000;
  r.ok = 19'990;
  r.errors = 4;
  r.bytes_in = 1'700'000;
  r.body_bytes = 60'000;
  r.bytes_out = 1'000;
  // Latency: 1..10000 ms, each twice, so that p50 is about 5000 ms and the mean 5000.5 ms.
  for (int ms = 1; ms <= 10'000; ++ms) {
    r.latency.record_ms(ms);
    r.latency.record_ms(ms);
  }
  for (int i = 0; i < 20'000; ++i) r.phases.wait_conn.record_ms(12.0);
  r.phases.dial.record_ms(0.5);
  r.phases.dial.record_ms(1.5);
  r.status_codes[200] = 19'990;
  r.status_codes[503] = 6;
  r.errors_by_kind["connect_refused"] = 4;

  engine::HostResult& h = r.hosts[kHost];
  h.requests = 20'000;
  h.dials = 2;
  h.reused = 19'998;
  h.max_open_conns = 2;
  h.acquire[static_cast<int>(pool::AcquireOutcome::handoff)] = 19'998;
  h.acquire[static_cast<int>(pool::AcquireOutcome::dial)] = 2;
  h.closes[static_cast<int>(pool::CloseReason::run_end)] = 2;
  for (int ms = 1; ms <= 100; ++ms) h.wait_idle.record_ms(ms);
  for (int i = 0; i < 3; ++i) h.wait_permit.record_ms(5.0);
  return r;
}

// two_host_result is sample_result with a second host, http://127.0.0.1:18081, that dialed a
// lot and reused little: 100 requests, 50 dials, 50 reused, at most 7 open.
inline engine::RunResult two_host_result() {
  engine::RunResult r = sample_result();
  engine::HostResult& h = r.hosts["http://127.0.0.1:18081"];
  h.requests = 100;
  h.dials = 50;
  h.reused = 50;
  h.max_open_conns = 7;
  return r;
}

// rate_mode_result is sample_result run as an open model at 1000 requests per second.
inline engine::RunResult rate_mode_result() {
  engine::RunResult r = sample_result();
  r.config.rate = 1000;
  r.late_starts = 17;
  for (int ms = 1; ms <= 1000; ++ms) r.service_time.record_ms(ms);
  return r;
}

}  // namespace hload::reporters::testing
