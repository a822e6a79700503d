#pragma once

// hload's version, for -version and the default User-Agent.

#include <string_view>

namespace hload::cli {

// kVersion comes from project(VERSION) in the top-level CMakeLists.txt (hload_engine defines
// HLOAD_VERSION for itself and its users), so that the binary and the build cannot disagree.
inline constexpr std::string_view kVersion = HLOAD_VERSION;

}  // namespace hload::cli
