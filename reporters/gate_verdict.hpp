#pragma once

// What the CI gates of one run decided, as the gate renderers (text, JSON, JUnit, GitHub step
// summary) take it.

#include <optional>
#include <vector>

#include "reporters/baseline.hpp"
#include "reporters/gates.hpp"

namespace hload::reporters {

// GateVerdict is every gate's result and, when a baseline was given, the comparison with it.
struct GateVerdict {
  std::vector<GateResult> gates;
  std::optional<BaselineResult> baseline;

  // passed says whether every gate and every baseline metric passed (true when there are none).
  bool passed() const {
    for (const GateResult& g : gates) {
      if (!g.pass) return false;
    }
    return !baseline || baseline->passed();
  }
};

}  // namespace hload::reporters
