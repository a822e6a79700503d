#pragma once

// The live progress line on a terminal: what oha and k6 show while a run goes, in one line
// redrawn in place on standard error. It never wraps: a wrapped line cannot be redrawn in place,
// and each redraw would scroll the terminal by a line.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "engine/engine.hpp"

namespace hload::cli {

// progress_text lays out one progress line in at most width characters. Where the run is comes
// first: with a request limit (-n), the requests done of it and the share done ("12345/20000
// 61.7%"), then the time run; otherwise the time run, of the duration with -z ("3.2s/10s"), then
// the requests done. Then the request rate (rate, requests per second since the last line),
// errors, open connections and dials. A line too wide takes shorter labels, then loses fields
// from the right; the first field is cut as a last resort.
std::string progress_text(const engine::ProgressSample& s, double rate, std::size_t width);

// terminal_width is the width of the terminal on fd in columns, or 80 when fd is not a terminal
// or reports no width.
std::size_t terminal_width(int fd);

// ProgressLine draws samples on `out` (a terminal) and clears the line when done. Each draw reads
// the terminal's width again, so that a resized window gets a line that fits.
class ProgressLine {
 public:
  explicit ProgressLine(std::FILE* out) : out_(out) {}
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // draw replaces the line with s, and the rate since the sample drawn before.
  void draw(const engine::ProgressSample& s);
  // clear erases the line, if one was drawn.
  void clear();

 private:
  std::FILE* out_;
  bool drawn_ = false;
  double last_elapsed_s_ = 0;
  std::uint64_t last_requests_ = 0;
};

}  // namespace hload::cli
