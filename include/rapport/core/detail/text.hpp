// SPDX-License-Identifier: MIT
// Internal: the byte and code point classes every module shares, so that each is defined once:
// UTF-8 continuation bytes, ASCII whitespace (C's isspace in the "C" locale) and Unicode
// White_Space. Inline and constexpr for public inline code (snippets) and lib/ alike; decoding,
// which needs ICU, is compile-only (lib/core/text.hpp).
// Thread safety: pure functions.
#pragma once

namespace rapport::detail {

/// Whether `c` is a UTF-8 continuation byte (10xxxxxx).
[[nodiscard]] constexpr bool is_utf8_continuation(char c) noexcept {
    return (static_cast<unsigned char>(c) & 0xC0u) == 0x80u;
}

/// Whether `c` is ASCII whitespace: space, \t, \n, \v, \f or \r (C's isspace in the "C" locale,
/// and the ASCII part of White_Space). Bytes ≥ 0x80 are not.
[[nodiscard]] constexpr bool is_ascii_space(char c) noexcept {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/// Whether code point `cp` has the Unicode White_Space property: ASCII whitespace, NEL, NBSP,
/// U+1680, U+2000..U+200A, the line and paragraph separators, U+202F, U+205F and U+3000 (the
/// set ICU's u_isUWhiteSpace tests, unchanged since Unicode 6.3).
[[nodiscard]] constexpr bool is_white_space(char32_t cp) noexcept {
    if (cp < 0x80) return is_ascii_space(static_cast<char>(cp));
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

}  // namespace rapport::detail
