// SPDX-License-Identifier: MIT
// Exhaustive document-at-a-time evaluation of a ranked disjunction (OR) and a ranked conjunction
// (AND). These are the oracles that every pruning algorithm must agree with exactly.
// Thread safety: operate on the caller's cursors and queue only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

#include "rapport/core/types.hpp"
#include "rapport/search/cursor.hpp"
#include "rapport/search/search_stats.hpp"
#include "rapport/search/topk_queue.hpp"

namespace rapport::search {

/// The queue every evaluation algorithm fills (`Queue`): `topk_queue`, or any type with its
/// `threshold()`, `capacity()` and `insert(score, docid)` (true when the threshold may have
/// risen) and its safety rule: an entry scoring strictly below the threshold never changes the
/// result (lib/search's article-level queue is the other one).

/// Accepts every docid: the filter of a segment without deletions.
struct accept_all {
    constexpr bool operator()(docid_t) const noexcept { return true; }
    /// The first accepted docid ≥ d.
    [[nodiscard]] constexpr docid_t next_allowed(docid_t d) const noexcept { return d; }
};

namespace detail {
/// The first docid ≥ d that `accept` may admit: `accept.next_allowed(d)` when the filter can leap
/// (a sparse filter then skips the postings between its passages, as a filter cursor does in
/// Lucene's conjunction), else d.
template <class Accept>
[[nodiscard]] constexpr docid_t next_allowed(const Accept& accept, docid_t d) noexcept {
    if constexpr (requires { accept.next_allowed(d); })
        return accept.next_allowed(d);
    else
        return d;
}
}  // namespace detail

/// Scores every passage that contains at least one query term and that `accept` admits (e.g. not
/// deleted), and offers it to `top` as docid + `base`; adds its work to `*stats` when given.
/// Scores are summed in cursor order, so equal inputs give bit-identical scores.
/// Complexity: O(P · q) for P postings over q cursors.
template <ScoredCursor Cursor, class Queue = topk_queue, class Accept = accept_all>
void ranked_or(std::span<Cursor> cursors, Queue& top, Accept accept = {}, docid_t base = 0,
               search_stats* stats = nullptr) noexcept {
    std::uint64_t scored = 0;
    std::uint64_t candidates = 0;
    docid_t current = end_docid;
    for (const auto& c : cursors) current = std::min(current, c.docid());
    while (current != end_docid) {
        score_t score = 0;
        docid_t next_doc = end_docid;
        const bool live = accept(current);
        if (!live) {
            // Leap to the next passage the filter allows.
            const docid_t to = detail::next_allowed(accept, current + 1);
            for (auto& c : cursors) {
                if (c.docid() < to) c.seek(to);
                next_doc = std::min(next_doc, c.docid());
            }
            current = next_doc;
            continue;
        }
        for (auto& c : cursors) {
            if (c.docid() == current) {
                if (live) {
                    score += c.score();
                    ++scored;
                }
                c.next();
            }
            next_doc = std::min(next_doc, c.docid());
        }
        if (live) {
            top.insert(score, current + base);
            ++candidates;
        }
        current = next_doc;
    }
    if (stats != nullptr) *stats += {scored, candidates};
}

/// Scores every passage that contains all query terms and that `accept` admits, and offers it to
/// `top` as docid + `base`; adds its work to `*stats` when given. Advances by leapfrogging: every
/// cursor seeks to the largest current docid until all agree.
/// Complexity: O(q · |first list| · log) when the first cursor is the rarest term.
template <ScoredCursor Cursor, class Queue = topk_queue, class Accept = accept_all>
void ranked_and(std::span<Cursor> cursors, Queue& top, Accept accept = {}, docid_t base = 0,
                search_stats* stats = nullptr) noexcept {
    if (cursors.empty()) return;
    std::uint64_t candidates = 0;
    // Callers should put the rarest term first: it drives the candidate stream.
    docid_t candidate = cursors.front().docid();
    while (candidate != end_docid) {
        if (const docid_t next = seek_all(cursors, candidate); next != candidate) {
            candidate = next;
            continue;
        }
        if (accept(candidate)) {
            score_t score = 0;
            for (const auto& c : cursors) score += c.score();
            top.insert(score, candidate + base);
            ++candidates;
        }
        cursors.front().next();
        candidate = cursors.front().docid();
    }
    if (stats != nullptr) *stats += {candidates * cursors.size(), candidates};
}

}  // namespace rapport::search
