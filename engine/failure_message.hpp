#pragma once

// describe_failure writes the example message a report shows for an error kind, as hey shows
// Go's (`Get "http://…": dial tcp …: connection refused`): the request, where it was when it
// failed, and why.

#include <string>

#include "engine/run_config.hpp"
#include "engine/virtual_user.hpp"

namespace hload::engine {

// describe_failure says, in one line, how r failed: "GET http://127.0.0.1:1/: dial
// http://127.0.0.1:1: Connection refused", or "... timed out after 2s waiting for the
// response". r must have failed without a response and have its last hop.
std::string describe_failure(const RequestRecord& r, const RunConfig& cfg);

}  // namespace hload::engine
