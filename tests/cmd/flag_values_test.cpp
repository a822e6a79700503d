// read_whole and read_count: whole numbers for flags, counts also with oha's k and M suffixes,
// each mistake one line naming the flag.

#include "cmd/flag_values.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "cmd/usage_error.hpp"

namespace hload::cli {
namespace {

// count_error returns the message read_count refuses text with, or "" when it accepts it.
std::string count_error(const std::string& text, Zero zero = Zero::refused,
                        std::int64_t max = std::numeric_limits<std::int64_t>::max()) {
  try {
    read_count("-n", text, zero, max);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(ReadCount, ReadsSuffixesAsOhaDoes) {
  const std::vector<std::pair<std::string, std::int64_t>> cases{
      {"7", 7},
      {"10k", 10'000},
      {"10K", 10'000},
      {"1m", 1'000'000},
      {"1M", 1'000'000},
      {"1.5k", 1'500},
      {"1.5M", 1'500'000},
      {"2.25k", 2'250},
      {"1.000k", 1'000},
      {"1.k", 1'000},
      {".5k", 500},
      {"0.000001M", 1},
      {"9223372036854775k", 9'223'372'036'854'775'000},
      {"9223372036854.775807M", std::numeric_limits<std::int64_t>::max()},
  };
  for (const auto& [text, want] : cases) {
    EXPECT_EQ(read_count("-n", text, Zero::refused), want) << text;
  }
  EXPECT_EQ(read_count("-max-conns", "0k", Zero::allowed), 0);
}

TEST(ReadCount, RefusesWhatIsNotAWholeCount) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"1.2345k", "-n must come to a whole number (got 1.2345k)"},
      {"1.0000001M", "-n must come to a whole number (got 1.0000001M)"},
      {"k", "-n wants a whole number such as 100, 10k or 1.5M (got \"k\")"},
      {".k", "-n wants a whole number such as 100, 10k or 1.5M (got \".k\")"},
      {"1.2.3k", "-n wants a whole number such as 100, 10k or 1.5M (got \"1.2.3k\")"},
      {"1kk", "-n wants a whole number such as 100, 10k or 1.5M (got \"1kk\")"},
      {"10 k", "-n wants a whole number such as 100, 10k or 1.5M (got \"10 k\")"},
      {"+1k", "-n wants a whole number such as 100, 10k or 1.5M (got \"+1k\")"},
      {"1g", "-n wants a whole number such as 100, 10k or 1.5M (got \"1g\")"},
      {"1.5", "-n wants a whole number such as 100, 10k or 1.5M (got \"1.5\")"},
      {"", "-n wants a whole number such as 100, 10k or 1.5M (got \"\")"},
      {"-", "-n wants a whole number such as 100, 10k or 1.5M (got \"-\")"},
      {"0k", "-n must be at least 1 (got 0k)"},
      {"-1k", "-n must be at least 1 (got -1k)"},
      {"9223372036854776k", "-n is out of range (got 9223372036854776k)"},
      {"9223372036854.775808M", "-n is out of range (got 9223372036854.775808M)"},
      {"99999999999999999999k", "-n is out of range (got 99999999999999999999k)"},
  };
  for (const auto& [text, want] : cases) {
    EXPECT_EQ(count_error(text), want) << text;
  }
  EXPECT_EQ(count_error("-1k", Zero::allowed), "-n must not be negative (got -1k)");
  EXPECT_EQ(count_error("3k", Zero::refused, 2000), "-n must be at most 2000 (got 3k)");
}

TEST(ReadWhole, TakesNoSuffix) {
  EXPECT_EQ(read_whole("-port", "8080", Zero::refused, 65535), 8080);
  EXPECT_THROW(read_whole("-port", "8k", Zero::refused, 65535), UsageError);
  EXPECT_THROW(read_whole("-body-size", "1k", Zero::allowed), UsageError);
}

}  // namespace
}  // namespace hload::cli
