// SPDX-License-Identifier: MIT
// Seeds of the tests' random generators: fixed by default, so that a failure reproduces; the
// environment variable RAPPORT_TEST_SEED=<n> shifts every seed by n to explore other inputs (a
// failing run is then reproduced with the same n).
#pragma once

#include <cstdint>
#include <cstdlib>

namespace rapport::test {

/// `fallback`, or `fallback + n` when RAPPORT_TEST_SEED=n is set.
[[nodiscard]] inline std::uint64_t seed(std::uint64_t fallback) {
    const char* s = std::getenv("RAPPORT_TEST_SEED");
    return s != nullptr && *s != '\0' ? fallback + std::strtoull(s, nullptr, 10) : fallback;
}

}  // namespace rapport::test
