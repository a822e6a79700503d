#pragma once

// Declaring Go-style flags on a CLI11 app and reading back what the user gave. CLI11 keeps each
// value as typed; cmd/ converts and checks it (flag_values.hpp) so that every mistake gets one
// line naming the flag as hey users write it ("-c", not CLI11's "--c").

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/App.hpp>

#include "cmd/argv_normalize.hpp"

namespace hload::cli {

// make_app returns an app whose options all keep every value given (Go lets the last one win,
// and -H repeats), with the help text in Go's style (help_formatter.hpp). usage is the line
// after "Usage: ".
std::unique_ptr<CLI::App> make_app(std::string description, std::string usage);

// add_value_flag declares -name, which takes a value shown in the help as placeholder;
// shown_default, if not empty, is printed as "(default ...)". The default is not stored in the
// app: a flag not given has no value, and its reader keeps the config's default.
CLI::Option* add_value_flag(CLI::App& app, std::string_view name, std::string placeholder,
                            const std::string& description, std::string shown_default = "");

// add_switch declares the boolean -name.
CLI::Option* add_switch(CLI::App& app, std::string_view name, const std::string& description);

// add_help_and_version declares -h/-help and -version. Call it last: it forms the help's last
// group.
void add_help_and_version(CLI::App& app);

// flag_table lists app's flags for normalize_go_flags.
FlagTable flag_table(const CLI::App& app);

// last_value returns the last value given for -name, or nullptr when it was not given.
const std::string* last_value(const CLI::App& app, std::string_view name);

// all_values returns every value given for -name, in order.
std::vector<std::string> all_values(const CLI::App& app, std::string_view name);

// read_switch sets on from the switch -name when it was given (its last "true" or "false").
void read_switch(const CLI::App& app, std::string_view name, bool& on);

// given says whether -name appeared at all.
bool given(const CLI::App& app, std::string_view name);

}  // namespace hload::cli
