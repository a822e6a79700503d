#pragma once

// HLOAD_ADDRESS_SANITIZER is 1 in a build with the address sanitizer, else 0. GCC says so with
// __SANITIZE_ADDRESS__, clang only through __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define HLOAD_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HLOAD_ADDRESS_SANITIZER 1
#endif
#endif
#ifndef HLOAD_ADDRESS_SANITIZER
#define HLOAD_ADDRESS_SANITIZER 0
#endif
