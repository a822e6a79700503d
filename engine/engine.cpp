#include "engine/engine.hpp"

#include <algorithm>
#include <condition_variable>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/conn_stats.hpp"
#include "engine/schedule.hpp"
#include "engine/target.hpp"
#include "engine/target_ring.hpp"
#include "engine/timeline_recorder.hpp"
#include "engine/worker.hpp"
#include "pool/address_sanitizer.hpp"
#include "pool/tls_dialer.hpp"
#include "pool/transport.hpp"

// LeakSanitizer, when the build has it, is told of what an abandoned run leaves on purpose.
#if HLOAD_ADDRESS_SANITIZER
#include <sanitizer/lsan_interface.h>
#endif

namespace hload::engine {

namespace asio = boost::asio;

namespace {

constexpr auto kProgressPeriod = std::chrono::milliseconds(250);
// A run that may hold more TLS connections than this has each give its record buffers back
// while idle (TlsOptions::release_idle_buffers); up to it, keeping them costs at most 9 MiB
// and saves two allocations of 17 KiB per round trip.
constexpr int kKeepTlsBuffersUpTo = 256;

// make_dialer builds the run's dialer: plain TCP for http, TLS over it for https, with one TLS
// context for the whole run.
std::unique_ptr<pool::Dialer> make_dialer(const RunConfig& cfg) {
  pool::TlsOptions tls;
  tls.insecure = cfg.insecure;
  tls.ca_file = cfg.cacert;
  tls.cert_file = cfg.client_cert;
  tls.key_file = cfg.client_key;
  tls.handshake_timeout = cfg.tls_handshake_timeout;
  tls.resume = cfg.tls_resume;
  // Each user holds at most one connection at a time.
  int most_conns = cfg.concurrency;
  if (cfg.max_conns > 0) most_conns = std::min(most_conns, cfg.max_conns);
  tls.release_idle_buffers = most_conns > kKeepTlsBuffersUpTo;
  // -h2 offers HTTP/2 first; a server that does not choose it is spoken to in HTTP/1.1.
  if (cfg.http2) tls.alpn = {"h2", "http/1.1"};
  try {
    return std::make_unique<pool::TlsDialer>(pool::steady_clock(),
                                             pool::TcpDialerOptions{cfg.dial_timeout}, tls);
  } catch (const pool::TlsSetupError& e) {
    throw TargetError(e.what());
  }
}

// unix_ms_now is the wall-clock time in ms since the epoch (UTC): where the timeline starts, so
// that the timelines of runs on several machines can be laid side by side.
std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

pool::TransportOptions transport_options(const RunConfig& cfg) {
  pool::TransportOptions o;
  o.max_conns_per_host = cfg.max_conns_per_host;
  o.max_conns = cfg.max_conns;
  // A load tester keeps every connection its users may need (docs/architecture.md#knobs).
  o.max_idle_conns_per_host =
      cfg.max_idle_conns_per_host > 0 ? cfg.max_idle_conns_per_host : cfg.concurrency;
  o.max_idle_conns = cfg.max_idle_conns;
  o.idle_conn_timeout = cfg.idle_conn_timeout;
  o.disable_keepalive = cfg.disable_keepalive;
  return o;
}

}  // namespace

// Run is the state of one run in progress. Workers run on threads of their own (the first on
// the thread that called run()); the run ends in finish() when the last virtual user is done,
// and stop_all() makes every user done at once.
struct Engine::Run {
  Run(const RunConfig& run_cfg, pool::Dialer& dialer, const pool::Clock& run_clock,
      std::vector<Target> ts, RequestSinkFactory sinks)
      : cfg(run_cfg),
        clock(run_clock),
        transport(transport_options(cfg), dialer, clock, &conn_stats),
        start(clock.now()),
        schedule(cfg, start),
        ctx{cfg,
            transport,
            clock,
            schedule,
            [this](const pool::ConnKey& key) {
              conn_stats.host(key);
              return transport.host_for(key);
            },
            start,
            std::move(sinks)},
        targets(hop_targets(std::move(ts)), cfg.targets_order) {
    threads = std::max(1, std::min(cfg.threads, cfg.concurrency));
    busy_workers = threads;
    timeline.emplace(cfg.timeline_interval, start, unix_ms_now(), threads);
    for (int i = 0; i < threads; ++i) {
      const int users = cfg.concurrency / threads + (i < cfg.concurrency % threads ? 1 : 0);
      workers.push_back(
          std::make_unique<Worker>(ctx, targets, users, [this] { on_worker_idle(); }));
    }
  }

