// SPDX-License-Identifier: MIT
#include "rapport/core/utf8.hpp"

#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>

#include "rapport/core/error.hpp"

namespace rapport {

namespace {
// Decodes the sequence at `pos` (a lead byte ≥ 0x80) and returns its length, or 0 when it is
// invalid. ICU's U8_NEXT implements the Unicode "maximal subpart" rules and rejects overlongs,
// surrogates and values above U+10FFFF; it takes int32_t indexes, so it sees at most the next
// 4 bytes (the longest sequence), which keeps texts of any size correct.
std::size_t decode_at(std::string_view text, std::size_t pos, std::size_t& consumed) noexcept {
    const auto* s = reinterpret_cast<const std::uint8_t*>(text.data() + pos);
    const auto length = static_cast<std::int32_t>(std::min<std::size_t>(4, text.size() - pos));
    std::int32_t i = 0;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    consumed = static_cast<std::size_t>(i);
    return c < 0 ? 0 : consumed;
}
}  // namespace

std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept {
    std::size_t i = 0;
    while (i < text.size()) {
        if (static_cast<unsigned char>(text[i]) < 0x80) {
            ++i;
            continue;
        }
        std::size_t consumed = 0;
        if (decode_at(text, i, consumed) == 0) return i;
        i += consumed;
    }
    return std::nullopt;
}

std::string replace_invalid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (static_cast<unsigned char>(text[i]) < 0x80) {
            out.push_back(text[i++]);
            continue;
        }
        std::size_t consumed = 0;
        if (decode_at(text, i, consumed) == 0)
            out += "\xEF\xBF\xBD";  // U+FFFD for the maximal invalid subsequence
        else
            out.append(text.substr(i, consumed));
        i += consumed;
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
