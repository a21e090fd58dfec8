// SPDX-License-Identifier: MIT
// Count-only evaluation: how many passages match a disjunction (OR) or a conjunction (AND), without
// scoring anything (no frequencies are decoded).
// Thread safety: operates on the caller's cursors only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

#include "rapport/core/types.hpp"
#include "rapport/search/cursor.hpp"
#include "rapport/search/ranked_or.hpp"

namespace rapport::search {

/// Number of passages that contain at least one of the cursors' terms and that `accept` admits.
/// Cursors end exhausted. Complexity: O(P · q) for P postings over q cursors.
template <PostingCursor Cursor, class Accept = accept_all>
[[nodiscard]] std::uint64_t count_or(std::span<Cursor> cursors, Accept accept = {}) noexcept {
    std::uint64_t count = 0;
    docid_t current = end_docid;
    for (const auto& c : cursors) current = std::min(current, c.docid());
    while (current != end_docid) {
        docid_t next_doc = end_docid;
        for (auto& c : cursors) {
            if (c.docid() == current) c.next();
            next_doc = std::min(next_doc, c.docid());
        }
        count += accept(current) ? 1 : 0;
        current = next_doc;
    }
    return count;
}

/// Number of passages that contain every one of the cursors' terms and that `accept` admits
/// (0 without cursors). Leapfrogs as `ranked_and`: put the rarest term first.
/// Complexity: O(q · |first list| · log).
template <PostingCursor Cursor, class Accept = accept_all>
[[nodiscard]] std::uint64_t count_and(std::span<Cursor> cursors, Accept accept = {}) noexcept {
    if (cursors.empty()) return 0;
    std::uint64_t count = 0;
    docid_t candidate = cursors.front().docid();
    while (candidate != end_docid) {
        if (const docid_t next = seek_all(cursors, candidate); next != candidate) {
            candidate = next;
            continue;
        }
        count += accept(candidate) ? 1 : 0;
        cursors.front().next();
        candidate = cursors.front().docid();
    }
    return count;
}

}  // namespace rapport::search
