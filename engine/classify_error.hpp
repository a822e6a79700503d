#pragma once

#include "engine/error_kind.hpp"
#include "pool/error.hpp"

namespace hload::engine {

// classify_error names the kind of ec; timed_out says the request's own deadline fired.
ErrorKind classify_error(const pool::error_code& ec, bool timed_out) noexcept;

}  // namespace hload::engine
