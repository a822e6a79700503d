// progress_text: the live line shows where the run is (-n, -z or neither) and never grows past
// the width it is given, however narrow.

#include "cmd/progress_line.hpp"

#include <unistd.h>

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hload::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::size_t kWide = 200;

// sample is a run 3.2 s in with 12345 requests done, 7 failed, 2 connections open, 3 dials.
engine::ProgressSample sample() {
  engine::ProgressSample s;
  s.elapsed_s = 3.2;
  s.requests = 12'345;
  s.failed = 7;
  s.open_conns = 2;
  s.dials = 3;
  return s;
}

engine::ProgressSample with_limit() {
  engine::ProgressSample s = sample();
  s.total_requests = 20'000;
  return s;
}

engine::ProgressSample with_duration() {
  engine::ProgressSample s = sample();
  s.total_s = 10;
  return s;
}

TEST(ProgressText, RequestLimitShowsDoneOfTotalAndShare) {
  const std::string line = progress_text(with_limit(), 9876, kWide);
  EXPECT_EQ(line, "12345/20000 61.7%  3.2s  9876 req/s  7 failed  2 open conns  3 dials");
}

TEST(ProgressText, DurationShowsTimeRunOfTotal) {
  const std::string line = progress_text(with_duration(), 9876, kWide);
  EXPECT_EQ(line, "3.2s/10s  12345 requests  9876 req/s  7 failed  2 open conns  3 dials");
  engine::ProgressSample half = with_duration();
  half.total_s = 1.5;
  EXPECT_THAT(progress_text(half, 0, kWide), StartsWith("3.2s/1.5s  "));
}

TEST(ProgressText, BothLimitsShowBoth) {
  engine::ProgressSample s = with_limit();
  s.total_s = 10;
  EXPECT_THAT(progress_text(s, 0, kWide), StartsWith("12345/20000 61.7%  3.2s/10s  "));
}

TEST(ProgressText, NeitherLimitShowsTimeRun) {
  const std::string line = progress_text(sample(), 10, kWide);
  EXPECT_THAT(line, StartsWith("3.2s  12345 requests  10 req/s"));
  EXPECT_THAT(line, Not(HasSubstr("%")));
}

TEST(ProgressText, ShareNeverPassesAHundred) {
  engine::ProgressSample s = with_limit();
  s.requests = 20'000;
  EXPECT_THAT(progress_text(s, 0, kWide), StartsWith("20000/20000 100.0%  "));
}

TEST(ProgressText, NarrowWidthShortensLabelsThenDropsFieldsFromTheRight) {
  // The full line is 68 characters; in brief it is 57.
  EXPECT_EQ(progress_text(with_limit(), 9876, 60),
            "12345/20000 61.7%  3.2s  9876/s  7 fail  2 conns  3 dials");
  EXPECT_EQ(progress_text(with_limit(), 9876, 40), "12345/20000 61.7%  3.2s  9876/s  7 fail");
  EXPECT_EQ(progress_text(with_limit(), 9876, 20), "12345/20000 61.7%");
  EXPECT_EQ(progress_text(with_duration(), 9876, 20), "3.2s/10s  12345 req");
  EXPECT_EQ(progress_text(with_limit(), 9876, 5), "12345");
}

TEST(ProgressText, NeverLongerThanTheWidth) {
  for (const auto& s : {sample(), with_limit(), with_duration()}) {
    for (std::size_t width = 0; width <= 100; ++width) {
      const std::string line = progress_text(s, 123456, width);
      EXPECT_LE(line.size(), width) << line;
      EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    }
  }
}

TEST(TerminalWidth, FallsBackTo80WhenNotATerminal) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  EXPECT_EQ(terminal_width(fds[1]), 80u);
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace hload::cli
