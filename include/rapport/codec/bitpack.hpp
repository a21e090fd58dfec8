// SPDX-License-Identifier: MIT
// Bit-packing of blocks of 128 unsigned 32-bit integers at a fixed width of 0..32 bits, the
// building block of the postings codec (docid gaps, frequencies, positions).
//
// Layout: the 4-lane interleaved ("vertical") layout of SIMD-BP128 (Lemire & Boytsov, "Decoding
// billions of integers per second through vectorization", Software: Practice and Experience 45(1),
// 2015). Value i belongs to lane i mod 4 and is the (i div 4)-th value of that lane. Each lane is a
// little-endian bit stream of 32 values × `bits` bits = `bits` 32-bit words, and word k of lane l is
// stored at byte 16·k + 4·l as a little-endian uint32. A packed block is therefore exactly 16·bits
// bytes (0 bytes for width 0). Within a word, the value occupies bits from the least significant end;
// a value that straddles two words keeps its low bits in word k and its high bits in word k + 1.
// Because the four lanes always move in lockstep, every step of the decoder is the same shift and
// mask applied to four adjacent words, which compilers turn into one 128-bit SIMD operation without
// intrinsics.
//
// Thread safety: pure functions; safe to call concurrently.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "rapport/core/assert.hpp"

namespace rapport::codec {

/// Number of integers in one bit-packed block (and postings per codec block).
inline constexpr std::size_t block_size = 128;

/// The largest supported bit width.
inline constexpr unsigned max_bits = 32;

/// Smallest width w such that `max_value` < 2^w (0 for 0, 32 for values ≥ 2^31).
/// Complexity: O(1).
[[nodiscard]] constexpr unsigned bits_needed(std::uint32_t max_value) noexcept {
    return static_cast<unsigned>(std::bit_width(max_value));
}

/// Bytes of one packed block of `block_size` values at width `bits` (16 · bits).
/// Requires: bits ≤ 32.
[[nodiscard]] constexpr std::size_t packed_bytes(unsigned bits) noexcept { return std::size_t{16} * bits; }

namespace detail {

/// Loads the four little-endian lane words at `p` (16 bytes).
inline void load_lanes(const char* p, std::uint32_t (&w)[4]) noexcept {
    std::memcpy(w, p, 16);
    if constexpr (std::endian::native == std::endian::big) {
        for (auto& x : w) x = __builtin_bswap32(x);
    }
}

/// Decodes row J (values 4J .. 4J+3, one per lane) of a block packed at width B.
template <unsigned B, unsigned J>
inline void unpack_row(const char* in, std::uint32_t* out) noexcept {
    constexpr unsigned bit = J * B;
    constexpr unsigned word = bit / 32;
    constexpr unsigned shift = bit % 32;
    constexpr std::uint32_t mask = (std::uint32_t{1} << B) - 1;
    std::uint32_t lo[4];
    load_lanes(in + 16 * word, lo);
    if constexpr (shift + B > 32) {
        std::uint32_t hi[4];
        load_lanes(in + 16 * (word + 1), hi);
        for (unsigned l = 0; l < 4; ++l) out[4 * J + l] = ((lo[l] >> shift) | (hi[l] << (32 - shift))) & mask;
    } else if constexpr (shift + B == 32) {
        for (unsigned l = 0; l < 4; ++l) out[4 * J + l] = lo[l] >> shift;
    } else {
        for (unsigned l = 0; l < 4; ++l) out[4 * J + l] = (lo[l] >> shift) & mask;
    }
}

/// Decodes a whole block packed at the compile-time width B; every row is fully unrolled so that
/// each shift amount is a constant.
template <unsigned B>
inline void unpack_fixed(const char* in, std::uint32_t* out) noexcept {
    if constexpr (B == 0) {
        std::memset(out, 0, block_size * sizeof(std::uint32_t));
    } else if constexpr (B == 32) {
        std::memcpy(out, in, block_size * sizeof(std::uint32_t));
        if constexpr (std::endian::native == std::endian::big) {
            for (std::size_t i = 0; i < block_size; ++i) out[i] = __builtin_bswap32(out[i]);
        }
    } else {
        [&]<unsigned... J>(std::integer_sequence<unsigned, J...>) {
            (unpack_row<B, J>(in, out), ...);
        }(std::make_integer_sequence<unsigned, 32>{});
    }
}

using unpack_fn = void (*)(const char*, std::uint32_t*) noexcept;

/// One specialised decoder per width 0..32, indexed by width.
inline constexpr std::array<unpack_fn, max_bits + 1> unpack_table = []<unsigned... B>(
    std::integer_sequence<unsigned, B...>) { return std::array<unpack_fn, max_bits + 1>{&unpack_fixed<B>...}; }(
    std::make_integer_sequence<unsigned, max_bits + 1>{});

}  // namespace detail

/// Largest of `in[0 .. n)` (0 when n = 0); with `bits_needed` it picks a block's width.
/// Complexity: O(n).
[[nodiscard]] inline std::uint32_t max_value(const std::uint32_t* in, std::size_t n) noexcept {
    std::uint32_t m = 0;
    for (std::size_t i = 0; i < n; ++i) m = in[i] > m ? in[i] : m;
    return m;
}

/// Appends the `block_size` values `in[0 .. 128)` packed at width `bits`: exactly
/// `packed_bytes(bits)` = 16 · bits bytes, in the layout described at the top of this file.
/// Requires: bits ≤ 32 and every value < 2^bits (higher bits are dropped in release builds).
/// Throws: whatever growing `out` throws (std::bad_alloc).
/// Complexity: O(128).
inline void pack(const std::uint32_t* in, unsigned bits, std::string& out) {
    RAPPORT_ASSERT(bits <= max_bits);
    if (bits == 0) return;
    const std::uint32_t mask = bits == 32 ? 0xFFFFFFFFu : (std::uint32_t{1} << bits) - 1;
    std::uint32_t words[4 * max_bits] = {};
    for (unsigned j = 0; j < 32; ++j) {
        const unsigned bit = j * bits;
        const unsigned word = bit / 32;
        const unsigned shift = bit % 32;
        for (unsigned l = 0; l < 4; ++l) {
            const std::uint32_t v = in[4 * j + l];
            RAPPORT_ASSERT((v & ~mask) == 0);
            words[4 * word + l] |= (v & mask) << shift;
            if (shift + bits > 32) words[4 * (word + 1) + l] |= (v & mask) >> (32 - shift);
        }
    }
    const std::size_t n = packed_bytes(bits);
    const std::size_t at = out.size();
    out.resize(at + n);
    char* dst = out.data() + at;
    for (std::size_t k = 0; k < 4 * std::size_t{bits}; ++k) {
        for (int b = 0; b < 4; ++b) dst[4 * k + static_cast<std::size_t>(b)] = static_cast<char>(words[k] >> (8 * b));
    }
}

/// Decodes one block of `block_size` values packed at width `bits` from `in` into `out[0 .. 128)`.
/// Requires: `in` has `packed_bytes(bits)` readable bytes; `out` has room for 128 values; bits ≤ 32
/// (a larger width, a caller's bug, writes 128 zeros and reads nothing).
/// Complexity: O(128), branch-free after one indirect call: a decoder specialised for the width.
inline void unpack(const char* in, unsigned bits, std::uint32_t* out) noexcept {
    RAPPORT_ASSERT(bits <= max_bits);
    if (bits > max_bits) {
        std::memset(out, 0, block_size * sizeof(std::uint32_t));
        return;
    }
    detail::unpack_table[bits](in, out);
}

}  // namespace rapport::codec
