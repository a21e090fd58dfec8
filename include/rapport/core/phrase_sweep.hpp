// SPDX-License-Identifier: MIT
// The one sweep that finds sloppy phrase occurrences, shared by scoring (a phrase's frequency,
// search/searcher.hpp) and highlighting (the byte ranges marked, highlight/snippet.hpp), so that
// what is marked is exactly what was scored.
// Thread safety: a pure function.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace rapport::detail {

/// Calls `on_occurrence(spread, at)` for each occurrence of a phrase of n = sizes.size() terms, left
/// to right, where term k has `sizes[k]` candidate tokens in ascending position order, `value(k, i)`
/// being the i-th one's position minus the term's offset in the phrase and `position(k, i)` its
/// position. An occurrence is one token per term, all distinct (a repeated term cannot use one token
/// twice), whose values spread (max − min) by at most `slop` (Lucene's sloppy phrase distance); `at[k]`
/// is the index of term k's token. The sweep takes, at each step, the window of the current tokens;
/// after an occurrence it moves every term past the occurrence's last token, so occurrences share no
/// token. (The "smallest range covering k lists" sweep: advance the term with the smallest value.)
/// Nothing is called when some term has no token. Complexity: O(n · Σ sizes).
template <class Value, class Position, class OnOccurrence>
void for_each_phrase_occurrence(std::span<const std::size_t> sizes, std::uint32_t slop, Value&& value,
                                Position&& position, OnOccurrence&& on_occurrence) {
    const std::size_t n = sizes.size();
    if (n == 0 || std::any_of(sizes.begin(), sizes.end(), [](std::size_t s) { return s == 0; })) return;
    std::vector<std::size_t> at(n, 0);
    for (;;) {
        std::size_t lo = 0;
        std::int64_t lo_v = value(0, at[0]), hi_v = lo_v;
        for (std::size_t k = 1; k < n; ++k) {
            const std::int64_t v = value(k, at[k]);
            if (v < lo_v) {
                lo_v = v;
                lo = k;
            }
            hi_v = std::max(hi_v, v);
        }
        if (hi_v - lo_v <= static_cast<std::int64_t>(slop)) {
            bool distinct = true;
            std::int64_t last = 0;
            for (std::size_t k = 0; k < n && distinct; ++k) {
                const std::int64_t p = position(k, at[k]);
                for (std::size_t j = 0; j < k && distinct; ++j) distinct = position(j, at[j]) != p;
                last = k == 0 ? p : std::max(last, p);
            }
            if (distinct) {
                on_occurrence(hi_v - lo_v, std::span<const std::size_t>(at));
                for (std::size_t k = 0; k < n; ++k) {
                    while (at[k] < sizes[k] && position(k, at[k]) <= last) ++at[k];
                    if (at[k] == sizes[k]) return;
                }
                continue;
            }
        }
        if (++at[lo] == sizes[lo]) return;
    }
}

}  // namespace rapport::detail
