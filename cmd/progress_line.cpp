#include "cmd/progress_line.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string_view>
#include <vector>

namespace hload::cli {
namespace {

constexpr std::size_t kFallbackWidth = 80;  // what a terminal that says nothing is taken to be
constexpr std::string_view kGap = "  ";

// Field is one part of the line, written in full and with a shorter label.
struct Field {
  std::string full;
  std::string brief;
};

// printed is value written with a printf format that takes one double.
std::string printed(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// count writes a count in full, as the server's own counters would show it.
std::string count(std::uint64_t n) { return std::to_string(n); }

// seconds writes a duration the user gave as briefly as it reads ("10s", "1.5s").
std::string seconds(double s) {
  char text[32];
  return std::string(text, std::to_chars(text, text + sizeof text, s).ptr) + "s";
}

// fields are the line's parts in the order of progress_text, most telling first.
std::vector<Field> fields(const engine::ProgressSample& s, double rate) {
  const std::string elapsed = printed("%.1fs", s.elapsed_s);
  const std::string time = s.total_s ? elapsed + "/" + seconds(*s.total_s) : elapsed;
  std::vector<Field> out;
  if (s.total_requests) {
    const double total = static_cast<double>(std::max<std::uint64_t>(*s.total_requests, 1));
    const double share = std::min(100.0, 100.0 * static_cast<double>(s.requests) / total);
    const std::string done =
        count(s.requests) + "/" + count(*s.total_requests) + " " + printed("%.1f%%", share);
    out.push_back({done, done});
    out.push_back({time, time});
  } else {
    out.push_back({time, time});
    out.push_back({count(s.requests) + " requests", count(s.requests) + " req"});
  }
  const std::string per_s = printed("%.0f", rate);
  out.push_back({per_s + " req/s", per_s + "/s"});
  out.push_back({count(s.failed) + " failed", count(s.failed) + " fail"});
  out.push_back(
      {std::to_string(s.open_conns) + " open conns", std::to_string(s.open_conns) + " conns"});
  out.push_back({count(s.dials) + " dials", count(s.dials) + " dials"});
  return out;
}

// joined writes the first n fields, in full or brief.
std::string joined(const std::vector<Field>& fields, std::size_t n, bool brief) {
  std::string line;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) line += kGap;
    line += brief ? fields[i].brief : fields[i].full;
  }
  return line;
}

}  // namespace

std::string progress_text(const engine::ProgressSample& s, double rate, std::size_t width) {
  const std::vector<Field> all = fields(s, rate);
  if (std::string line = joined(all, all.size(), false); line.size() <= width) return line;
  for (std::size_t n = all.size(); n > 0; --n) {
    if (std::string line = joined(all, n, true); line.size() <= width) return line;
  }
  return all.front().brief.substr(0, width);
}

std::size_t terminal_width(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return kFallbackWidth;
  return size.ws_col;
}

void ProgressLine::draw(const engine::ProgressSample& s) {
  // The rate over the last interval, which shows stalls and warm-up as they happen.
  const double dt = s.elapsed_s - last_elapsed_s_;
  const double rate = dt > 0 ? static_cast<double>(s.requests - last_requests_) / dt : 0.0;
  last_elapsed_s_ = s.elapsed_s;
  last_requests_ = s.requests;
  // One column short of the width: a character in the last column leaves some terminals about
  // to wrap, and the next redraw would then start on a new line.
  const std::size_t width = terminal_width(fileno(out_));
  const std::string line = progress_text(s, rate, width > 0 ? width - 1 : 0);
  std::fprintf(out_, "\r\033[K%s", line.c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressLine::clear() {
  if (!drawn_) return;
  std::fputs("\r\033[K", out_);
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace hload::cli
