#include "engine/error_kind.hpp"

namespace hload::engine {

const char* to_string(ErrorKind k) noexcept {
  static constexpr std::array<const char*, kErrorKinds> kNames = {"connect_refused",
                                                                  "connect_timeout",
                                                                  "dns",
                                                                  "timeout",
                                                                  "conn_reset",
                                                                  "conn_closed",
                                                                  "protocol",
                                                                  "tls_verify",
                                                                  "tls_handshake",
                                                                  "tls_timeout",
                                                                  "unreachable",
                                                                  "fd_limit",
                                                                  "no_local_port",
                                                                  "redirect",
                                                                  "stream_reset",
                                                                  "refused_stream",
                                                                  "other"};
  return kNames[static_cast<int>(k)];
}

}  // namespace hload::engine
