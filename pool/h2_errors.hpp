#pragma once

#include <cstdint>

#include <boost/system/error_category.hpp>

#include "pool/error.hpp"

namespace hload::pool {

// h2_category is the category of an HTTP/2 stream the server reset (RST_STREAM) with another
// code than REFUSED_STREAM, named "hload.h2". Its values are the HTTP/2 error codes, so that
// the message keeps the server's reason ("stream reset by the server (INTERNAL_ERROR)"); each
// of its codes is equivalent to the condition of Errc::stream_reset.
const boost::system::error_category& h2_category() noexcept;

// stream_reset_error is the error of a stream the server reset with `code`: Errc::stream_reset
// for NO_ERROR (0), which as a value of h2_category would read as success.
error_code stream_reset_error(std::uint32_t code) noexcept;

// is_stream_reset says whether ec is a stream reset by the server: Errc::stream_reset, or a
// code of h2_category.
bool is_stream_reset(const error_code& ec) noexcept;

}  // namespace hload::pool
