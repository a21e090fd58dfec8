// SPDX-License-Identifier: MIT
// Compile-only helpers of the ingest module: decoding UTF-8 one code point at a time, and
// trimming Unicode White_Space. Bounds-safe on invalid input (it decodes as U+FFFD).
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>

#include <unicode/uchar.h>

namespace rapport::ingest::detail {

/// A code point and the number of bytes it took.
struct decoded {
    char32_t code_point;
    std::size_t length;
};

/// Decodes the code point starting at byte `i` of `s`; a malformed sequence decodes as U+FFFD
/// of length 1. Requires: `i < s.size()`.
[[nodiscard]] inline decoded decode_at(std::string_view s, std::size_t i) noexcept {
    const auto c0 = static_cast<unsigned char>(s[i]);
    if (c0 < 0x80) return {c0, 1};
    std::size_t n = 0;
    char32_t cp = 0;
    if (c0 >= 0xF0 && c0 <= 0xF4) {
        n = 4;
        cp = c0 & 0x07u;
    } else if (c0 >= 0xE0 && c0 <= 0xEF) {
        n = 3;
        cp = c0 & 0x0Fu;
    } else if (c0 >= 0xC2 && c0 <= 0xDF) {
        n = 2;
        cp = c0 & 0x1Fu;
    } else {
        return {0xFFFD, 1};
    }
    if (s.size() - i < n) return {0xFFFD, 1};
    for (std::size_t k = 1; k < n; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xC0u) != 0x80u) return {0xFFFD, 1};
        cp = (cp << 6) | (c & 0x3Fu);
    }
    return {cp, n};
}

/// Returns true for a UTF-8 continuation byte (10xxxxxx).
[[nodiscard]] inline bool is_continuation(char c) noexcept {
    return (static_cast<unsigned char>(c) & 0xC0u) == 0x80u;
}

/// Returns the start of the code point that ends just before byte `i`: steps back over at most
/// three continuation bytes. Requires: `0 < i <= s.size()`.
[[nodiscard]] inline std::size_t previous_start(std::string_view s, std::size_t i) noexcept {
    std::size_t j = i - 1;
    while (j > 0 && i - j < 4 && is_continuation(s[j])) --j;
    return j;
}

/// Returns the largest code point boundary at or before `i` and after `floor`, or `floor` when
/// there is none. Requires: `floor <= i <= s.size()`.
[[nodiscard]] inline std::size_t code_point_floor(std::string_view s, std::size_t floor, std::size_t i) noexcept {
    while (i > floor && i < s.size() && is_continuation(s[i])) --i;
    return i;
}

/// Returns true for a code point with the Unicode White_Space property.
[[nodiscard]] inline bool is_space(char32_t c) noexcept {
    if (c < 0x80) return c == 0x20 || (c >= 0x09 && c <= 0x0D);
    return u_isUWhiteSpace(static_cast<UChar32>(c)) != 0;
}

/// Returns [begin, end) shrunk to exclude leading and trailing White_Space.
[[nodiscard]] inline std::pair<std::size_t, std::size_t> trim(std::string_view s, std::size_t begin,
                                                              std::size_t end) noexcept {
    while (begin < end) {
        const auto d = decode_at(s, begin);
        if (!is_space(d.code_point)) break;
        begin += d.length;
    }
    while (end > begin) {
        const std::size_t start = previous_start(s, end);
        if (start < begin) break;
        const auto d = decode_at(s, start);
        // A malformed tail decodes to a shorter sequence than the bytes stepped over: not space.
        if (start + d.length != end || !is_space(d.code_point)) break;
        end = start;
    }
    return {begin, end};
}

/// Returns `s` without leading and trailing White_Space.
[[nodiscard]] inline std::string_view trim(std::string_view s) noexcept {
    const auto [b, e] = trim(s, 0, s.size());
    return s.substr(b, e - b);
}

}  // namespace rapport::ingest::detail
