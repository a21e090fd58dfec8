// SPDX-License-Identifier: MIT
// Internal: the lexical facts the parser and `to_string` share (blanks are White_Space, which
// characters are special in bare words and in phrases), and the parser's view of UTF-8 decoding.
// Compile-only (never installed).
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/text.hpp"

namespace rapport::query::detail {

/// Decodes the code point at byte `i` of `text` into `cp` and returns its length in bytes
/// (rapport::detail::decode_utf8). A byte that does not start a valid sequence decodes as itself
/// (cp = 0xDC00 + byte, a lone surrogate no valid text yields) with length 1, so any byte string
/// can be walked and distinct bad bytes stay distinct units.
/// Requires: `i < text.size()`.
inline std::size_t decode_utf8(std::string_view text, std::size_t i, char32_t& cp) noexcept {
    const auto d = rapport::detail::decode_utf8(text, i);
    if (!d.valid) {
        cp = 0xDC00 + static_cast<unsigned char>(text[i]);
        return 1;
    }
    cp = d.code_point;
    return d.length;
}

/// Whether `cp` separates words: Unicode White_Space (rapport::detail::is_white_space).
using rapport::detail::is_white_space;

/// Whether `c` ends a bare word: a blank or one of ( ) " ^ ~.
constexpr bool ends_word(char32_t c) noexcept {
    return is_white_space(c) || c == '(' || c == ')' || c == '"' || c == '^' || c == '~';
}

/// Whether `c` must be escaped anywhere in a bare word.
constexpr bool special_in_word(char32_t c) noexcept {
    return ends_word(c) || c == '\\' || c == ':' || c == '*';
}

/// Whether `c` must be escaped inside a phrase.
constexpr bool special_in_phrase(char32_t c) noexcept { return is_white_space(c) || c == '"' || c == '\\'; }

}  // namespace rapport::query::detail
