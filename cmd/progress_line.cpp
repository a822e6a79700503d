#include "cmd/progress_line.hpp"

namespace hload::cli {

void ProgressLine::draw(const engine::ProgressSample& s) {
  // The rate over the last interval, which shows stalls and warm-up as they happen.
  const double dt = s.elapsed_s - last_elapsed_s_;
  const double rate = dt > 0 ? static_cast<double>(s.requests - last_requests_) / dt : 0.0;
  last_elapsed_s_ = s.elapsed_s;
  last_requests_ = s.requests;
  std::fprintf(out_,
               "\r\033[K%7.1fs  %10llu requests  %9.0f req/s  %6llu failed  %4d open conns  "
               "%6llu dials",
               s.elapsed_s, static_cast<unsigned long long>(s.requests), rate,
               static_cast<unsigned long long>(s.failed), s.open_conns,
               static_cast<unsigned long long>(s.dials));
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
