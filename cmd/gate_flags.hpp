#pragma once

// The CI gate flags, shared by a run and by `hload check`: declared on a CLI11 app and read
// into GateOptions. What they name is checked later, before any request (cmd/gating.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/App.hpp>

namespace hload::cli {

struct GateOptions {
  std::vector<std::string> asserts;       // -assert, as typed, in order
  std::uint64_t min_requests = 1;         // -min-requests: fewer finished fails every gate
  std::optional<std::string> baseline;    // -baseline FILE: a report to compare with
  std::optional<std::string> regression;  // -max-regression SPEC
  std::string junit;                      // -junit FILE; empty: none

  // active says whether anything is to be judged.
  bool active() const { return !asserts.empty() || baseline.has_value(); }
};

// add_gate_flags declares -assert, -min-requests, -baseline, -max-regression and -junit.
void add_gate_flags(CLI::App& app);

// read_gate_flags returns what the user gave; -max-regression without -baseline is refused
// (a -baseline without it is bounded by 10% for each metric). Throws UsageError.
GateOptions read_gate_flags(const CLI::App& app);

}  // namespace hload::cli
