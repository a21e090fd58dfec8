// SPDX-License-Identifier: MIT
// normalize_article: UTF-8 validation under a policy, NFC through ICU's Normalizer2, title trim.
// Thread safety: ICU's NFC instance is a shared immutable singleton; no other state.
#include "rapport/ingest/article.hpp"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/utypes.h>

#include <cstdint>
#include <limits>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include "core/text.hpp"
#include "rapport/core/error.hpp"

namespace rapport::ingest {

namespace {

// ICU's StringPiece and the core UTF-8 checks use 32-bit lengths.
constexpr std::size_t max_field_bytes = static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());

void check_size(const std::string& field, std::string_view what) {
    if (field.size() > max_field_bytes)
        throw invalid_argument(std::string(what) + " is 2 GiB or longer");
}

[[nodiscard]] bool is_ascii(std::string_view s) noexcept {
    for (const char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

// Converts `text` (valid UTF-8) to NFC in place; leaves it untouched when it already is.
void to_nfc(std::string& text, std::string_view what) {
    // ASCII is always in NFC, and most input is ASCII.
    if (is_ascii(text)) return;
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status))
        throw error(std::string("ICU NFC normaliser unavailable: ") + u_errorName(status));
    const icu::StringPiece piece(text.data(), static_cast<std::int32_t>(text.size()));
    if (nfc->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return;
    status = U_ZERO_ERROR;
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    icu::StringByteSink<std::string> sink(&out);
    nfc->normalizeUTF8(0, piece, sink, nullptr, status);
    if (U_FAILURE(status))
        throw error(std::string(what) + ": NFC normalisation failed: " + u_errorName(status));
    text = std::move(out);
}

}  // namespace

article normalize_article(article a, invalid_utf8_policy policy) {
    if (a.id.value.empty()) throw invalid_argument("article id is empty");
    check_size(a.id.value, "article id");
    a.id.value = check_utf8(std::move(a.id.value), policy, "article id");
    // Control characters (tab, newline, ...) would break every line-based output (TREC runs, logs)
    // and have no use in a key. Spaces are allowed (file names have them); TREC output refuses them.
    for (const char c : a.id.value) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) {
            char code[8];
            std::snprintf(code, sizeof code, "0x%02X", u);
            std::string shown;
            for (const char k : a.id.value) shown += static_cast<unsigned char>(k) < 0x20 || k == 0x7F ? '?' : k;
            throw invalid_argument("article id '" + shown + "' holds the control character " + code +
                                   " (tab, newline, ...): ids may not");
        }
    }

    const std::string prefix = "article '" + a.id.value + "' ";
    check_size(a.title, prefix + "title");
    check_size(a.body, prefix + "body");
    a.title = check_utf8(std::move(a.title), policy, prefix + "title");
    a.body = check_utf8(std::move(a.body), policy, prefix + "body");

    to_nfc(a.title, prefix + "title");
    to_nfc(a.body, prefix + "body");

    const std::string_view trimmed = rapport::detail::trim_white_space(a.title);
    if (trimmed.size() != a.title.size()) a.title = std::string(trimmed);
    return a;
}

std::string normalize_text(std::string text, invalid_utf8_policy policy, std::string_view what) {
    check_size(text, what);
    text = check_utf8(std::move(text), policy, std::string(what));
    to_nfc(text, what);
    return text;
}

}  // namespace rapport::ingest
