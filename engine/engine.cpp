#include "engine/engine.hpp"

#include <csignal>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/conn_stats.hpp"
#include "engine/schedule.hpp"
#include "engine/target.hpp"
#include "engine/worker.hpp"
#include "pool/tcp_dialer.hpp"
#include "pool/transport.hpp"

namespace hload::engine {

namespace asio = boost::asio;

namespace {

constexpr auto kProgressPeriod = std::chrono::milliseconds(250);

pool::TransportOptions transport_options(const RunConfig& cfg) {
  pool::TransportOptions o;
  o.max_conns_per_host = cfg.max_conns_per_host;
  o.max_conns = cfg.max_conns;
  // A load tester keeps every connection its users may need (architecture §3).
  o.max_idle_conns_per_host =
      cfg.max_idle_conns_per_host > 0 ? cfg.max_idle_conns_per_host : cfg.concurrency;
  o.max_idle_conns = cfg.max_idle_conns;
  o.idle_conn_timeout = cfg.idle_conn_timeout;
  o.disable_keepalive = cfg.disable_keepalive;
  return o;
}

}  // namespace

Engine::Engine(RunConfig cfg) : cfg_(std::move(cfg)) {}

RunResult Engine::run() {
  const Target target = make_target(cfg_);
  pool::SteadyClock clock;
  pool::TcpDialer dialer(pool::TcpDialerOptions{cfg_.dial_timeout});
  ConnStats conn_stats;
  pool::Transport transport(transport_options(cfg_), dialer, clock, &conn_stats);
  pool::HostPool* host = transport.host_for(target.key);
  conn_stats.host(target.key);

  pool::Request request;
  request.host = host;
  request.wire = target.wire;
  request.head = target.head;
  request.replayable = target.replayable;

  const pool::TimePoint start = clock.now();
  Schedule schedule(cfg_, start);
  const int threads = std::max(1, std::min(cfg_.threads, cfg_.concurrency));

  // The run ends when every worker is idle; the last one to finish stops the signal watch and
  // the progress ticker on worker 0, whose io_context then runs out of work too.
  std::atomic<int> busy_workers{threads};
  std::atomic<std::int64_t> end_ns{0};
  std::vector<std::unique_ptr<Worker>> workers;
  std::optional<asio::signal_set> signals;
  std::optional<asio::steady_timer> ticker;
  std::optional<asio::steady_timer> deadline;  // the end of -z
  auto on_worker_idle = [&] {
    if (busy_workers.fetch_sub(1) != 1) return;
    end_ns.store((clock.now() - start).count());
    asio::post(workers[0]->io(), [&] {
      if (signals) signals->cancel();
      if (ticker) ticker->cancel();
      if (deadline) deadline->cancel();
    });
    for (auto& w : workers) w->release();
  };
  for (int i = 0; i < threads; ++i) {
    const int users = cfg_.concurrency / threads + (i < cfg_.concurrency % threads ? 1 : 0);
    workers.push_back(
        std::make_unique<Worker>(cfg_, transport, clock, schedule, request, users, on_worker_idle));
  }

  // Ctrl-C and the end of -z stop the run alike: no new request starts, and requests in flight
  // are abandoned and not counted (as wrk does), so that a stalled server cannot stretch the run.
  auto stop_all = [&] {
    schedule.stop();
    for (auto& w : workers) w->interrupt();
    transport.shut_down();
  };
  bool interrupted = false;
  int interrupt_signal = 0;
  signals.emplace(workers[0]->io(), SIGINT, SIGTERM);
  signals->async_wait([&](const pool::error_code& ec, int signal_number) {
    if (ec) return;
    interrupted = true;
    interrupt_signal = signal_number;
    stop_all();
  });
  if (cfg_.duration) {
    deadline.emplace(workers[0]->io(), start + *cfg_.duration);
    deadline->async_wait([&](const pool::error_code& ec) {
      if (!ec) stop_all();
    });
  }
  if (on_progress) {
    asio::co_spawn(
        workers[0]->io(),
        [&]() -> asio::awaitable<void> {
          ticker.emplace(workers[0]->io());
          while (busy_workers.load() > 0) {
            ticker->expires_after(kProgressPeriod);
            auto [ec] = co_await ticker->async_wait(asio::as_tuple(asio::use_awaitable));
            if (ec) break;
            ProgressSample s;
            s.elapsed_s = std::chrono::duration<double>(clock.now() - start).count();
            for (auto& w : workers) {
              s.requests += w->live_requests();
              s.errors += w->live_errors();
            }
            s.open_conns = transport.snapshot(host).open;
            s.dials = conn_stats.total_dials();
            s.total_requests = cfg_.request_limit();
            if (cfg_.duration) s.total_s = std::chrono::duration<double>(*cfg_.duration).count();
            on_progress(s);
          }
        },
        asio::detached);
  }

  for (auto& w : workers) w->start();
  std::vector<std::thread> extra;
  for (size_t i = 1; i < workers.size(); ++i) {
    extra.emplace_back([&w = *workers[i]] { w.io().run(); });
  }
  workers[0]->io().run();
  for (auto& t : extra) t.join();

  transport.close_idle_connections();

  RunResult result;
  result.config = cfg_;
  result.interrupted = interrupted;
  result.interrupt_signal = interrupt_signal;
  result.elapsed_s = std::chrono::duration<double>(pool::Duration(end_ns.load())).count();
  const std::string host_name = target.key.to_string();
  for (auto& w : workers) result.merge(w->take_result(host_name));
  conn_stats.add_to(result.hosts);
  HostResult& h = result.hosts[host_name];
  h.max_open_conns = transport.snapshot(host).max_open;
  return result;
}

}  // namespace hload::engine
