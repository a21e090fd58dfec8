// SPDX-License-Identifier: MIT
// Shared by the libFuzzer targets of tests/fuzz: a failed invariant aborts (libFuzzer then saves
// the input as a crash), with a message naming it.
#pragma once

#include <cstdio>
#include <cstdlib>

#define RAPPORT_FUZZ_CHECK(condition)                                                         \
    do {                                                                                     \
        if (!(condition)) {                                                                  \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
            std::abort();                                                                    \
        }                                                                                    \
    } while (false)
