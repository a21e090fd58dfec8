// SPDX-License-Identifier: MIT
// Splits an article body into passages, the unit rapport indexes and ranks: paragraphs, split
// on ICU sentence boundaries into windows when too long, with short pieces merged.
// Thread safety: `split_passages` may be called from any number of threads at once; it keeps
// its ICU break iterators in thread_local storage and shares nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "rapport/core/export.hpp"

namespace rapport::ingest {

/// Where paragraphs end.
enum class paragraph_break {
    line,        ///< every line break ends a paragraph (text with one paragraph per line)
    blank_line,  ///< only lines holding nothing but whitespace do (hard-wrapped text)
};

/// How `split_passages` cuts a body. Sizes are in bytes of UTF-8.
struct passage_options {
    /// Longest passage. A longer paragraph is split on ICU sentence boundaries into windows of
    /// whole sentences; a single sentence longer than this is cut at whitespace, else at a word
    /// boundary, else at a code point boundary, never inside a UTF-8 sequence.
    std::size_t max_bytes = 1000;
    /// Shortest passage wanted. A shorter fragment (a heading, a short paragraph, the tail of a
    /// split paragraph) is merged with the next fragment, or with the previous one when it is
    /// the last or the next would not fit, as long as the merged range stays within `max_bytes`;
    /// when neither fits it stays short. A short fragment just before a paragraph longer than
    /// `max_bytes` opens that paragraph's first window instead. 0 disables merging.
    std::size_t min_bytes = 150;
    /// How many trailing sentences of a window the next window of the same paragraph repeats
    /// (at most this many: never the whole previous window, and only as many as fit).
    std::size_t overlap_sentences = 0;
    /// What ends a paragraph.
    paragraph_break paragraphs = paragraph_break::line;
};

/// One passage: a byte range [begin, end) of the body.
struct passage_range {
    std::uint32_t ordinal;  ///< position among the article's passages: 0, 1, 2, ...
    std::uint32_t begin;    ///< first byte, never whitespace
    std::uint32_t end;      ///< one past the last byte, which is never whitespace
};

/// Splits `body` into passages, in order of their first byte.
///
/// Line breaks are LF, CR, CRLF, VT, FF, U+0085, U+2028 and U+2029 (U+2029 ends a paragraph
/// under both `paragraph_break` modes). Each paragraph is trimmed of Unicode White_Space; a
/// paragraph of at most `max_bytes` is one fragment, a longer one is split into windows (see
/// `passage_options`), and short fragments are merged, so a passage may span several
/// paragraphs. Every passage is at most `max_bytes` long, except when `max_bytes` is smaller
/// than a single code point (1 to 3 bytes), which is never split. With `overlap_sentences == 0`
/// the passages do not overlap and together cover every non-whitespace byte of the body.
/// Whitespace-only or empty text yields no passages.
///
/// Requires: `body` is valid UTF-8 (as `normalize_article` leaves it); invalid bytes never cause
/// undefined behaviour but may be cut.
/// Throws: `invalid_argument` if `max_bytes == 0`, if `min_bytes > max_bytes`, or if the body is
/// 4 GiB or longer (offsets are 32-bit); `rapport::error` if ICU cannot create a break iterator.
/// Complexity: linear in the size of the body (times `overlap_sentences + 1` for split paragraphs).
[[nodiscard]] RAPPORT_API std::vector<passage_range> split_passages(std::string_view body,
                                                                    const passage_options& options = {});

}  // namespace rapport::ingest
