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
#include <sstream>
#include <string>

#include "cmd/cli.hpp"
#include "cmd/fd_limit.hpp"
#include "cmd/gating.hpp"
#include "cmd/output_check.hpp"
#include "cmd/progress_line.hpp"
#include "cmd/server/builtin_server.hpp"
#include "cmd/stop_signals.hpp"
#include "engine/engine.hpp"
#include "engine/target.hpp"
#include "reporters/csv_report.hpp"
#include "reporters/gate_report.hpp"
#include "reporters/html_report.hpp"
#include "reporters/json_report.hpp"
#include "reporters/merge_reports.hpp"
#include "reporters/report_writer.hpp"
#include "reporters/sparkline.hpp"

namespace hload::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
// kExitSignalBase plus the signal's number is the status of a run that SIGINT or SIGTERM cut
// short (130, 143): what a shell reports for a program the signal ended, so that a script sees
// the run was stopped, although its report was written.
constexpr int kExitSignalBase = 128;
// kSparklineAfterS is how long a run must last for the text report to draw its sparkline.
constexpr double kSparklineAfterS = 10.0;

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
  for (const auto& [after, delay] : c.delay_changes) o.delay_changes.push_back({after, delay});
  o.fail_from = c.fail_from;
  o.fail_until = c.fail_until;
  o.close_every = c.close_every;
  o.threads = c.threads;
  return o;
}

// skeleton_report is the JSON report of cfg's run before any request: the fields gates may
// name. Its hosts are the targets'; hosts a redirect reaches appear only as the run goes.
nlohmann::ordered_json skeleton_report(const engine::RunConfig& cfg) {
  engine::RunResult r;
  r.config = cfg;
  for (const engine::Target& t : engine::make_targets(cfg)) r.hosts[t.key.to_string()];
  return reporters::to_json(r);
}

// render_judged renders result with the gates' verdict, if there is one: under "gates" in the
// JSON report (and so in the HTML page drawn from it), after the text report; the other
// formats carry no verdict, which then goes to standard error.
std::string render_judged(const engine::RunResult& result, const nlohmann::ordered_json& report,
                          const std::optional<reporters::GateVerdict>& verdict, bool sparkline) {
  const engine::OutputFormat format = result.config.output;
  if (format == engine::OutputFormat::json || format == engine::OutputFormat::html) {
    // Copied only to add the verdict: a long run's report is not small.
    std::optional<nlohmann::ordered_json> judged;
    if (verdict) {
      judged = report;
      (*judged)["gates"] = reporters::gates_json(*verdict);
    }
    const nlohmann::ordered_json& out = judged ? *judged : report;
    if (format == engine::OutputFormat::html) return reporters::render_html(out);
    return out.dump(2) + "\n";
  }
  std::string out = reporters::render(result, format);
  if (sparkline) out += "\n" + reporters::sparkline_text(result.timeline);
  if (!verdict) return out;
  std::ostringstream gates;
  reporters::write_gates_text(gates, *verdict);
  if (format == engine::OutputFormat::text) return out + "\n" + gates.str();
  std::fputs(gates.str().c_str(), stderr);
  return out;
}

// wants_sparkline says whether the text report gets its requests/s sparkline: for a person at a
// terminal, after a run long enough to have a shape (kSparklineAfterS). A file or a pipe gets
// the text report as it always was.
bool wants_sparkline(const engine::RunResult& result, const reporters::OutputTarget& output) {
  return result.config.output == engine::OutputFormat::text &&
         output.kind() == reporters::OutputTarget::Kind::console && isatty(STDOUT_FILENO) &&
         result.elapsed_s > kSparklineAfterS;
}

