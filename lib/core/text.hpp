// SPDX-License-Identifier: MIT
// Compile-only (lib/, never installed): rapport's one UTF-8 decoder, on ICU's U8_NEXT (the Unicode
// "maximal subpart" rules: overlongs, surrogates and values above U+10FFFF are invalid), and
// White_Space trimming on top of it. Bounds-safe on any bytes.
// Thread safety: pure functions.
#pragma once

#include <unicode/utf8.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "rapport/core/detail/text.hpp"

namespace rapport::detail {

/// One step of decoding.
struct decoded_utf8 {
    char32_t code_point;  ///< the code point; U+FFFD when invalid
    std::size_t length;   ///< bytes consumed: the sequence, or the maximal invalid subpart (≥ 1)
    bool valid;           ///< false for an invalid sequence
};

/// `s` with A–Z lowered to a–z and every other byte kept (language names, ISO codes, option values).
[[nodiscard]] inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

/// Decodes the code point starting at byte `i` of `s`.
/// Requires: `i < s.size()`. Complexity: O(1); reads at most 4 bytes.
[[nodiscard]] inline decoded_utf8 decode_utf8(std::string_view s, std::size_t i) noexcept {
    const auto* p = reinterpret_cast<const std::uint8_t*>(s.data() + i);
    if (p[0] < 0x80) return {p[0], 1, true};
    // U8_NEXT takes int32_t indexes: it is given at most the 4 bytes a sequence can span, so
    // texts of any size decode correctly.
    const auto length = static_cast<std::int32_t>(std::min<std::size_t>(4, s.size() - i));
    std::int32_t n = 0;
    UChar32 c;
    U8_NEXT(p, n, length, c);
    if (c < 0) return {0xFFFD, static_cast<std::size_t>(n), false};
    return {static_cast<char32_t>(c), static_cast<std::size_t>(n), true};
}

/// Returns the start of the code point that ends just before byte `i`: steps back over at most
/// three continuation bytes. Requires: `0 < i <= s.size()`.
[[nodiscard]] inline std::size_t previous_utf8_start(std::string_view s, std::size_t i) noexcept {
    std::size_t j = i - 1;
    while (j > 0 && i - j < 4 && is_utf8_continuation(s[j])) --j;
    return j;
}

/// Returns the largest code point boundary at or before `i` and after `floor`, or `floor` when
/// there is none. Requires: `floor <= i <= s.size()`.
[[nodiscard]] inline std::size_t utf8_floor(std::string_view s, std::size_t floor, std::size_t i) noexcept {
    while (i > floor && i < s.size() && is_utf8_continuation(s[i])) --i;
    return i;
}

/// Returns [begin, end) of `s` shrunk to exclude leading and trailing White_Space.
/// Requires: `begin <= end <= s.size()`.
[[nodiscard]] inline std::pair<std::size_t, std::size_t> trim_white_space(std::string_view s, std::size_t begin,
                                                                          std::size_t end) noexcept {
    while (begin < end) {
        const auto d = decode_utf8(s, begin);
        if (!d.valid || !is_white_space(d.code_point)) break;
        begin += d.length;
    }
    while (end > begin) {
        const std::size_t start = previous_utf8_start(s, end);
        if (start < begin) break;
        const auto d = decode_utf8(s, start);
        // A malformed tail decodes to a shorter sequence than the bytes stepped over: not space.
        if (start + d.length != end || !d.valid || !is_white_space(d.code_point)) break;
        end = start;
    }
    return {begin, end};
}

/// Returns `s` without leading and trailing White_Space.
[[nodiscard]] inline std::string_view trim_white_space(std::string_view s) noexcept {
    const auto [b, e] = trim_white_space(s, 0, s.size());
    return s.substr(b, e - b);
}

}  // namespace rapport::detail
