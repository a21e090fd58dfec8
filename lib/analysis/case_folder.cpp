// SPDX-License-Identifier: MIT
// NFKC_Casefold over UTF-8 with an ASCII shortcut (on ASCII, NFKC_Casefold is exactly
// lowercasing A-Z: no ASCII character has a compatibility mapping or is default-ignorable).
// Thread safety: see case_folder.hpp.
#include "analysis/case_folder.hpp"

#include <unicode/bytestream.h>
#include <unicode/stringpiece.h>

#include <cstdint>
#include <new>

#include "rapport/core/error.hpp"

namespace rapport::analysis::detail {

namespace {

[[noreturn]] void throw_icu(const char* what, UErrorCode status) {
    if (status == U_MEMORY_ALLOCATION_ERROR) throw std::bad_alloc();
    throw error(std::string("analysis: ") + what + ": " + u_errorName(status));
}

bool is_ascii(std::string_view text) noexcept {
    for (const char c : text)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

icu::StringPiece piece(std::string_view text) {
    return {text.data(), static_cast<std::int32_t>(text.size())};
}

}  // namespace

case_folder::case_folder() {
    UErrorCode status = U_ZERO_ERROR;
    normalizer_ = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status) || normalizer_ == nullptr) throw_icu("cannot load NFKC_Casefold data", status);
}

bool case_folder::is_folded(std::string_view text) const {
    if (is_ascii(text)) {
        for (const char c : text)
            if (c >= 'A' && c <= 'Z') return false;
        return true;
    }
    if (text.size() > static_cast<std::size_t>(INT32_MAX)) return false;
    UErrorCode status = U_ZERO_ERROR;
    const bool folded = normalizer_->isNormalizedUTF8(piece(text), status);
    if (U_FAILURE(status)) throw_icu("cannot check case folding", status);
    return folded;
}

void case_folder::fold(std::string_view text, std::string& out) const {
    out.clear();
    if (is_ascii(text)) {
        out.assign(text);
        for (char& c : out)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return;
    }
    if (text.size() > static_cast<std::size_t>(INT32_MAX))
        throw invalid_argument("analysis: term too long to case-fold");
    UErrorCode status = U_ZERO_ERROR;
    icu::StringByteSink<std::string> sink(&out, static_cast<std::int32_t>(text.size()));
    normalizer_->normalizeUTF8(0, piece(text), sink, nullptr, status);
    if (U_FAILURE(status)) throw_icu("cannot case-fold", status);
}

void case_folder::fold_in_place(std::string& text, std::string& scratch) const {
    if (is_ascii(text)) {
        for (char& c : text)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return;
    }
    if (is_folded(text)) return;
    fold(text, scratch);
    text.swap(scratch);
}

}  // namespace rapport::analysis::detail
