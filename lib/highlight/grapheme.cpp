// SPDX-License-Identifier: MIT
// Grapheme cluster boundaries (UAX #29 extended grapheme clusters) for snippet edges, through ICU's
// character break iterator over the UTF-8 text in place.
#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <cstdint>
#include <memory>

#include "rapport/core/error.hpp"
#include "rapport/highlight/snippet.hpp"

namespace rapport::highlight {

namespace {

// One character iterator per thread (creating one costs microseconds), pointed at each text anew.
icu::BreakIterator& character_iterator(std::string_view text, UText& ut) {
    thread_local std::unique_ptr<icu::BreakIterator> it = [] {
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<icu::BreakIterator> p(icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
        if (U_FAILURE(status) || !p) throw error(std::string("ICU character break iterator: ") + u_errorName(status));
        return p;
    }();
    UErrorCode status = U_ZERO_ERROR;
    utext_openUTF8(&ut, text.data(), static_cast<std::int64_t>(text.size()), &status);
    it->setText(&ut, status);
    if (U_FAILURE(status)) throw error(std::string("ICU character break iterator: ") + u_errorName(status));
    return *it;
}

}  // namespace

std::size_t grapheme_ceil(std::string_view text, std::size_t pos) {
    if (pos >= text.size()) return text.size();
    if (pos == 0 || text.size() > INT32_MAX) return pos;
    UText ut = UTEXT_INITIALIZER;
    auto& it = character_iterator(text, ut);
    const auto p = static_cast<std::int32_t>(pos);
    std::size_t out = it.isBoundary(p) ? pos : static_cast<std::size_t>(it.following(p));
    if (static_cast<std::int32_t>(out) == icu::BreakIterator::DONE) out = text.size();
    utext_close(&ut);
    return out;
}

std::size_t grapheme_floor(std::string_view text, std::size_t pos) {
    if (pos >= text.size()) return text.size();
    if (pos == 0 || text.size() > INT32_MAX) return pos;
    UText ut = UTEXT_INITIALIZER;
    auto& it = character_iterator(text, ut);
    const auto p = static_cast<std::int32_t>(pos);
    std::size_t out = it.isBoundary(p) ? pos : static_cast<std::size_t>(it.preceding(p));
    if (static_cast<std::int32_t>(out) == icu::BreakIterator::DONE) out = 0;
    utext_close(&ut);
    return out;
}

}  // namespace rapport::highlight
