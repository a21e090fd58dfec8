// SPDX-License-Identifier: MIT
#include "rapport/core/utf8.hpp"

#include <unicode/utf8.h>

#include <cstdint>

#include "rapport/core/error.hpp"

namespace rapport {

std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept {
    const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
    const auto length = static_cast<std::int32_t>(text.size());
    std::int32_t i = 0;
    while (i < length) {
        if (s[i] < 0x80) {
            ++i;
            continue;
        }
        const std::int32_t start = i;
        UChar32 c;
        // ICU's U8_NEXT implements the Unicode "maximal subpart" rules and rejects overlongs,
        // surrogates and values above U+10FFFF by yielding a negative code point.
        U8_NEXT(s, i, length, c);
        if (c < 0) return static_cast<std::size_t>(start);
    }
    return std::nullopt;
}

std::string replace_invalid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
    const auto length = static_cast<std::int32_t>(text.size());
    std::int32_t i = 0;
    while (i < length) {
        const std::int32_t start = i;
        UChar32 c;
        U8_NEXT(s, i, length, c);
        if (c < 0)
            out += "\xEF\xBF\xBD";
        else
            out.append(text.data() + start, static_cast<std::size_t>(i - start));
    }
    return out;
}

std::string check_utf8(std::string text, invalid_utf8_policy policy, std::string_view what) {
    const auto bad = find_invalid_utf8(text);
    if (!bad) return text;
    if (policy == invalid_utf8_policy::replace) return replace_invalid_utf8(text);
    throw invalid_argument(std::string(what) + ": invalid UTF-8", *bad);
}

}  // namespace rapport
