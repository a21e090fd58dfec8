// SPDX-License-Identifier: MIT
// MaxScore: safe top-k evaluation of a ranked disjunction that skips the postings of terms too weak
// to lift a passage into the top k on their own (Turtle & Flood, "Query evaluation: strategies and
// optimizations", IP&M 1995), in the document-at-a-time form of PISA's maxscore_query and Lucene's
// MaxScoreBulkScorer, with block-max bounds (Ding & Suel 2011) to skip non-essential terms block by
// block when the cursors provide them (Chakrabarti et al., "Interval-based pruning for top-k
// processing over compressed lists", ICDE 2011, combine the two the same way).
// Thread safety: operates on the caller's cursors and queue only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "rapport/core/types.hpp"
#include "rapport/search/cursor.hpp"
#include "rapport/search/detail/pruning.hpp"
#include "rapport/search/ranked_or.hpp"
#include "rapport/search/search_stats.hpp"
#include "rapport/search/topk_queue.hpp"

namespace rapport::search {

/// Offers `top` the same passages with the same scores as `ranked_or(cursors, top, accept, base)`
/// wherever the result can differ (same final top k, scores bit for bit: each passage's term scores
/// are summed in `cursors` order), but skips passages that provably cannot enter.
///
/// Terms are sorted by `max_score()`; the weakest prefix whose bounds sum below the queue's
/// threshold is "non-essential": a passage holding only those terms cannot enter, so only the other
/// ("essential") cursors propose candidates, and non-essential cursors merely seek to them, and only
/// while the candidate's partial score plus the remaining bounds can still reach the threshold. The
/// prefix grows as the threshold rises. With `BlockMaxCursor`s each candidate is first checked
/// against the block-max bounds of the non-essential terms, which are much tighter than their list
/// bounds. Bounds are compared through `detail::prune_test`, so rounding never prunes a passage that
/// exhaustive evaluation would keep.
///
/// Requires: scores and bounds are non-negative (as those of every `Similarity` are); `top` is
/// shared only with evaluations of other segments (any order). Cursors end in an unspecified position.
/// Complexity: O(P · q) in the worst case (no pruning), usually far less; O(q) scratch, inline for
/// q ≤ 16 (beyond, one allocation; if it fails, exhaustive `ranked_or` runs instead).
template <ScoredCursor Cursor, class Queue = topk_queue, class Accept = accept_all>
void maxscore(std::span<Cursor> cursors, Queue& top, Accept accept = {}, docid_t base = 0,
              search_stats* stats = nullptr) noexcept {
    const std::size_t q = cursors.size();
    if (q == 0 || top.capacity() == 0) return;
    detail::scratch_array<Cursor*> order(q);          // cursors by ascending max_score
    detail::scratch_array<std::size_t> slot(q);       // query position of order[i]
    detail::scratch_array<std::size_t> rank(q);       // position in `order` of query term j
    detail::scratch_array<score_t> bound(q);          // max_score of order[i]
    detail::scratch_array<score_t> prefix(q);         // bound[0] + … + bound[i]
    detail::scratch_array<score_t> rest(q);           // block-max refinement: bounds of order[0 .. i], summed
    detail::scratch_array<score_t> scores(q);         // term scores of the candidate, by query position
    detail::scratch_array<std::size_t> essential(q);  // query positions of the essential terms, ascending
    if (!order.ok() || !slot.ok() || !rank.ok() || !bound.ok() || !prefix.ok() || !rest.ok() || !scores.ok() ||
        !essential.ok())
        return ranked_or(cursors, top, accept, base, stats);

    // A stable insertion sort: q is small, and it allocates nothing.
    for (std::size_t i = 0; i < q; ++i) {
        scores[i] = 0;
        std::size_t j = i;
        for (; j > 0 && cursors[i].max_score() < cursors[slot[j - 1]].max_score(); --j) slot[j] = slot[j - 1];
        slot[j] = i;
    }
    score_t sum = 0;
    for (std::size_t i = 0; i < q; ++i) {
        order[i] = &cursors[slot[i]];
        rank[slot[i]] = i;
        bound[i] = order[i]->max_score();
        sum += bound[i];
        prefix[i] = sum;
    }

    const detail::prune_test prune(q);
    score_t threshold = top.threshold();
    // order[first_essential .. q) are essential: the bounds below them sum to less than the threshold.
    std::size_t first_essential = 0;
    std::size_t essentials = 0;
    const auto update_essential = [&] {
        while (first_essential < q && prune.below(prefix[first_essential], threshold)) ++first_essential;
        essentials = 0;
        for (std::size_t j = 0; j < q; ++j)
            if (rank[j] >= first_essential) essential[essentials++] = j;
    };
    update_essential();
    const auto essential_min = [&] {
        docid_t d = end_docid;
        for (std::size_t e = 0; e < essentials; ++e) d = std::min(d, cursors[essential[e]].docid());
        return d;
    };

    std::uint64_t scored = 0;
    std::uint64_t candidates = 0;
    docid_t current = essential_min();
    while (current != end_docid) {
        docid_t next_doc = end_docid;
        if (!accept(current)) {
            // Non-essential terms are only probed at candidates: the essential ones leap alone.
            const docid_t to = detail::next_allowed(accept, current + 1);
            for (std::size_t e = 0; e < essentials; ++e) {
                Cursor& c = cursors[essential[e]];
                if (c.docid() < to) c.seek(to);
                next_doc = std::min(next_doc, c.docid());
            }
            current = next_doc;
            continue;
        }
        // Essential terms in query order: when no other term turns up, their sum is already the
        // query-order sum that ranked_or computes (absent terms add nothing).
        score_t partial = 0;
        for (std::size_t e = 0; e < essentials; ++e) {
            const std::size_t j = essential[e];
            Cursor& c = cursors[j];
            if (c.docid() == current) {
                const score_t s = c.score();
                scores[j] = s;
                partial += s;
                ++scored;
                c.next();
            }
            next_doc = std::min(next_doc, c.docid());
        }
        const score_t essential_sum = partial;
        bool others = false;  // a non-essential term matched

        bool pruned = false;
        if (first_essential > 0) {
            // Bounds of the non-essential terms still to be looked at: order[0 .. i] sum to remaining[i].
            const score_t* remaining = prefix.data();
            if (prune.below(partial + prefix[first_essential - 1], threshold)) {
                pruned = true;
            } else {
                if constexpr (BlockMaxCursor<Cursor>) {
                    // The blocks holding `current` bound these terms more tightly than their lists
                    // (current never decreases, so the shallow positions only move forward).
                    score_t block_sum = 0;
                    for (std::size_t i = 0; i < first_essential; ++i) {
                        Cursor& c = *order[i];
                        c.shallow_seek(current);
                        block_sum += std::min(c.block_max_score(), bound[i]);
                        rest[i] = block_sum;
                    }
                    remaining = rest.data();
                    pruned = prune.below(partial + block_sum, threshold);
                }
                // Strongest non-essential term first: it is likeliest to settle the candidate.
                for (std::size_t i = first_essential; i-- > 0 && !pruned;) {
                    Cursor& c = *order[i];
                    c.seek(current);
                    if (c.docid() == current) {
                        const score_t s = c.score();
                        scores[slot[i]] = s;
                        partial += s;
                        ++scored;
                        others = true;
                    }
                    if (i > 0 && prune.below(partial + remaining[i - 1], threshold)) pruned = true;
                }
            }
        }
        const score_t score = others ? detail::query_order_sum(scores.data(), q) : essential_sum;
        // Clear what this candidate wrote, before the essential set may change.
        if (others) {
            for (std::size_t j = 0; j < q; ++j) scores[j] = 0;
        } else {
            for (std::size_t e = 0; e < essentials; ++e) scores[essential[e]] = 0;
        }
        if (!pruned) {
            ++candidates;
            if (top.insert(score, current + base)) {
                threshold = top.threshold();
                const std::size_t before = first_essential;
                // Cursors that become non-essential no longer propose candidates.
                update_essential();
                if (first_essential != before) next_doc = essential_min();
            }
        }
        current = next_doc;
    }
    if (stats != nullptr) *stats += {scored, candidates};
}

}  // namespace rapport::search