  asio::io_context& io0() { return workers[0]->io(); }

  // hop_targets pairs each target with its host's pool.
  std::vector<HopTarget> hop_targets(std::vector<Target> ts) {
    std::vector<HopTarget> out;
    for (Target& t : ts) {
      pool::HostPool* host = ctx.host_for(t.key);
      out.push_back({std::move(t), host});
    }
    return out;
  }

  // stop_all ends every user: no new request starts, and the requests in flight are cancelled
  // and counted as unfinished. On io0.
  void stop_all() {
    if (stopping) return;
    stopping = true;
    schedule.stop();
    // First, so that connections the interrupted requests held close as run_end.
    transport.shut_down();
    for (auto& w : workers) w->interrupt();
  }

  // on_worker_idle ends the run when the last worker has no user left: what is still in flight
  // is cancelled (dials nobody waits for, idle connections), and the workers' io_contexts may
  // stop once nothing else runs there.
  void on_worker_idle() {
    if (busy_workers.fetch_sub(1) != 1) return;
    end_ns.store((clock.now() - start).count());
    transport.shut_down();
    asio::post(io0(), [this] {
      if (ticker) ticker->cancel();
      if (deadline) deadline->cancel();
      if (interval_timer) interval_timer->cancel();
    });
    for (auto& w : workers) w->release();
    {
      std::lock_guard l(mu);
      finished = true;
    }
    cv.notify_all();
  }

  // abandon stops every io_context at once, leaving whatever runs there. Any thread.
  void abandon() {
    {
      std::lock_guard l(mu);
      if (abandoned || drained == threads) return;
      abandoned = true;
    }
    std::int64_t unset = -1;
    end_ns.compare_exchange_strong(unset, (clock.now() - start).count());
    for (auto& w : workers) w->io().stop();
  }

  // run_io runs worker i's io_context until it has no work left, and says so.
  void run_io(int i) {
    workers[static_cast<std::size_t>(i)]->io().run();
    {
      std::lock_guard l(mu);
      ++drained;
    }
    cv.notify_all();
  }

  // watch abandons the run when, once it has finished, its io_contexts are not done within
  // kDrainGrace.
  void watch() {
    std::unique_lock l(mu);
    cv.wait(l, [this] { return finished || abandoned || drained == threads; });
    if (cv.wait_for(l, kDrainGrace, [this] { return abandoned || drained == threads; })) return;
    l.unlock();
    abandon();
  }

  void start_timers(const std::function<void(const ProgressSample&)>& progress) {
    if (cfg.duration) {
      deadline.emplace(io0(), start + *cfg.duration);
      deadline->async_wait([this](const pool::error_code& ec) {
        if (!ec) stop_all();
      });
    }
    if (progress) asio::co_spawn(io0(), report_progress(progress), asio::detached);
    asio::co_spawn(io0(), close_intervals(), asio::detached);
  }

  // close_intervals ends each timeline interval on time: it samples the hosts and asks every
  // worker to seal the interval (TimelineRecorder).
  asio::awaitable<void> close_intervals() {
    interval_timer.emplace(io0());
    for (std::uint64_t k = 0; busy_workers.load() > 0; ++k) {
      interval_timer->expires_at(timeline->end_of(k));
      auto [ec] = co_await interval_timer->async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      timeline->on_interval_end(k, sample_hosts(transport, conn_stats));
      for (auto& w : workers) w->seal_timeline(k, *timeline);
    }
  }

  asio::awaitable<void> report_progress(std::function<void(const ProgressSample&)> progress) {
    ticker.emplace(io0());
    while (busy_workers.load() > 0) {
      ticker->expires_after(kProgressPeriod);
      auto [ec] = co_await ticker->async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      ProgressSample s;
      s.elapsed_s = std::chrono::duration<double>(clock.now() - start).count();
      for (auto& w : workers) {
        s.requests += w->live_requests();
        s.failed += w->live_failed();
      }
      for (const pool::HostPool* h : transport.hosts()) {
        s.open_conns += transport.snapshot(h).connected;
      }
      s.dials = conn_stats.total_dials();
      s.total_requests = cfg.request_limit();
      if (cfg.duration) s.total_s = std::chrono::duration<double>(*cfg.duration).count();
      progress(s);
    }
  }

