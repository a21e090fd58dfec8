// SPDX-License-Identifier: MIT
// Index sorting (schema::sort): the key that orders an article's passages inside a segment, the
// stable order of articles by it, and the reordering of one postings list after its docids were
// renumbered. Shared by the flush (segment_writer::finish) and the merge (segment_merger.cpp).
// Compile-only (lib/, never installed).
// Thread safety: free functions over the caller's values.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rapport/core/types.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/index/segment.hpp"

namespace rapport::index::detail {

/// An article's place under an index sort: its value of the sort field (for a keyword field the
/// smallest value ascending, the largest descending), or none.
struct sort_key {
    bool present = false;
    std::int64_t number = 0;  ///< integer, date, `float_key` of a float
    std::string keyword;
};

/// The key of an article whose values (in schema order; empty: none) are `values`.
/// Requires: `s.sort` set and validated.
[[nodiscard]] sort_key sort_key_of(const schema& s, const field_values& values);

/// The article numbers 0 .. keys.size() − 1 in index-sort order: by key (ascending, or descending
/// when `sort.descending`), articles without a value last, equal keys in their given order.
[[nodiscard]] std::vector<std::uint32_t> sorted_articles(const schema& s, std::span<const sort_key> keys);

/// Restores ascending docids in `list` after they were renumbered, carrying each posting's
/// frequency and positions along. Complexity: O(n log n) for n postings; nothing when already in
/// order.
void sort_postings(postings_list& list);

}  // namespace rapport::index::detail
