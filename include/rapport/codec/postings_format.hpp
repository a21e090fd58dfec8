// SPDX-License-Identifier: MIT
// The on-disk postings format of one term, as its reader sees it: docids delta-encoded in blocks
// of 128 and bit-packed, frequencies likewise, positions in their own stream, a varint tail for the
// last partial block, a fixed-width skip table carrying each block's last docid and bounds, and
// (layout 3) the Pareto frontier of (frequency, passage length) pairs of every block and of the
// whole list, from which a query computes exact block-max and list-max scores for any model and
// parameters. `block_postings_cursor` (postings_cursor.hpp) reads what the writer
// (`write_postings`, lib/codec/postings_writer.hpp, compile-only) writes.
// The bytes are specified in FORMAT.md §5 (and only there); the names below follow it.
//
// Thread safety: constants and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "rapport/codec/bitpack.hpp"
#include "rapport/core/varint.hpp"

namespace rapport::codec {


/// The postings layouts of FORMAT.md §5, named by the segment format version that introduced them.
/// Segment versions 1 and 2 use `bounds`: each block is described by its largest frequency and its
/// shortest passage length. Version 3 uses `impacts`, which adds the Pareto frontier of (frequency,
/// length) pairs of every block and of the whole list.
enum class postings_layout : std::uint8_t {
    bounds = 2,   ///< skip entries of 20 bytes; no frontiers
    impacts = 3,  ///< term frontier before the skip table; skip entries of 24 bytes; block frontiers
};

/// The layout a segment file of format `version` holds (1 and 2: `bounds`; 3 and later: `impacts`).
[[nodiscard]] constexpr postings_layout postings_layout_of(std::uint32_t version) noexcept {
    return version >= 3 ? postings_layout::impacts : postings_layout::bounds;
}

/// Bytes of one skip-table entry in `layout`.
[[nodiscard]] constexpr std::size_t skip_entry_bytes(postings_layout layout) noexcept {
    return layout == postings_layout::impacts ? 24 : 20;
}

/// One (frequency, passage length) pair of a postings list: an "impact" in Lucene's terms.
struct impact {
    std::uint32_t tf = 0;      ///< a term frequency
    std::uint32_t length = 0;  ///< a passage length in the term's field
    friend bool operator==(const impact&, const impact&) = default;
};

/// Calls `visit(tf, length)` for every pair of the `frontier` bytes [p, end); when they are empty,
/// once with (`max_tf`, `min_length`), the single pair an empty frontier stands for. Returns false
/// (after visiting the pairs decoded so far and then the single pair, so that a maximum taken over
/// the visits stays a safe bound) when the bytes are malformed: a varint running past `end`, or a
/// pair that overflows 32 bits.
/// Complexity: O(bytes).
template <class Visit>
bool visit_frontier(const char* p, const char* end, std::uint32_t max_tf, std::uint32_t min_length, Visit&& visit) noexcept {
    if (p == end) {
        visit(max_tf, min_length);
        return true;
    }
    std::uint64_t tf = 0;
    std::uint64_t length = 0;
    bool first = true;
    while (p != end) {
        std::uint32_t dt = 0;
        std::uint32_t dl = 0;
        p = get_varint32(p, end, dt);
        if (p != nullptr) p = get_varint32(p, end, dl);
        if (p == nullptr) break;
        tf = first ? dt : tf + dt + 1;
        length = first ? dl : length + dl + 1;
        first = false;
        if (tf > 0xFFFFFFFFu || length > 0xFFFFFFFFu) break;
        visit(static_cast<std::uint32_t>(tf), static_cast<std::uint32_t>(length));
    }
    if (p == end && !first && tf <= 0xFFFFFFFFu && length <= 0xFFFFFFFFu) return true;
    visit(max_tf, min_length);
    return false;
}

/// Number of blocks of a term with `df` postings: ⌈df / 128⌉.
[[nodiscard]] constexpr std::uint64_t postings_block_count(std::uint64_t df) noexcept {
    return (df + block_size - 1) / block_size;
}

}  // namespace rapport::codec