int run(const engine::RunConfig& cfg, const GateOptions& gate_options) {
  reporters::OutputTarget output(cfg.output_file);
  if (const auto problem = output_problem(output)) return fail(*problem);
  if (const auto problem = fd_limit_problem(cfg, raise_fd_limit())) return fail(*problem);
  std::optional<Gating> gating;
  try {
    if (gate_options.active() || !gate_options.junit.empty()) {
      gating.emplace(gate_options, skeleton_report(cfg));
    }
  } catch (const std::exception& e) {  // UsageError, or TargetError for the skeleton
    return fail(e.what());
  }
  // The engine loads the TLS files (-cacert, -cert, -key): one that does not load is bad usage.
  std::optional<engine::Engine> built;
  try {
    built.emplace(cfg);
  } catch (const engine::TargetError& e) {
    return fail(e.what());
  }
  engine::Engine& eng = *built;
  // The per-request report is written while the run goes on.
  std::optional<reporters::ReportSink> csv_sink;
  std::optional<reporters::CsvReport> csv;
  if (cfg.output == engine::OutputFormat::csv) {
    try {
      csv_sink.emplace(output);
    } catch (const std::exception& e) {
      return fail(e.what());
    }
    csv.emplace(*csv_sink);
    eng.request_sinks = [&csv] { return csv->make_sink(); };
  }
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

  nlohmann::ordered_json report = reporters::to_json(result);
  std::optional<reporters::GateVerdict> verdict;
  if (gating) verdict = gating->judge(report);
  int status = csv ? commit_report(output, *csv_sink)
                   : deliver_report(output, render_judged(result, report, verdict,
                                                          wants_sparkline(result, output)));
  if (gating) {
    if (const int delivered = gating->deliver(report, *verdict); status == kExitOk) {
      status = delivered;
    }
  }
  // A report that could not be written (3) says more than the signal that ended the run, and
  // that more than a gate it failed.
  const int sig = result.interrupt_signal != 0 ? result.interrupt_signal : late_signal.load();
  if (status == kExitOk && sig != 0) status = kExitSignalBase + sig;
  if (status == kExitOk && verdict && !verdict->passed()) status = kExitGateFailed;
  if (result.abandoned) {
    // The run left work behind that cannot be cancelled (a name lookup): waiting for it would
    // keep the process alive past its report.
    std::cout.flush();
    std::fflush(nullptr);
    std::_Exit(status);
  }
  return status;
}

// check judges a saved report by the gates, as a run would have judged it.
int check(const CheckCommand& c) {
  nlohmann::ordered_json report;
  std::optional<Gating> gating;
  try {
    report = read_report("check", c.report);
    gating.emplace(c.gates, report);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  const reporters::GateVerdict verdict = gating->judge(report);
  reporters::write_gates_text(std::cout, verdict);
  std::cout.flush();
  if (const int delivered = gating->deliver(report, verdict); delivered != kExitOk) {
    return delivered;
  }
  return verdict.passed() ? kExitOk : kExitGateFailed;
}

// merge adds up the reports c names and delivers the sum where c.output_file says.
int merge(const MergeCommand& c) {
  reporters::OutputTarget output(c.output_file);
  if (const auto problem = output_problem(output)) return fail(*problem);
  std::string merged;
  try {
    std::vector<reporters::NamedReport> inputs;
    for (const std::string& path : c.reports) inputs.push_back({path, read_report("merge", path)});
    merged = reporters::merge_reports(inputs).dump(2) + "\n";
  } catch (const reporters::MergeError& e) {
    return fail(std::string("merge: ") + e.what());
  } catch (const std::exception& e) {  // UsageError
    return fail(e.what());
  }
  return deliver_report(output, merged);
}

// draw_report writes the HTML report of a saved JSON report.
int draw_report(const ReportCommand& c) {
  reporters::OutputTarget output(c.output);
  if (const auto problem = output_problem(output)) return fail(*problem);
  nlohmann::ordered_json report;
  try {
    report = read_report("report", c.report);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  const auto schema = report.find("schema");
  if (schema == report.end() || !schema->is_string() ||
      schema->get<std::string>().rfind("hload.report/", 0) != 0) {
    return fail("report: " + c.report +
                R"x( is not an hload JSON report (no "schema": "hload.report/v1"))x");
  }
  return deliver_report(output, reporters::render_html(report));
}

// demo runs against the built-in server, started in this process on a free loopback port, and
// ends by comparing what hload reported with what the server saw.
int demo(engine::RunConfig cfg, const GateOptions& gates) {
  server::BuiltinServer srv;
  cfg.url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/";
  std::fprintf(stderr,
               "hload demo: built-in server at %s; %d virtual users, at most %d connections\n",
               cfg.url.c_str(), cfg.concurrency, cfg.max_conns_per_host);
  const int status = run(cfg, gates);
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
    int operator()(const RunCommand& c) const { return run(c.config, c.gates); }
    int operator()(const DemoCommand& c) const { return demo(c.config, c.gates); }
    int operator()(const CheckCommand& c) const { return check(c); }
    int operator()(const MergeCommand& c) const { return merge(c); }
    int operator()(const ReportCommand& c) const { return draw_report(c); }
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
