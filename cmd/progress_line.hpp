#pragma once

// The live progress line on a terminal: what oha and k6 show while a run goes, in one line
// redrawn in place on standard error.

#include <cstdio>

#include "engine/engine.hpp"

namespace hload::cli {

// ProgressLine draws samples on `out` (a terminal) and clears the line when done.
class ProgressLine {
 public:
  explicit ProgressLine(std::FILE* out) : out_(out) {}
  ~ProgressLine() { clear(); }
  void draw(const engine::ProgressSample& s);
  void clear();

 private:
  std::FILE* out_;
  bool drawn_ = false;
  double last_elapsed_s_ = 0;
  std::uint64_t last_requests_ = 0;
};

}  // namespace hload::cli
