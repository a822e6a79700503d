#include "cmd/argv_normalize.hpp"

#include <array>
#include <optional>

#include "cmd/usage_error.hpp"

namespace hload::cli {
namespace {

// parse_go_bool reads a boolean as Go's strconv.ParseBool does.
std::optional<bool> parse_go_bool(std::string_view text) {
  constexpr std::array<std::string_view, 6> kTrue{"1", "t", "T", "true", "TRUE", "True"};
  constexpr std::array<std::string_view, 6> kFalse{"0", "f", "F", "false", "FALSE", "False"};
  for (const auto word : kTrue) {
    if (text == word) return true;
  }
  for (const auto word : kFalse) {
    if (text == word) return false;
  }
  return std::nullopt;
}

// is_flag_word says whether word is written as a flag: a dash followed by something. A lone
// "-" is a positional word, as in Go (it conventionally means standard input).
bool is_flag_word(std::string_view word) { return word.size() > 1 && word.front() == '-'; }

}  // namespace

std::vector<std::string> normalize_go_flags(const std::vector<std::string>& args,
                                            const FlagTable& flags, std::string_view help_command) {
  std::vector<std::string> out;
  std::vector<std::string> positionals;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view word = args[i];
    if (word == "--") {
      positionals.insert(positionals.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                         args.end());
      break;
    }
    if (!is_flag_word(word)) {
      positionals.emplace_back(word);
      continue;
    }

    // Go accepts one dash or two; three or more name no flag.
    const std::size_t dashes = word.starts_with("--") ? 2 : 1;
    const std::size_t equals = word.find('=');
    const std::string_view typed = word.substr(0, equals);  // the flag as the user wrote it
    const std::string_view name = typed.substr(dashes);
    const auto flag = flags.find(name);
    if (name.empty() || name.front() == '-' || flag == flags.end()) {
      throw UsageError("unknown flag " + printable(typed) + " (see " + std::string(help_command) +
                       ")");
    }
    const std::string long_name = "--" + std::string(name);

    if (flag->second == FlagArity::boolean) {
      if (equals == std::string_view::npos) {
        out.push_back(long_name);
        continue;
      }
      const auto value = parse_go_bool(word.substr(equals + 1));
      if (!value) {
        throw UsageError(printable(typed) +
                         " is a switch: give it alone, or =true or =false (got " +
                         quote(word.substr(equals + 1)) + ")");
      }
      out.push_back(*value ? long_name : long_name + "=false");
      continue;
    }

    out.push_back(long_name);
    if (equals != std::string_view::npos) {
      out.emplace_back(word.substr(equals + 1));
    } else if (i + 1 < args.size()) {
      out.push_back(args[++i]);  // taken as typed, even "-1" or "--": it is this flag's value
    } else {
      throw UsageError(printable(typed) + " needs a value (see " + std::string(help_command) + ")");
    }
  }
  out.emplace_back("--");
  out.insert(out.end(), positionals.begin(), positionals.end());
  return out;
}

}  // namespace hload::cli
