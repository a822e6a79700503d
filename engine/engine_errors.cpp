#include "engine/engine_errors.hpp"

#include <string>

namespace hload::engine {

namespace {

class EngineCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "hload.engine"; }

  std::string message(int ev) const override {
    switch (static_cast<EngineErrc>(ev)) {
      case EngineErrc::too_many_redirects:
        return "stopped after 10 redirects";
      case EngineErrc::bad_redirect:
        return "redirect to a location hload cannot request";
    }
    return "unknown hload.engine error";
  }
};

}  // namespace

const boost::system::error_category& engine_category() noexcept {
  static const EngineCategory kCategory;
  return kCategory;
}

pool::error_code make_error_code(EngineErrc e) noexcept {
  return {static_cast<int>(e), engine_category()};
}

}  // namespace hload::engine
