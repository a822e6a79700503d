#pragma once

// Following redirects as Go's http.Client (and so hey) does: up to 10 in a row; 301, 302 and
// 303 turn a request other than GET or HEAD into a GET without a body, 307 and 308 repeat it
// as it was. Each hop is a request of its own through the pool, to whatever host it names.

#include <string_view>
#include <variant>

#include "engine/run_config.hpp"
#include "engine/target.hpp"
#include "pool/error.hpp"

namespace hload::engine {

// kMaxRedirects is how many redirects a request follows before it fails (Go's limit).
inline constexpr int kMaxRedirects = 10;

// is_followed_redirect says whether a response with status is a redirect hload follows.
constexpr bool is_followed_redirect(unsigned status) noexcept {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// redirect_target builds the request a redirect asks for: location resolved against from.url,
// sent with run's headers (Authorization only to the host it was meant for). An error code
// (EngineErrc::bad_redirect) when location is not a URL hload can request.
std::variant<Target, pool::error_code> redirect_target(const RunConfig& run, const Target& from,
                                                       unsigned status, std::string_view location);

}  // namespace hload::engine
