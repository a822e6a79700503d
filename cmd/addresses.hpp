#pragma once

// Checks of the addresses a user types: the target URL, the proxy (-x) and the Host header
// (-host). Each throws UsageError with one line that names what is wrong.

#include <string_view>

namespace hload::cli {

// check_target_url accepts an absolute http or https URL with a host and, if it names a port,
// a port in 1-65535. The URL itself is kept as typed; this only refuses what cannot be sent.
void check_target_url(std::string_view url);

// check_h2c_url accepts a URL check_target_url accepted when it is http://: HTTP/2 with prior
// knowledge (-h2c) is for cleartext.
void check_h2c_url(std::string_view url);

// check_proxy_address accepts -x's "host:port", the port in 1-65535.
void check_proxy_address(std::string_view address);

// check_host_header accepts -host's "host" or "host:port", as a Host header carries it.
void check_host_header(std::string_view host);

}  // namespace hload::cli
