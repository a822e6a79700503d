#pragma once

// Shard is one of N equal parts of a run (-shard I/N): each process runs its share of -n, -c
// and -rate, and `hload merge` adds the reports back up to the whole run.

#include <cstdint>

namespace hload::engine {

// Shard names the index-th (from 0) of count parts; 0 <= index < count.
struct Shard {
  int index = 0;
  int count = 1;
};

// share_of returns shard's part of total: total / count, and one more for the first
// total % count shards, so that the parts differ by at most 1 and sum exactly to total.
std::uint64_t share_of(std::uint64_t total, Shard shard) noexcept;

// share_of returns shard's part of a rate: the share of its whole part as above, and the
// fraction on top of the last shard's, which has the smallest whole part; the parts sum to
// total and differ by at most 1.
double share_of(double total, Shard shard) noexcept;

}  // namespace hload::engine
