// SPDX-License-Identifier: MIT
#include "rapport/core/utf8.hpp"

#include <cstdint>
#include <cstring>

#include "core/text.hpp"
#include "rapport/core/error.hpp"

namespace rapport {

std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept {
    std::size_t i = 0;
    while (i < text.size()) {
        // Eight ASCII bytes at a time: most text is mostly ASCII (a byte at a time, this check was
        // 3.7 % of the instructions of indexing the Wikipedia passages).
        if (i + 8 <= text.size()) {
            std::uint64_t w;
            std::memcpy(&w, text.data() + i, 8);
            if ((w & 0x8080808080808080u) == 0) {
                i += 8;
                continue;
            }
        }
        if (static_cast<unsigned char>(text[i]) < 0x80) {
            ++i;
            continue;
        }
        const auto d = detail::decode_utf8(text, i);
        if (!d.valid) return i;
        i += d.length;
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
        const auto d = detail::decode_utf8(text, i);
        if (!d.valid)
            out += "\xEF\xBF\xBD";  // U+FFFD for the maximal invalid subsequence
        else
            out.append(text.substr(i, d.length));
        i += d.length;
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
