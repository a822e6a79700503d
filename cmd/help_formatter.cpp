#include "cmd/help_formatter.hpp"

#include <sstream>
#include <utility>

#include <CLI/App.hpp>
#include <CLI/Option.hpp>

namespace hload::cli {

GoStyleFormatter::GoStyleFormatter(std::string usage) : usage_(std::move(usage)) {
  column_width(kNameColumn);
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

std::string GoStyleFormatter::make_option(const CLI::Option* option, bool is_positional) const {
  std::string line = "  " + make_option_name(option, is_positional) + make_option_opts(option);
  std::string out;
  if (line.size() + 1 > kNameColumn) {
    out = line + "\n";
    line.clear();
  }
  line.resize(kNameColumn, ' ');
  const std::string indent(kNameColumn, ' ');
  // The words of the description, and its default as one piece: "(default 90s)" never breaks.
  std::vector<std::string> pieces;
  std::istringstream words(option->get_description());
  for (std::string word; words >> word;) pieces.push_back(word);
  if (const std::string& fallback = option->get_default_str(); !fallback.empty()) {
    pieces.push_back("(default " + fallback + ")");
  }
  bool first = true;  // the first piece of a line goes on it whatever its length
  for (const std::string& word : pieces) {
    if (!first && line.size() + 1 + word.size() > kHelpWidth) {
      out += line + "\n";
      line = indent;
      first = true;
    }
    if (!first) line += ' ';
    line += word;
    first = false;
  }
  return out + line + "\n";
}

}  // namespace hload::cli
