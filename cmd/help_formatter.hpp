#pragma once

// The help text in Go's style: flags shown with one dash, as hey users write them.

#include <string>
#include <vector>

#include <CLI/Formatter.hpp>

namespace hload::cli {

// GoStyleFormatter lays the help out as Go tools do: the usage line, what the command does, the
// flags in groups, then the app's footer. Each flag reads "-name VALUE  what it does (default
// x)": every long name with one dash (two work as well; the footer says so), the value's
// placeholder, and the default at the end of the description, where a reader looks for it.
// Switches show no default: they are off unless given. Lines fit in 100 columns.
class GoStyleFormatter : public CLI::Formatter {
 public:
  // usage is the line printed after "Usage: ", such as "hload [flags] URL".
  explicit GoStyleFormatter(std::string usage);

  std::string make_help(const CLI::App* app, std::string name,
                        CLI::AppFormatMode mode) const override;
  std::string make_group(std::string group, bool is_positional,
                         std::vector<const CLI::Option*> options) const override;
  std::string make_option_name(const CLI::Option* option, bool is_positional) const override;
  std::string make_option_opts(const CLI::Option* option) const override;
  std::string make_option_desc(const CLI::Option* option) const override;
  // make_option writes one flag: its name and value in the first column, the description
  // after, wrapped to kHelpWidth with the continuation lines under the description.
  std::string make_option(const CLI::Option* option, bool is_positional) const override;

  static constexpr std::size_t kNameColumn = 34;  // fits "-max-idle-conns-per-host N"
  static constexpr std::size_t kHelpWidth = 100;

 private:
  std::string usage_;
};

}  // namespace hload::cli
