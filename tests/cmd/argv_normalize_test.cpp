// normalize_go_flags: Go-style words into CLI11's long form, values untouched, positional words
// collected after "--".

#include "cmd/argv_normalize.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cmd/usage_error.hpp"

namespace hload::cli {
namespace {

using Words = std::vector<std::string>;

const FlagTable kFlags{
    {"c", FlagArity::value},
    {"n", FlagArity::value},
    {"t", FlagArity::value},
    {"d", FlagArity::value},
    {"h", FlagArity::boolean},
    {"h2", FlagArity::boolean},
    {"max-conns-per-host", FlagArity::value},
};

Words normalize(const Words& args) { return normalize_go_flags(args, kFlags, "hload -h"); }

// error_for returns the UsageError that args raise, or "" if they raise none.
std::string error_for(const Words& args) {
  try {
    normalize(args);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(NormalizeGoFlags, RewritesEverySpellingToLongNameAndSeparateValue) {
  const Words want{"--max-conns-per-host", "2", "--"};
  EXPECT_EQ(normalize({"-max-conns-per-host", "2"}), want);
  EXPECT_EQ(normalize({"--max-conns-per-host", "2"}), want);
  EXPECT_EQ(normalize({"-max-conns-per-host=2"}), want);
  EXPECT_EQ(normalize({"--max-conns-per-host=2"}), want);
  EXPECT_EQ(normalize({"-n", "5"}), (Words{"--n", "5", "--"}));
  EXPECT_EQ(normalize({"-n=5"}), (Words{"--n", "5", "--"}));
  EXPECT_EQ(normalize({"--n=5"}), (Words{"--n", "5", "--"}));
}

TEST(NormalizeGoFlags, TakesValuesAsTypedEvenWhenTheyLookLikeFlags) {
  EXPECT_EQ(normalize({"-t", "-1"}), (Words{"--t", "-1", "--"}));
  EXPECT_EQ(normalize({"-t=-1"}), (Words{"--t", "-1", "--"}));
  EXPECT_EQ(normalize({"-d", "--"}), (Words{"--d", "--", "--"}));
  EXPECT_EQ(normalize({"-d", "-foo"}), (Words{"--d", "-foo", "--"}));
  EXPECT_EQ(normalize({"-d="}), (Words{"--d", "", "--"}));
  EXPECT_EQ(normalize({"-d", "a=b"}), (Words{"--d", "a=b", "--"}));
  EXPECT_EQ(normalize({"-d=a=b"}), (Words{"--d", "a=b", "--"}));
}

TEST(NormalizeGoFlags, SwitchesTakeNoWordButAcceptGoBooleans) {
  EXPECT_EQ(normalize({"-h2", "x"}), (Words{"--h2", "--", "x"}));
  EXPECT_EQ(normalize({"-h"}), (Words{"--h", "--"}));
  for (const std::string yes : {"1", "t", "T", "true", "TRUE", "True"}) {
    EXPECT_EQ(normalize({"-h2=" + yes}), (Words{"--h2", "--"})) << yes;
  }
  for (const std::string no : {"0", "f", "F", "false", "FALSE", "False"}) {
    EXPECT_EQ(normalize({"-h2=" + no}), (Words{"--h2=false", "--"})) << no;
  }
  EXPECT_EQ(error_for({"-h2=yes"}),
            "-h2 is a switch: give it alone, or =true or =false (got \"yes\")");
  EXPECT_NE(error_for({"-h2="}), "");
}

TEST(NormalizeGoFlags, PutsPositionalWordsAfterTheFlagsInOrder) {
  EXPECT_EQ(normalize({"URL", "-c", "5", "other"}), (Words{"--c", "5", "--", "URL", "other"}));
  EXPECT_EQ(normalize({"-"}), (Words{"--", "-"}));
  EXPECT_EQ(normalize({}), (Words{"--"}));
}

TEST(NormalizeGoFlags, DoubleDashEndsTheFlags) {
  EXPECT_EQ(normalize({"-c", "5", "--", "-n", "--", "URL"}),
            (Words{"--c", "5", "--", "-n", "--", "URL"}));
}

TEST(NormalizeGoFlags, RefusesUnknownFlagsAsTyped) {
  EXPECT_EQ(error_for({"-foo"}), "unknown flag -foo (see hload -h)");
  EXPECT_EQ(error_for({"--foo=bar"}), "unknown flag --foo (see hload -h)");
  EXPECT_EQ(error_for({"-n5"}), "unknown flag -n5 (see hload -h)");
  EXPECT_EQ(error_for({"---n", "5"}), "unknown flag ---n (see hload -h)");
  EXPECT_EQ(error_for({"-=5"}), "unknown flag - (see hload -h)");
  EXPECT_EQ(error_for({"-5"}), "unknown flag -5 (see hload -h)");
  EXPECT_EQ(error_for({"-fo\no"}), "unknown flag -fo\\no (see hload -h)");
}

TEST(NormalizeGoFlags, RefusesAValueFlagWithoutItsValue) {
  EXPECT_EQ(error_for({"URL", "-c"}), "-c needs a value (see hload -h)");
  EXPECT_EQ(error_for({"--max-conns-per-host"}),
            "--max-conns-per-host needs a value (see hload -h)");
}

}  // namespace
}  // namespace hload::cli
