// SPDX-License-Identifier: MIT
// Work counters of query evaluation: how much of the postings an algorithm actually touched, which
// is what pruning saves and what the benchmarks report next to latency.
// Thread safety: a plain value; one per query.
#pragma once

#include <cstdint>

namespace rapport::search {

/// Counts of the work done by one evaluation (or the sum over the segments of one query). Every
/// evaluation function takes an optional `search_stats*` and adds to it; nullptr counts nothing.
struct search_stats {
    std::uint64_t postings_scored = 0;  ///< calls of a cursor's `score()` (one per posting scored)
    std::uint64_t candidates = 0;       ///< passages fully scored and offered to the top-k queue

    search_stats& operator+=(const search_stats& o) noexcept {
        postings_scored += o.postings_scored;
        candidates += o.candidates;
        return *this;
    }
    friend bool operator==(const search_stats&, const search_stats&) = default;
};

}  // namespace rapport::search
