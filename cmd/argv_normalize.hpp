#pragma once

// Go-style command lines (hey's: "-max-conns-per-host 2", "-n=5") rewritten into the one form
// CLI11 parses without surprises. CLI11 reads "-max-conns-per-host" as the short flag -m with
// the value "ax-conns-per-host", and "-n=5" as -n with the value "=5"; Go's flag package reads
// both as the user meant.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hload::cli {

// FlagArity says whether a flag stands alone (a switch, such as -h2) or takes a value.
enum class FlagArity { boolean, value };

// FlagTable maps each flag's name without dashes ("c", "max-conns-per-host") to its arity.
using FlagTable = std::map<std::string, FlagArity, std::less<>>;

// normalize_go_flags reads args (the words after the program name and any subcommand) as Go's
// flag package would, except that flags and positional words may be interleaved, and returns
// them in CLI11's long form:
//   - each flag, written with one dash or two, as "--name" followed by its value as a word of
//     its own (from "-name value" or "-name=value"); a value is taken as typed, even when it
//     starts with a dash ("-t -1") or is empty ("-d="), so that it is judged as a value;
//   - each switch as "--name", or "--name=false" when written "-name=false" (Go's spellings of
//     true and false, such as 1, t, TRUE, are accepted and spelled "true"/"false");
//   - then "--", then the positional words in their order: words that do not start with a dash,
//     a lone "-", and everything after a "--".
// Throws UsageError for a word that looks like a flag but names none in flags ("unknown flag
// -foo (see <help_command>)"), for a value flag at the end with no value, and for a switch given
// a value that is not a boolean.
std::vector<std::string> normalize_go_flags(const std::vector<std::string>& args,
                                            const FlagTable& flags, std::string_view help_command);

}  // namespace hload::cli
