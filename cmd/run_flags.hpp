#pragma once

// The flags of a run (hey's, plus hload's pool knobs): declared on a CLI11 app, then read into
// a RunConfig with every value checked.

#include <CLI/App.hpp>

#include "engine/run_config.hpp"

namespace hload::cli {

// add_run_flags declares every run flag on app, in help groups, with the defaults of defaults
// shown in the help text.
void add_run_flags(CLI::App& app, const engine::RunConfig& defaults);

// read_run_flags returns config with each flag the user gave applied and checked, alone and
// against the others (-d with -D, -rate with -q, -threads and -n against -c). The URL is left
// as it is. Reads the -D file. Throws UsageError.
engine::RunConfig read_run_flags(const CLI::App& app, engine::RunConfig config);

}  // namespace hload::cli
