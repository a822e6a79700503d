#include "pool/trace.hpp"

namespace hload::pool {

const char* to_string(AcquireOutcome o) noexcept {
  switch (o) {
    case AcquireOutcome::idle:
      return "idle";
    case AcquireOutcome::handoff:
      return "handoff";
    case AcquireOutcome::dial:
      return "dial";
  }
  return "?";
}

const char* to_string(CloseReason r) noexcept {
  switch (r) {
    case CloseReason::server_close:
      return "server_close";
    case CloseReason::idle_timeout:
      return "idle_timeout";
    case CloseReason::idle_overflow:
      return "idle_overflow";
    case CloseReason::error:
      return "error";
    case CloseReason::run_end:
      return "run_end";
  }
  return "?";
}

}  // namespace hload::pool
