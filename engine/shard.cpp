#include "engine/shard.hpp"

#include <cmath>

namespace hload::engine {

std::uint64_t share_of(std::uint64_t total, Shard shard) noexcept {
  const auto count = static_cast<std::uint64_t>(shard.count);
  const auto index = static_cast<std::uint64_t>(shard.index);
  return total / count + (index < total % count ? 1 : 0);
}

double share_of(double total, Shard shard) noexcept {
  const double whole = std::floor(total);
  const auto part = static_cast<double>(share_of(static_cast<std::uint64_t>(whole), shard));
  return shard.index == shard.count - 1 ? part + (total - whole) : part;
}

}  // namespace hload::engine
