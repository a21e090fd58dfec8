// SPDX-License-Identifier: MIT
// Word bitsets: sizes, setting and testing at word edges, and bits beyond the words.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "rapport/core/bitset.hpp"

using namespace rapport;

TEST_CASE("core: bitset_words, set_bit and test_bit at word edges") {
    CHECK(bitset_words(0) == 0);
    CHECK(bitset_words(1) == 1);
    CHECK(bitset_words(64) == 1);
    CHECK(bitset_words(65) == 2);

    std::vector<std::uint64_t> bits(bitset_words(130), 0);
    for (const std::uint64_t i : {0u, 63u, 64u, 127u, 129u}) set_bit(bits, i);
    CHECK(bits[0] == (std::uint64_t{1} | std::uint64_t{1} << 63));
    CHECK(bits[1] == (std::uint64_t{1} | std::uint64_t{1} << 63));
    CHECK(bits[2] == std::uint64_t{2});
    for (std::uint64_t i = 0; i < 64 * bits.size(); ++i) {
        CAPTURE(i);
        CHECK(test_bit(bits, i) == (i == 0 || i == 63 || i == 64 || i == 127 || i == 129));
    }
    CHECK_FALSE(test_bit(bits, 192));  // beyond the words
    CHECK_FALSE(test_bit(bits, UINT64_MAX));
    CHECK_FALSE(test_bit({}, 0));  // an empty span has no bits
    static_assert(bitset_words(200) == 4);
}
