#pragma once

#include <cstdint>

namespace hload::test {

// free_loopback_port returns a TCP port that is free on 127.0.0.1 right now: the kernel picks it
// for a socket that is then closed. Another program may take it before the caller binds it, so
// a caller that starts a server on it must be ready to try again with a fresh one. A port that
// nothing listens on also makes a target whose connections are refused. Throws
// std::system_error when no socket can be bound.
std::uint16_t free_loopback_port();

}  // namespace hload::test
