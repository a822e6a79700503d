#pragma once

#include <type_traits>

#include <boost/system/error_category.hpp>

#include "pool/error.hpp"

namespace hload::engine {

// EngineErrc names the failures the engine decides itself, above the pool: each is an error
// kind of its own in the report.
enum class EngineErrc {
  too_many_redirects = 1,  // more than 10 redirects in a row
  bad_redirect,            // a Location that is not a URL hload can request
};

// engine_category is the category of EngineErrc values, named "hload.engine".
const boost::system::error_category& engine_category() noexcept;

pool::error_code make_error_code(EngineErrc e) noexcept;

}  // namespace hload::engine

template <>
struct boost::system::is_error_code_enum<hload::engine::EngineErrc> : std::true_type {};