  RunResult result() {
    RunResult r;
    r.config = cfg;
    r.abandoned = abandoned;
    const pool::Duration elapsed(std::max<std::int64_t>(0, end_ns.load()));
    r.elapsed_s = std::chrono::duration<double>(elapsed).count();
    std::vector<IntervalPart> parts;
    for (auto& w : workers) {
      r.merge(w->take_result());
      for (auto& p : w->take_timeline()) parts.push_back(std::move(p));
    }
    r.timeline = timeline->finish(elapsed, sample_hosts(transport, conn_stats), parts);
    r.dropped = schedule.dropped(start + elapsed);
    conn_stats.add_to(r.hosts);
    for (const pool::HostPool* h : transport.hosts()) {
      const pool::HostSnapshot s = transport.snapshot(h);
      HostResult& hr = r.hosts[h->key.to_string()];
      hr.max_open_conns = s.max_connected;
      hr.asked_http2 = h->key.http != pool::ConnKey::Http::v1;
      hr.http1_conns = s.counters.http1_conns;
      hr.http2_conns = s.counters.http2_conns;
      hr.max_streams_per_conn = s.counters.max_streams_per_conn;
      hr.streams_started = s.counters.streams_started;
      hr.streams_in_flight_sum = s.counters.streams_in_flight_sum;
      hr.goaways = s.counters.goaways;
      hr.refused_retries = s.counters.refused_retries;
    }
    return r;
  }

  const RunConfig& cfg;
  const pool::Clock& clock;
  ConnStats conn_stats;
  pool::Transport transport;
  const pool::TimePoint start;
  Schedule schedule;
  RunContext ctx;
  TargetRing targets;
  int threads = 1;
  std::vector<std::unique_ptr<Worker>> workers;
  std::optional<asio::steady_timer> ticker;
  std::optional<asio::steady_timer> deadline;        // the end of -z
  std::optional<asio::steady_timer> interval_timer;  // the end of each timeline interval
  std::optional<TimelineRecorder> timeline;
  bool stopping = false;  // io0 only
  std::atomic<int> busy_workers{0};
  std::atomic<std::int64_t> end_ns{-1};

  std::mutex mu;  // guards what follows
  std::condition_variable cv;
  bool finished = false;
  bool abandoned = false;
  int drained = 0;  // io_contexts whose run() returned
};

Engine::Engine(RunConfig cfg)
    : cfg_(std::move(cfg)),
      own_dialer_(make_dialer(cfg_)),
      dialer_(*own_dialer_),
      clock_(pool::steady_clock()) {}

Engine::Engine(RunConfig cfg, pool::Dialer& dialer, const pool::Clock& clock)
    : cfg_(std::move(cfg)), dialer_(dialer), clock_(clock) {}

Engine::~Engine() = default;

RunResult Engine::run() {
  auto run = std::make_unique<Run>(cfg_, dialer_, clock_, make_targets(cfg_), request_sinks);
  {
    std::lock_guard l(mu_);
    active_ = run.get();
    if (stops_ > 0) asio::post(run->io0(), [r = run.get()] { r->stop_all(); });
  }
  run->start_timers(on_progress);
  for (auto& w : run->workers) w->start();
  std::thread watchdog([r = run.get()] { r->watch(); });
  std::vector<std::thread> extra;
  for (int i = 1; i < run->threads; ++i) extra.emplace_back([r = run.get(), i] { r->run_io(i); });
  run->run_io(0);
  for (auto& t : extra) t.join();
  watchdog.join();
  {
    std::lock_guard l(mu_);
    active_ = nullptr;
  }

  if (!run->abandoned) run->transport.close_idle_connections();
  RunResult result = run->result();
  {
    std::lock_guard l(mu_);
    result.interrupted = stops_ > 0;
    result.interrupt_signal = stop_signal_;
  }
  // Work that was abandoned still refers to the run's state from handlers that will never
  // run; destroying it would wait for that work (a name lookup cannot be interrupted), so it is
  // left to the end of the process.
  if (result.abandoned) {
#if HLOAD_ADDRESS_SANITIZER
    // Not a leak for LeakSanitizer to report: it is left on purpose, and so is what it holds.
    __lsan_ignore_object(run.get());
#endif
    static_cast<void>(run.release());
  }
  return result;
}

void Engine::stop(int signal) {
  std::lock_guard l(mu_);
  if (++stops_ == 1) stop_signal_ = signal;
  if (!active_) return;
  if (stops_ == 1) {
    asio::post(active_->io0(), [r = active_] { r->stop_all(); });
  } else {
    active_->abandon();
  }
}

}  // namespace hload::engine
