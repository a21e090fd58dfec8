// SPDX-License-Identifier: MIT
// UTF-8 validation and repair, the boundary check every text input passes through.
// Policy (see README "Invalid UTF-8"): APIs that take text either reject invalid UTF-8 with an
// `invalid_argument` carrying the byte offset of the first bad sequence (the default), or, on
// request, replace each maximal invalid subsequence with U+FFFD (as ICU and the WHATWG decoder do).
// Thread safety: free functions without shared state.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "rapport/core/export.hpp"

namespace rapport {

/// What a text-accepting API does with invalid UTF-8.
enum class invalid_utf8_policy {
    reject,   ///< throw `invalid_argument` naming the byte offset of the first invalid sequence
    replace,  ///< replace each maximal invalid subsequence with U+FFFD
};

/// Appends the UTF-8 encoding (1 to 4 bytes) of code point `cp` to `out`.
/// Requires: `cp` ≤ U+10FFFF (surrogates are encoded as they are, for callers that carry them).
inline void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// Returns the byte offset of the first invalid UTF-8 sequence in `text`, or nothing if it is valid.
/// Overlong forms, surrogates and code points above U+10FFFF are invalid.
/// Complexity: linear; an ASCII run costs one comparison per byte.
[[nodiscard]] RAPPORT_API std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept;

/// Returns `text` with each maximal invalid subsequence replaced by U+FFFD (EF BF BD).
[[nodiscard]] RAPPORT_API std::string replace_invalid_utf8(std::string_view text);

/// Applies `policy` to `text`: returns it unchanged when valid, repaired under `replace`.
/// Throws: `invalid_argument` under `reject` when `text` is invalid; the message starts with `what`
/// (e.g. "article 'x' body") and the offset is the first bad byte.
[[nodiscard]] RAPPORT_API std::string check_utf8(std::string text, invalid_utf8_policy policy,
                                                 std::string_view what);

}  // namespace rapport
