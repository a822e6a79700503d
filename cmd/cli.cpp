#include "cmd/cli.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/App.hpp>

#include "cmd/addresses.hpp"
#include "cmd/app_flags.hpp"
#include "cmd/argv_normalize.hpp"
#include "cmd/run_flags.hpp"
#include "cmd/serve_flags.hpp"
#include "cmd/usage_error.hpp"

namespace hload::cli {
namespace {

constexpr std::string_view kRunUsage = "hload [flags] URL";

constexpr std::string_view kRunFooter =
    "Flags take one dash or two: -c 10, -c=10, --c 10. A switch takes no value, or =true or\n"
    "=false. The URL may come before, between or after the flags; -- ends the flags.\n"
    "Counts (-n, -c, -threads, the -max-*conns* flags) take k and M as oha's do: -n 10k is\n"
    "10000 requests, -n 1.5M is 1500000. Durations (-z, -idle-conn-timeout, -dial-timeout,\n"
    "-tls-handshake-timeout) are Go's and need a unit: 10s, 1m30s, 500ms; -t, as hey's, also\n"
    "takes a number of seconds.\n"
    "\n"
    "Subcommands (first word):\n"
    "  hload demo [flags]       load hload's built-in server: -c 200 -max-conns-per-host 2 -n "
    "20000\n"
    "                           unless flags say otherwise (hload demo -h)\n"
    "  hload check [flags] REPORT.json\n"
    "                           judge a saved report by -assert and -baseline (hload check -h)\n"
    "  hload report [flags] REPORT.json\n"
    "                           draw a saved JSON report as the HTML report (hload report -h)\n"
    "  hload merge [-output FILE] A.json B.json ...\n"
    "                           add up the JSON reports of shards (-shard I/N) into one\n"
    "  hload serve [flags]      run the built-in server alone (hload serve -h)\n"
    "  hload help [demo|check|report|merge|serve]\n"
    "                           this help, or that of a subcommand (as -h)\n"
    "  hload version            hload's version (as -version)\n"
    "\n"
    "Exit status: 0 the run is done, 1 a gate failed, 2 bad usage or the run could not start,\n"
    "3 the run finished but the report could not be written, 130 or 143 the run was stopped by\n"
    "SIGINT (Ctrl-C) or SIGTERM (the report of what was done is written first).";

// Flags is what the flag parser found: the positional words, or a text to show instead.
struct Flags {
  std::vector<std::string> positionals;
  std::optional<ParseResult> show;  // ShowHelp or ShowVersion: nothing else is looked at
};

// parse_flags normalizes args (Go style, see argv_normalize.hpp) and lets CLI11 sort them onto
// app's flags.
Flags parse_flags(CLI::App& app, const std::vector<std::string>& args,
                  std::string_view help_command) {
  std::vector<std::string> words = normalize_go_flags(args, flag_table(app), help_command);
  std::reverse(words.begin(), words.end());  // CLI11 takes words from the back
  try {
    app.parse(words);
  } catch (const CLI::CallForHelp&) {
    return {{}, ShowHelp{app.help()}};
  } catch (const CLI::CallForVersion& version) {
    return {{}, ShowVersion{version.what()}};
  }
  // Unknown flags were refused by the normalizer, so what remains is the "--" it put after
  // the flags and the positional words after it.
  std::vector<std::string> positionals = app.remaining();
  positionals.erase(positionals.begin());
  return {std::move(positionals), std::nullopt};
}

// kSubcommandUsages are the subcommands with how each is written.
constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kSubcommandUsages{{
    {"demo", "hload demo [flags]"},
    {"check", "hload check [flags] REPORT.json"},
    {"report", "hload report [flags] REPORT.json"},
    {"merge", "hload merge [-output FILE] A.json B.json ..."},
    {"serve", "hload serve [flags]"},
    {"help", "hload help [demo|check|report|merge|serve]"},
    {"version", "hload version"},
}};

// check_no_subcommand_later refuses a subcommand that is not the first word, which would
// otherwise be reported as a strange URL.
void check_no_subcommand_later(const std::vector<std::string>& positionals) {
  for (const auto& word : positionals) {
    for (const auto& [name, usage] : kSubcommandUsages) {
      if (word == name) {
        throw UsageError(word + " must be the first word (usage: " + std::string(usage) + ")");
      }
    }
  }
}

ParseResult parse_run(const std::vector<std::string>& args) {
  const auto app = make_app(
      "hload sends HTTP requests from concurrent virtual users over one shared connection pool\n"
      "and reports the latency, and how the pool dialed, reused and queued for connections.",
      std::string(kRunUsage));
  app->footer(std::string(kRunFooter));
  add_run_flags(*app, engine::RunConfig{});
  add_gate_flags(*app);
  add_help_and_version(*app);
  Flags flags = parse_flags(*app, args, "hload -h");
  if (flags.show) return *flags.show;

  // Flags first, as Go reads them: "-c URL" is a bad -c more than it is a missing URL.
  engine::RunConfig config = read_run_flags(*app, engine::RunConfig{});
  GateOptions gates = read_gate_flags(*app);
  check_no_subcommand_later(flags.positionals);
  if (!config.targets.empty()) {
    if (!flags.positionals.empty()) {
      throw UsageError("a URL and -targets cannot both be given (got " +
                       quote(flags.positionals.front()) + ")");
    }
    return RunCommand{std::move(config), std::move(gates)};
  }
  if (flags.positionals.empty()) {
    throw UsageError("missing URL (usage: " + std::string(kRunUsage) + ")");
  }
  if (flags.positionals.size() > 1) {
    throw UsageError("more than one URL: " + quote(flags.positionals[0]) + " and " +
                     quote(flags.positionals[1]) + " (a run loads one URL)");
  }
  check_target_url(flags.positionals.front());
  if (config.h2c) check_h2c_url(flags.positionals.front());
  config.url = flags.positionals.front();
  return RunCommand{std::move(config), std::move(gates)};
}

// demo_defaults are the run flags of the demo: two connections shared by 200 users.
engine::RunConfig demo_defaults() {
  engine::RunConfig config;
  config.concurrency = 200;
  config.max_conns_per_host = 2;
  config.requests = 20000;
  return config;
}

ParseResult parse_demo(const std::vector<std::string>& args) {
  const auto app = make_app(
      "hload demo starts hload's built-in server on 127.0.0.1 and loads it: 200 users over two\n"
      "connections show the pool's queues at work. Every run flag applies.",
      "hload demo [flags]");
  add_run_flags(*app, demo_defaults());
  add_gate_flags(*app);
  add_help_and_version(*app);
  Flags flags = parse_flags(*app, args, "hload demo -h");
  if (flags.show) return *flags.show;
  if (!flags.positionals.empty()) {
    throw UsageError("demo takes no URL: it loads its own server (got " +
                     quote(flags.positionals.front()) + ")");
  }
  engine::RunConfig config = read_run_flags(*app, demo_defaults());
  if (config.h2c) throw UsageError("-h2c: the demo's built-in server speaks HTTP/1.1 only");
  return DemoCommand{std::move(config), read_gate_flags(*app)};
}

ParseResult parse_check(const std::vector<std::string>& args) {
  const auto app = make_app(
      "hload check judges a saved JSON report (of a run, or merged) by the same gates as a run,\n"
      "sending no request: exit status 0 when every gate passes, 1 when one fails.",
      "hload check [flags] REPORT.json");
  add_gate_flags(*app);
  add_help_and_version(*app);
  Flags flags = parse_flags(*app, args, "hload check -h");
  if (flags.show) return *flags.show;
  GateOptions gates = read_gate_flags(*app);
  if (flags.positionals.size() != 1) {
    throw UsageError(flags.positionals.empty()
                         ? "check needs a report (usage: hload check [flags] REPORT.json)"
                         : "check judges one report (got " + quote(flags.positionals[1]) + ")");
  }
  if (!gates.active()) throw UsageError("check needs a gate: -assert EXPR or -baseline FILE");
  return CheckCommand{flags.positionals.front(), std::move(gates)};
}

ParseResult parse_report(const std::vector<std::string>& args) {
  const auto app = make_app(
      "hload report draws a saved JSON report (-o json, of a run or merged) as the HTML report:\n"
      "one page with its charts and tables, which works offline. It sends no request.",
      "hload report [flags] REPORT.json");
  app->option_defaults()->group("Report");
  add_value_flag(*app, "o", "FORMAT", "the format drawn: html (the only one)", "html");
  add_value_flag(*app, "output", "FILE", "write the page to FILE, not standard output");
  add_help_and_version(*app);
  Flags flags = parse_flags(*app, args, "hload report -h");
  if (flags.show) return *flags.show;
  if (const auto* v = last_value(*app, "o"); v && *v != "html") {
    throw UsageError("report draws only -o html (got " + quote(*v) + ")");
  }
  ReportCommand c;
  if (const auto* v = last_value(*app, "output")) {
    if (v->empty()) throw UsageError("-output wants a file name (got \"\")");
    c.output = *v;
  }
  if (flags.positionals.size() != 1) {
    throw UsageError(flags.positionals.empty()
                         ? "report needs a JSON report (usage: hload report [flags] REPORT.json)"
                         : "report draws one report (got " + quote(flags.positionals[1]) + ")");
  }
  c.report = flags.positionals.front();
  return c;
}

ParseResult parse_merge(const std::vector<std::string>& args) {
  const auto app = make_app(
      "hload merge adds up the JSON reports of several runs, such as the shards of one run\n"
      "(-shard I/N) on many machines: counters summed, histograms merged bucket by bucket and\n"
      "their percentiles read anew, hosts merged by key. It judges no gate: hload check does.",
      "hload merge [-output FILE] A.json B.json ...");
  add_value_flag(*app, "output", "FILE", "write the merged report to FILE (- for standard output)",
                 "standard output");
  add_help_and_version(*app);
  Flags flags = parse_flags(*app, args, "hload merge -h");
  if (flags.show) return *flags.show;
  if (flags.positionals.empty()) {
    throw UsageError("merge needs reports (usage: hload merge [-output FILE] A.json B.json ...)");
  }
  MergeCommand c{flags.positionals, {}};
  if (const auto* v = last_value(*app, "output")) {
    if (v->empty()) throw UsageError("-output wants a file name (got \"\")");
    c.output_file = *v;
  }
  return c;
}

ParseResult parse_serve(const std::vector<std::string>& args) {
  const auto app = make_app(
      "hload serve runs hload's built-in HTTP/1.1 server on 127.0.0.1 until interrupted: a\n"
      "target whose answers, delays and connection closes are chosen by flags.",
      "hload serve [flags]");
  add_serve_flags(*app);
  add_help_and_version(*app);
  Flags flags = parse_flags(*app, args, "hload serve -h");
  if (flags.show) return *flags.show;
  if (!flags.positionals.empty()) {
    throw UsageError("serve takes no arguments, only flags (got " +
                     quote(flags.positionals.front()) + ")");
  }
  return ServeCommand{read_serve_flags(*app)};
}

// parse_help shows the help that -h shows: the run's, or that of the subcommand named.
ParseResult parse_help(const std::vector<std::string>& args) {
  if (args.empty()) return parse_run({"-h"});
  if (args.size() == 1 && args.front() == "demo") return parse_demo({"-h"});
  if (args.size() == 1 && args.front() == "serve") return parse_serve({"-h"});
  if (args.size() == 1 && args.front() == "check") return parse_check({"-h"});
  if (args.size() == 1 && args.front() == "report") return parse_report({"-h"});
  if (args.size() == 1 && args.front() == "merge") return parse_merge({"-h"});
  throw UsageError("help takes demo, check, report, merge, serve or nothing (got " +
                   quote(args.front()) + "; usage: hload help [demo|check|report|merge|serve])");
}

// parse_version shows the version that -version shows.
ParseResult parse_version(const std::vector<std::string>& args) {
  if (!args.empty()) {
    throw UsageError("version takes no arguments (got " + quote(args.front()) + ")");
  }
  return parse_run({"-version"});
}

}  // namespace

ParseResult parse_command_line(int argc, const char* const* argv) {
  try {
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
    const std::string_view first = args.empty() ? std::string_view() : args.front();
    const std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
    if (first == "serve") return parse_serve(rest);
    if (first == "demo") return parse_demo(rest);
    if (first == "check") return parse_check(rest);
    if (first == "report") return parse_report(rest);
    if (first == "merge") return parse_merge(rest);
    if (first == "help") return parse_help(rest);
    if (first == "version") return parse_version(rest);
    return parse_run(args);
  } catch (const UsageError& e) {
    return BadUsage{e.what()};
  } catch (const std::exception& e) {
    // CLI11 should see nothing it refuses once the normalizer has passed the words; whatever
    // it or the system still throws is reported as a usage problem, on one line.
    return BadUsage{printable(e.what())};
  }
}

}  // namespace hload::cli
