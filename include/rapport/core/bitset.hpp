// SPDX-License-Identifier: MIT
// Bitsets as spans of 64-bit words (bit i is bit i mod 64 of word i / 64), the form of deletion
// bits (`disk_segment::deletion_bits`) and search filters (`search_options::filter`): the one
// definition of testing and setting a bit, for every module.
// Thread safety: pure functions; `set_bit` writes only the caller's words.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "rapport/core/assert.hpp"

namespace rapport {

/// Words needed for a bitset of `bits` bits: ⌈bits / 64⌉.
[[nodiscard]] constexpr std::size_t bitset_words(std::size_t bits) noexcept { return (bits + 63) / 64; }

/// Whether bit `i` of `bits` is set; bits beyond the words (and every bit of an empty span) are not.
/// Complexity: O(1).
[[nodiscard]] constexpr bool test_bit(std::span<const std::uint64_t> bits, std::uint64_t i) noexcept {
    return (i >> 6) < bits.size() && ((bits[i >> 6] >> (i & 63)) & 1u) != 0;
}

/// Sets bit `i` of `bits`. Requires: `i < 64 · bits.size()`. Complexity: O(1).
constexpr void set_bit(std::span<std::uint64_t> bits, std::uint64_t i) noexcept {
    RAPPORT_ASSERT((i >> 6) < bits.size());
    bits[i >> 6] |= std::uint64_t{1} << (i & 63);
}

}  // namespace rapport
