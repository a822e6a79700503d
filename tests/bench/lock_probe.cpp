#include "tests/bench/lock_probe.hpp"

#include <pthread.h>
#include <x86intrin.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace hload::bench {
namespace {

// Each thread counts into a slot of its own, a cache line apart, so that measuring adds no
// sharing between threads; slots are reused in turn by threads started later.
constexpr int kSlots = 64;
struct alignas(64) Slot {
  std::uint64_t acquisitions = 0;
  std::uint64_t contended = 0;
  std::uint64_t hold_ticks = 0;
  std::uint64_t wait_ticks = 0;
  std::uint64_t locked_at = 0;
};
Slot g_slots[kSlots];
std::atomic<int> g_next_slot{0};
// Set before the threads that use the mutex start, so relaxed loads see it.
std::atomic<const void*> g_target{nullptr};
double g_cost_ticks = 0;
thread_local bool t_capture = false;
thread_local Slot* t_slot = nullptr;

Slot& my_slot() {
  if (t_slot == nullptr) t_slot = &g_slots[g_next_slot.fetch_add(1) % kSlots];
  return *t_slot;
}

// ticks_per_ns converts time stamp counter ticks (constant rate on the CPUs this runs on).
double ticks_per_ns() {
  static const double kRate = [] {
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t c0 = __rdtsc();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::uint64_t c1 = __rdtsc();
    const auto t1 = std::chrono::steady_clock::now();
    return static_cast<double>(c1 - c0) /
           static_cast<double>(std::chrono::nanoseconds(t1 - t0).count());
  }();
  return kRate;
}

Slot sum() {
  Slot total;
  for (const Slot& s : g_slots) {
    total.acquisitions += s.acquisitions;
    total.contended += s.contended;
    total.hold_ticks += s.hold_ticks;
    total.wait_ticks += s.wait_ticks;
  }
  return total;
}

}  // namespace

void reset() {
  for (Slot& s : g_slots) s = Slot{};
}

void capture_next_lock() {
  // The probe's cost, from empty holds of a mutex of its own: the least of several batches, as
  // a batch in which the thread was preempted says nothing of the probe.
  std::mutex own;
  g_target.store(&own, std::memory_order_relaxed);
  constexpr int kBatches = 20;
  constexpr int kEmptyHolds = 10'000;
  g_cost_ticks = 0;
  for (int b = 0; b < kBatches; ++b) {
    reset();
    for (int i = 0; i < kEmptyHolds; ++i) {
      own.lock();
      own.unlock();
    }
    const double cost = static_cast<double>(sum().hold_ticks) / kEmptyHolds;
    if (b == 0 || cost < g_cost_ticks) g_cost_ticks = cost;
  }
  g_target.store(nullptr, std::memory_order_relaxed);
  reset();
  t_capture = true;
}

LockStats stats() {
  const Slot s = sum();
  const double per_ns = ticks_per_ns();
  LockStats out;
  out.acquisitions = s.acquisitions;
  out.contended = s.contended;
  out.hold_ns =
      (static_cast<double>(s.hold_ticks) - g_cost_ticks * static_cast<double>(s.acquisitions)) /
      per_ns;
  out.wait_ns = static_cast<double>(s.wait_ticks) / per_ns;
  return out;
}

double probe_cost_ns() { return g_cost_ticks / ticks_per_ns(); }

}  // namespace hload::bench

// The wrappers the linker puts in place of pthread_mutex_lock and pthread_mutex_unlock
// (-Wl,--wrap); __real_* are the originals. The names are the linker's, hence reserved.
// NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
// NOLINTBEGIN(readability-identifier-naming)
extern "C" {
int __real_pthread_mutex_lock(pthread_mutex_t* m);
int __real_pthread_mutex_unlock(pthread_mutex_t* m);

int __wrap_pthread_mutex_lock(pthread_mutex_t* m) {
  using namespace hload::bench;
  if (t_capture) {
    t_capture = false;
    g_target.store(m, std::memory_order_relaxed);
  }
  if (m != g_target.load(std::memory_order_relaxed)) return __real_pthread_mutex_lock(m);
  Slot& s = my_slot();
  ++s.acquisitions;
  // A failed try_lock is a contended acquisition: another thread held the mutex.
  if (pthread_mutex_trylock(m) != 0) {
    ++s.contended;
    const std::uint64_t asked = __rdtsc();
    const int rc = __real_pthread_mutex_lock(m);
    s.locked_at = __rdtsc();
    s.wait_ticks += s.locked_at - asked;
    return rc;
  }
  s.locked_at = __rdtsc();
  return 0;
}

int __wrap_pthread_mutex_unlock(pthread_mutex_t* m) {
  using namespace hload::bench;
  if (m == g_target.load(std::memory_order_relaxed)) {
    Slot& s = my_slot();
    s.hold_ticks += __rdtsc() - s.locked_at;
  }
  return __real_pthread_mutex_unlock(m);
}
}
// NOLINTEND(readability-identifier-naming)
// NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
