// SPDX-License-Identifier: MIT
// Compile-only (lib/, never installed): counts a segment's surface words (the words as written,
// case-folded when the index folds case) for its `WORD` dictionary (FORMAT.md §9), when a segment
// is built and when segments are merged.
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "rapport/analysis/token.hpp"
#include "rapport/core/types.hpp"
#include "rapport/index/segment.hpp"

namespace rapport::index::detail {

/// Counts surface words: passages holding each word (df) and its occurrences.
class word_counter {
public:
    /// Words longer than this many bytes are not counted: blobs and URLs are not worth
    /// correcting or expanding to (they stay searchable as terms).
    static constexpr std::size_t max_word_bytes = 64;

    /// `fold`: whether words are NFKC_Casefold-ed before they are counted.
    explicit word_counter(bool fold = true) : fold_(fold) {}

    /// Counts, toward passage `doc`, the word of `text` that each token opening a position spans
    /// (tokens stacked on the same position share its word).
    /// Requires: docids given in ascending order; token offsets within `text` (others are skipped).
    /// Complexity: one hash probe per token; each new spelling is folded once.
    void count(std::string_view text, std::span<const analysis::token> tokens, docid_t doc);

    /// The heap bytes the counter holds (tables, names, slots), allocator overhead included.
    [[nodiscard]] std::size_t memory_usage() const noexcept;

    /// Adds an already counted word (from another segment's dictionary).
    void add(std::string_view word, std::uint32_t df, std::uint64_t occurrences);

    /// The counted words, sorted by word; leaves the counter empty.
    std::vector<surface_word> finish();

private:
    struct hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return boost::hash<std::string_view>{}(s); }
    };
    struct equal {
        using is_transparent = void;
        bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
    };
    struct slot {
        std::uint32_t df = 0;
        std::uint64_t count = 0;
        docid_t last = end_docid;  // the passage last counted, so that df counts passages
    };
    std::uint32_t slot_of(std::string_view folded);

    bool fold_;
    // Each spelling maps to the slot of its folded form: one probe per token.
    boost::unordered_flat_map<std::string, std::uint32_t, hash, equal> spellings_;
    boost::unordered_flat_map<std::string, std::uint32_t, hash, equal> folded_;
    std::vector<std::string> names_;
    std::vector<slot> slots_;
    std::string scratch_;
    std::size_t string_bytes_ = 0;  // heap bytes of the strings in the tables and names_
};

}  // namespace rapport::index::detail
