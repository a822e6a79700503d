#pragma once

#include <cstdio>
#include <cstdlib>

// HLOAD_BUG reports a broken invariant and aborts. A broken invariant in the pool means the
// numbers hload prints can no longer be trusted, so it never limps on.
#define HLOAD_BUG(...)                                                            \
  do {                                                                            \
    std::fprintf(stderr, "hload: internal error at %s:%d: ", __FILE__, __LINE__); \
    std::fprintf(stderr, __VA_ARGS__);                                            \
    std::fputc('\n', stderr);                                                     \
    std::abort();                                                                 \
  } while (0)

#define HLOAD_CHECK(cond, ...)           \
  do {                                   \
    if (!(cond)) HLOAD_BUG(__VA_ARGS__); \
  } while (0)
