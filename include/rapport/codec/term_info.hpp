// SPDX-License-Identifier: MIT
// What the term dictionary records for each term of an on-disk segment: its statistics, where its
// postings and positions start, and the bounds that pruning needs. Written by the postings writer,
// stored by the term dictionary, consumed by the postings cursor.
// Thread safety: a plain value.
#pragma once

#include <cstdint>

namespace rapport::codec {

/// Per-term metadata of one segment.
struct term_info {
    std::uint32_t df = 0;                ///< passages containing the term (postings count), ≥ 1
    std::uint64_t total_tf = 0;          ///< sum of the term's frequencies over the segment
    std::uint64_t postings_offset = 0;   ///< byte offset of the term's postings in the postings payload
    std::uint64_t postings_length = 0;   ///< their length in bytes
    std::uint64_t positions_offset = 0;  ///< byte offset of the term's positions in the positions payload
    std::uint64_t positions_length = 0;  ///< their length in bytes
    std::uint32_t max_tf = 0;            ///< largest frequency in any posting (term-level bound)
    std::uint32_t min_length = 0;        ///< smallest passage length among its postings (term-level bound)

    friend bool operator==(const term_info&, const term_info&) = default;
};

}  // namespace rapport::codec
