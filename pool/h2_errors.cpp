#include "pool/h2_errors.hpp"

#include <array>
#include <cstdio>
#include <string>

#include "pool/errors.hpp"

namespace hload::pool {

namespace {

// kNames are RFC 9113 §7's names, indexed by code.
constexpr std::array<const char*, 14> kNames = {"NO_ERROR",
                                                "PROTOCOL_ERROR",
                                                "INTERNAL_ERROR",
                                                "FLOW_CONTROL_ERROR",
                                                "SETTINGS_TIMEOUT",
                                                "STREAM_CLOSED",
                                                "FRAME_SIZE_ERROR",
                                                "REFUSED_STREAM",
                                                "CANCEL",
                                                "COMPRESSION_ERROR",
                                                "CONNECT_ERROR",
                                                "ENHANCE_YOUR_CALM",
                                                "INADEQUATE_SECURITY",
                                                "HTTP_1_1_REQUIRED"};

// H2Category gives reset streams their message and their generic condition.
class H2Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "hload.h2"; }

  std::string message(int ev) const override {
    const auto code = static_cast<std::uint32_t>(ev);
    if (code < kNames.size()) {
      return std::string("stream reset by the server (") + kNames[code] + ")";
    }
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%x", code);
    return std::string("stream reset by the server (error code ") + hex + ")";
  }

  // Every reset is Errc::stream_reset as a condition: the pool's and the engine's checks for
  // a reset stream need not know the code.
  boost::system::error_condition default_error_condition(int /*ev*/) const noexcept override {
    return {static_cast<int>(Errc::stream_reset), pool_category()};
  }
};

}  // namespace

const boost::system::error_category& h2_category() noexcept {
  static const H2Category kCategory;
  return kCategory;
}

error_code stream_reset_error(std::uint32_t code) noexcept {
  // NO_ERROR is 0, which an error_code reads as success.
  if (code == 0) return Errc::stream_reset;
  return {static_cast<int>(code), h2_category()};
}

bool is_stream_reset(const error_code& ec) noexcept {
  return ec == Errc::stream_reset || ec.category() == h2_category();
}

}  // namespace hload::pool
