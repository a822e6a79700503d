#include "cmd/help_formatter.hpp"

#include <utility>

#include <CLI/App.hpp>
#include <CLI/Option.hpp>

namespace hload::cli {

GoStyleFormatter::GoStyleFormatter(std::string usage) : usage_(std::move(usage)) {
  column_width(34);  // fits "-max-idle-conns-per-host N" with room to spare
}

std::string GoStyleFormatter::make_help(const CLI::App* app, std::string,
                                        CLI::AppFormatMode) const {
  std::string help = "Usage: " + usage_ + "\n\n" + app->get_description() + "\n\n" +
                     make_groups(app, CLI::AppFormatMode::Normal);
  if (!app->get_footer().empty()) help += "\n" + app->get_footer() + "\n";
  return help;
}

std::string GoStyleFormatter::make_group(std::string group, bool,
                                         std::vector<const CLI::Option*> options) const {
  // No blank line before the title, unlike CLI11's: make_groups already puts one between groups.
  std::string text = group + ":\n";
  for (const CLI::Option* option : options) text += make_option(option, false);
  return text;
}

std::string GoStyleFormatter::make_option_name(const CLI::Option* option, bool) const {
  std::string names;
  for (const auto& name : option->get_lnames()) {
    names += (names.empty() ? "-" : ", -") + name;
  }
  return names;
}

std::string GoStyleFormatter::make_option_opts(const CLI::Option* option) const {
  if (option->get_type_size() == 0) return "";  // a switch takes no value
  return " " + option->get_option_text();
}

std::string GoStyleFormatter::make_option_desc(const CLI::Option* option) const {
  const std::string& fallback = option->get_default_str();
  if (fallback.empty()) return option->get_description();
  return option->get_description() + " (default " + fallback + ")";
}

}  // namespace hload::cli
