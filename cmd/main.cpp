// hload: argv → command → run or serve → report → exit status (docs/architecture.md#exit-codes:
// 0 run done, 1 a gate failed, 2 bad usage or a run that could not start, 3 a run whose report
// could not be written).

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>

#include "cmd/cli.hpp"
#include "cmd/output_check.hpp"
#include "cmd/progress_line.hpp"
#include "cmd/server/builtin_server.hpp"
#include "cmd/stop_signals.hpp"
#include "engine/engine.hpp"
#include "engine/target.hpp"
#include "reporters/report_writer.hpp"

namespace hload::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
// kExitSignalBase plus the signal's number is the status of a run that SIGINT or SIGTERM cut
// short (130, 143): what a shell reports for a program the signal ended, so that a script sees
// the run was stopped, although its report was written.
constexpr int kExitSignalBase = 128;

int fail(const std::string& message) {
  std::fprintf(stderr, "hload: %s\n", message.c_str());
  return kExitUsage;
}

server::ServerOptions server_options(const ServeConfig& c) {
  server::ServerOptions o;
  o.port = c.port;
  o.body_size = c.body_size;
  o.status = c.status;
  o.delay = c.delay;
  o.close_every = c.close_every;
  o.threads = c.threads;
  return o;
}

int run(const engine::RunConfig& cfg) {
  reporters::OutputTarget output(cfg.output_file);
  if (const auto problem = output_problem(output)) return fail(*problem);
  engine::Engine eng(cfg);
  std::optional<ProgressLine> progress;
  if (cfg.progress && isatty(STDERR_FILENO)) {
    progress.emplace(stderr);
    eng.on_progress = [&progress](const engine::ProgressSample& s) { progress->draw(s); };
  }
  // A signal stops the run; once it is over, the first one only sets the exit status (the
  // report is written all the same) and a second ends the process at once, for a report that
  // cannot be delivered (a FIFO nobody reads).
  std::atomic<bool> run_over{false};
  std::atomic<int> late_signal{0};
  const StopSignals signals([&](int sig) {
    if (!run_over) {
      eng.stop(sig);
    } else if (late_signal.exchange(sig) != 0) {
      std::_Exit(kExitSignalBase + sig);
    }
  });
  engine::RunResult result;
  try {
    result = eng.run();
  } catch (const engine::TargetError& e) {
    return fail(e.what());
  }
  run_over = true;
  if (progress) progress->clear();
  int status = deliver_report(output, reporters::render(result, cfg.output));
  // A report that could not be written (3) says more than the signal that ended the run.
  const int sig = result.interrupt_signal != 0 ? result.interrupt_signal : late_signal.load();
  if (status == kExitOk && sig != 0) status = kExitSignalBase + sig;
  if (result.abandoned) {
    // The run left work behind that cannot be cancelled (a name lookup): waiting for it would
    // keep the process alive past its report.
    std::cout.flush();
    std::fflush(nullptr);
    std::_Exit(status);
  }
  return status;
}

// demo runs against the built-in server, started in this process on a free loopback port, and
// ends by comparing what hload reported with what the server saw.
int demo(engine::RunConfig cfg) {
  server::BuiltinServer srv;
  cfg.url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/";
  std::fprintf(stderr,
               "hload demo: built-in server at %s; %d virtual users, at most %d connections\n",
               cfg.url.c_str(), cfg.concurrency, cfg.max_conns_per_host);
  const int status = run(cfg);
  const server::ServerCounters c = srv.counters();
  std::fprintf(
      stderr, "hload demo: the server accepted %llu connections and served %llu requests\n",
      static_cast<unsigned long long>(c.accepted), static_cast<unsigned long long>(c.responses));
  return status;
}

// serve runs the built-in server until SIGINT or SIGTERM.
int serve(const ServeConfig& cfg) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  // Blocked before the server's threads start, so they inherit the mask and sigwait sees them.
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::optional<server::BuiltinServer> srv;
  try {
    srv.emplace(server_options(cfg));
  } catch (const std::exception& e) {
    return fail(std::string("serve: ") + e.what());
  }
  std::fprintf(stderr, "hload serve: listening on http://%s:%u/ (Ctrl-C to stop)\n",
               ServeConfig::kBindAddress, srv->port());
  int sig = 0;
  sigwait(&stop_signals, &sig);
  srv->stop();
  const server::ServerCounters c = srv->counters();
  std::fprintf(stderr, "hload serve: %llu connections, %llu requests\n",
               static_cast<unsigned long long>(c.accepted),
               static_cast<unsigned long long>(c.requests));
  return kExitOk;
}

int dispatch(const ParseResult& parsed) {
  struct Visitor {
    int operator()(const RunCommand& c) const { return run(c.config); }
    int operator()(const DemoCommand& c) const { return demo(c.config); }
    int operator()(const ServeCommand& c) const { return serve(c.config); }
    int operator()(const ShowHelp& h) const {
      std::fputs(h.text.c_str(), stdout);
      return kExitOk;
    }
    int operator()(const ShowVersion& v) const {
      std::fputs(v.text.c_str(), stdout);
      return kExitOk;
    }
    int operator()(const BadUsage& b) const { return fail(b.message); }
  };
  return std::visit(Visitor{}, parsed);
}

}  // namespace
}  // namespace hload::cli

int main(int argc, char** argv) {
  // SIGINT and SIGTERM are taken by a thread that waits for them (cmd/stop_signals.hpp), never
  // by a handler: blocked here, before any thread starts, they are blocked in every thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  try {
    return hload::cli::dispatch(hload::cli::parse_command_line(argc, argv));
  } catch (const std::exception& e) {
    // Nothing should get here; if something does, one line and a failed status, no trace.
    std::fprintf(stderr, "hload: %s\n", e.what());
    return 2;
  }
}
