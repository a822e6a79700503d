#pragma once

#include <boost/system/error_code.hpp>

namespace hload::pool {

// Expected failures travel as values of Asio's own error type (architecture: no exception
// crosses the data path).
using error_code = boost::system::error_code;

}  // namespace hload::pool
