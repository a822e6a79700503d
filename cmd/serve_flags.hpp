#pragma once

// The flags of `hload serve`: declared on a CLI11 app, then read into a ServeConfig.

#include <CLI/App.hpp>

#include "cmd/serve_config.hpp"

namespace hload::cli {

// add_serve_flags declares the serve flags on app with ServeConfig's defaults shown.
void add_serve_flags(CLI::App& app);

// read_serve_flags returns a ServeConfig with each flag given applied and checked. Throws
// UsageError.
ServeConfig read_serve_flags(const CLI::App& app);

}  // namespace hload::cli
