#pragma once

// The command line (docs/architecture.md#modules): hey's flags, Go style, made into what main
// runs.
//
//   hload [flags] URL        a run
//   hload demo [flags]       a run against the built-in server, which main starts
//   hload check REPORT.json  the gates (-assert, -baseline) judged on a saved report
//   hload merge A.json B.json ...  the JSON reports of several runs (shards) added up
//   hload report REPORT.json the HTML report of a saved JSON report
//   hload serve [flags]      the built-in server alone
//   hload help [demo|serve]  the help, as -h (demo -h, serve -h)
//   hload version            the version, as -version

#include <string>
#include <variant>
#include <vector>

#include "cmd/gate_flags.hpp"
#include "cmd/serve_config.hpp"
#include "engine/run_config.hpp"

namespace hload::cli {

// RunCommand is a load test of config.url.
struct RunCommand {
  engine::RunConfig config;
  GateOptions gates;
};

// DemoCommand is a run against the built-in server: config.url is empty, and main starts the
// server and fills it in. Its defaults are -c 200 -max-conns-per-host 2 -n 20000 (many users
// sharing two connections: the pool's queues at work); any run flag overrides them.
struct DemoCommand {
  engine::RunConfig config;
  GateOptions gates;
};

// CheckCommand judges a saved report by the gate flags, sending no request.
struct CheckCommand {
  std::string report;  // the report file
  GateOptions gates;
};

// ReportCommand draws a saved JSON report as the HTML report (-o html), sending no request.
struct ReportCommand {
  std::string report;  // the JSON report file
  std::string output;  // -output: where the page goes; empty = standard output
};

// MergeCommand adds up the JSON reports of several runs into one (reporters/merge_reports.hpp),
// written to output_file ("" or "-" for the standard output).
struct MergeCommand {
  std::vector<std::string> reports;  // the report files, at least one
  std::string output_file;
};

// ServeCommand runs the built-in server until interrupted.
struct ServeCommand {
  ServeConfig config;
};

// ShowHelp asks main to print text (it ends in a newline) to standard output and exit 0.
struct ShowHelp {
  std::string text;
};

// ShowVersion asks main to print text ("hload 0.1.0\n") to standard output and exit 0.
struct ShowVersion {
  std::string text;
};

// BadUsage is a mistake on the command line: main prints "hload: " + message to standard error
// and exits 2, before any request is sent. message is one line, without a newline.
struct BadUsage {
  std::string message;
};

using ParseResult = std::variant<RunCommand, DemoCommand, CheckCommand, ReportCommand, MergeCommand,
                                 ServeCommand, ShowHelp, ShowVersion, BadUsage>;

// parse_command_line reads argv (argv[0] is the program's name) and every file it names (-D).
// A subcommand (serve, demo, check, report, merge, help, version) must be the first word; flags and
// the URL may come in any order. Every mistake it can see (an unknown flag, a bad or missing URL, a
// bad value, flags that conflict) is a BadUsage: no exception leaves it.
ParseResult parse_command_line(int argc, const char* const* argv);

}  // namespace hload::cli
