// SPDX-License-Identifier: MIT
// Internal: the lexical facts the parser and `to_string` share (which code points are blanks,
// which characters are special in bare words and in phrases), and a UTF-8 step decoder.
// Compile-only (never installed).
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace rapport::query::detail {

/// Decodes the code point at byte `i` of `text` into `cp` and returns its length in bytes.
/// A byte that does not start a valid sequence decodes as itself (cp = 0xDC00 + byte, a lone
/// surrogate no valid text yields) with length 1, so any byte string can be walked.
/// Requires: `i < text.size()`.
inline std::size_t decode_utf8(std::string_view text, std::size_t i, char32_t& cp) noexcept {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    const unsigned char b0 = s[i];
    const auto invalid = [&]() noexcept {
        cp = 0xDC00 + b0;
        return std::size_t{1};
    };
    const auto cont = [&](std::size_t k, unsigned char lo, unsigned char hi) noexcept {
        return i + k < n && s[i + k] >= lo && s[i + k] <= hi;
    };
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        if (!cont(1, 0x80, 0xBF)) return invalid();
        cp = (char32_t{b0} & 0x1F) << 6 | (s[i + 1] & 0x3F);
        return 2;
    }
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
        const unsigned char hi = b0 == 0xED ? 0x9F : 0xBF;
        if (!cont(1, lo, hi) || !cont(2, 0x80, 0xBF)) return invalid();
        cp = (char32_t{b0} & 0x0F) << 12 | char32_t(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
        const unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF;
        if (!cont(1, lo, hi) || !cont(2, 0x80, 0xBF) || !cont(3, 0x80, 0xBF)) return invalid();
        cp = (char32_t{b0} & 0x07) << 18 | char32_t(s[i + 1] & 0x3F) << 12 | char32_t(s[i + 2] & 0x3F) << 6 |
             (s[i + 3] & 0x3F);
        return 4;
    }
    return invalid();
}

/// Whether `cp` separates words: Unicode White_Space (ASCII blanks, NEL, NBSP, the U+2000 spaces,
/// line and paragraph separators, U+3000).
constexpr bool is_blank(char32_t cp) noexcept {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

/// Whether `c` ends a bare word: a blank or one of ( ) " ^ ~.
constexpr bool ends_word(char32_t c) noexcept {
    return is_blank(c) || c == '(' || c == ')' || c == '"' || c == '^' || c == '~';
}

/// Whether `c` must be escaped anywhere in a bare word.
constexpr bool special_in_word(char32_t c) noexcept {
    return ends_word(c) || c == '\\' || c == ':' || c == '*';
}

/// Whether `c` must be escaped inside a phrase.
constexpr bool special_in_phrase(char32_t c) noexcept { return is_blank(c) || c == '"' || c == '\\'; }

}  // namespace rapport::query::detail
