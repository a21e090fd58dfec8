// SPDX-License-Identifier: MIT
// The unit that analysis produces and indexing consumes: a term with its position and the
// byte range of its surface form in the analysed text.
// Thread safety: a plain value; safe to share once built.
#pragma once

#include <cstdint>
#include <string>

namespace rapport::analysis {

/// One analysed token.
/// Invariant: `begin < end`, and `text.substr(begin, end - begin)` is the token's surface form in
/// the text that was analysed (the repaired text when invalid UTF-8 was replaced).
struct token {
    /// The term: the raw word from a `tokenizer`, or its folded and stemmed form from an `analyzer`.
    std::string term;
    /// Word position, counted before filtering: a removed token (stopword, too long) leaves a gap.
    /// Several tokens may share a position (terms stacked by a filter, a CJK bigram beside its
    /// first character; see `analyzer::analyze`): positions never decrease along a token vector,
    /// and their byte ranges may overlap.
    std::uint32_t position = 0;
    /// Byte offset of the token's first byte in the original text.
    std::uint32_t begin = 0;
    /// Byte offset one past the token's last byte.
    std::uint32_t end = 0;

    /// Memberwise equality (handy in tests).
    friend bool operator==(const token&, const token&) = default;
};

}  // namespace rapport::analysis
