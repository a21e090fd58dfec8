// SPDX-License-Identifier: MIT
// Word segmentation: splits UTF-8 text into words with ICU's word break iterator (UAX #29 rules,
// with ICU's dictionary segmentation of Chinese, Japanese, Thai, Lao, Khmer and Burmese).
// The rules are ICU's root-locale rules with one change that makes them conform to UAX #29 as
// published: COLON joins letters again (WB6/WB7), which CLDR's root tailoring turns off.
// Pure-ASCII stretches take a hand-written path that yields exactly ICU's segments, several
// times faster; `set_ascii_fast_path(false)` turns it off.
// Thread safety: a tokenizer holds iterator state and is not thread-safe; copies are
// independent, so use one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "rapport/analysis/token.hpp"
#include "rapport/core/export.hpp"

namespace rapport::analysis {

class analyzer;

/// Splits text into word tokens (UAX #29 word boundaries, ICU implementation).
/// The UTF-8 text is read in place through an ICU UText; it is never converted to UTF-16.
class RAPPORT_API tokenizer {
public:
    /// Creates a tokenizer with the ASCII fast path on.
    /// Throws: `rapport::error` if ICU's word break data cannot be loaded.
    tokenizer();
    /// Releases the ICU iterator.
    ~tokenizer();
    /// Creates an independent tokenizer with the same settings.
    tokenizer(const tokenizer& other);
    /// Replaces this tokenizer's settings with those of `other`.
    tokenizer& operator=(const tokenizer& other);
    /// Takes over `other`'s iterator; `other` stays usable (it rebuilds an iterator on next use).
    tokenizer(tokenizer&& other) noexcept;
    /// Takes over `other`'s iterator; `other` stays usable.
    tokenizer& operator=(tokenizer&& other) noexcept;

    /// Appends the words of `text` to `out`: `term` holds the raw (unfolded) text of the word,
    /// `position` counts words from 0 within this call, `begin`/`end` are byte offsets in `text`.
    /// A word is a UAX #29 segment whose ICU rule status is not UBRK_WORD_NONE (letters,
    /// numbers, kana, ideographs), or a segment holding an emoji (an Extended_Pictographic or
    /// Regional_Indicator code point, or a keycap U+20E3), as Lucene's StandardTokenizer emits.
    /// Requires: `text` is valid UTF-8 (invalid bytes are read as U+FFFD; offsets stay byte offsets).
    /// Throws: `invalid_argument` if `text` is 4 GiB or larger, or if a stretch of text that must
    /// go through ICU exceeds 1 GiB without a line break.
    /// Complexity: linear in `text.size()`.
    void tokenize(std::string_view text, std::vector<token>& out);

    /// Returns every UAX #29 word boundary of `text` as a byte offset, in increasing order,
    /// including 0 and `text.size()` (only `{0}` for empty text). The conformance test checks this.
    /// Requires and Throws: as `tokenize`.
    /// Complexity: linear in `text.size()`.
    [[nodiscard]] std::vector<std::uint32_t> boundaries(std::string_view text);

    /// Turns the ASCII fast path on or off. Results are identical either way (a test checks it);
    /// this exists for tests and benchmarks.
    void set_ascii_fast_path(bool enabled) noexcept;
    /// Whether the ASCII fast path is on.
    [[nodiscard]] bool ascii_fast_path() const noexcept;

private:
    friend class analyzer;
    using word_callback = void (*)(void* context, std::uint32_t begin, std::uint32_t end);
    // Calls `fn(context, begin, end)` for each word of `text`, in order; what `tokenize` and
    // `analyzer` build on, without materialising tokens.
    void for_each_word(std::string_view text, word_callback fn, void* context);

    struct impl;
    std::unique_ptr<impl> impl_;
    bool ascii_fast_path_ = true;
};

}  // namespace rapport::analysis
