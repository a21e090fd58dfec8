// SPDX-License-Identifier: MIT
// Block-max WAND: safe top-k evaluation of a ranked disjunction (Ding & Suel, "Faster top-k
// document retrieval using block-max indexes", SIGIR 2011), after PISA's block_max_wand_query;
// WAND itself is Broder et al., "Efficient query evaluation using a two-level retrieval process",
// CIKM 2003. Also a block-max conjunction (the same block bounds applied to leapfrogging AND).
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
/// Cursors are kept sorted by docid. The pivot is the first cursor at which the list bounds of the
/// cursors up to it reach the threshold: no passage before the pivot's docid can enter (WAND). The
/// pivot passage is then checked against the block-max bounds of those cursors: if they cannot reach
/// the threshold either, the whole range up to the end of the shortest of those blocks is skipped
/// without decoding it; otherwise the lagging cursors seek to the pivot and it is scored. Bounds are
/// compared through `detail::prune_test`, so rounding never prunes a passage that exhaustive
/// evaluation would keep.
///
/// Requires: scores and bounds are non-negative (as those of every `Similarity` are); `top` is
/// shared only with evaluations of other segments (any order). Cursors end in an unspecified position.
/// Complexity: O(P · q) in the worst case (no pruning), usually far less; O(q) scratch, inline for
/// q ≤ 16 (beyond, one allocation; if it fails, exhaustive `ranked_or` runs instead).
template <BlockMaxCursor Cursor, class Queue = topk_queue, class Accept = accept_all>
void block_max_wand(std::span<Cursor> cursors, Queue& top, Accept accept = {}, docid_t base = 0,
                    search_stats* stats = nullptr) noexcept {
    const std::size_t q = cursors.size();
    if (q == 0 || top.capacity() == 0) return;
    detail::scratch_array<Cursor*> order(q);    // cursors by ascending docid
    detail::scratch_array<score_t> scores(q);   // term scores of the candidate, by query position
    detail::scratch_array<score_t> rest(q);     // block bounds of order[i + 1 .. pivot], summed
    if (!order.ok() || !scores.ok() || !rest.ok()) return ranked_or(cursors, top, accept, base, stats);
    for (std::size_t i = 0; i < q; ++i) {
        order[i] = &cursors[i];
        scores[i] = 0;
    }
    const auto by_docid = [](const Cursor* a, const Cursor* b) { return a->docid() < b->docid(); };
    // Insertion sort: after a move only a few cursors are out of place.
    const auto resort = [&] {
        for (std::size_t i = 1; i < q; ++i)
            for (std::size_t j = i; j > 0 && by_docid(order[j], order[j - 1]); --j) std::swap(order[j], order[j - 1]);
    };
    // Restores the order after order[i] moved forward.
    const auto sink = [&](std::size_t i) {
        for (; i + 1 < q && order[i + 1]->docid() < order[i]->docid(); ++i) std::swap(order[i], order[i + 1]);
    };
    resort();

    const detail::prune_test prune(q);
    score_t threshold = top.threshold();
    std::uint64_t scored = 0;
    std::uint64_t candidates = 0;
    // Every passage below `floor` is settled: scored, filtered out, or proved unable to enter.
    docid_t floor = 0;
    while (true) {
        // The pivot: the first position whose list bounds, with those before it, may reach the threshold.
        score_t upper = 0;
        std::size_t pivot = 0;
        for (; pivot < q; ++pivot) {
            if (order[pivot]->docid() == end_docid) {
                pivot = q;
                break;
            }
            upper += order[pivot]->max_score();
            if (!prune.below(upper, threshold)) break;
        }
        if (pivot >= q) break;
        const docid_t pivot_id = order[pivot]->docid();
        if (pivot_id < floor) {
            // In exact arithmetic the pivot never moves back (cursors only advance, the threshold
            // only rises), but sums of the same bounds in another order may round the other way.
            // Every passage below `floor` is settled already, and shallow positions must not be
            // asked to move back: bring the lagging cursors up instead.
            for (std::size_t i = 0; i < q && order[i]->docid() < floor; ++i) order[i]->seek(floor);
            resort();
            continue;
        }
        floor = pivot_id;
        while (pivot + 1 < q && order[pivot + 1]->docid() == pivot_id) ++pivot;

        if (!accept(pivot_id)) {
            // Nothing in [order[0].docid, pivot_id] can enter: before the pivot by WAND's bound, the
            // pivot by the filter; nor anything the filter disallows after it.
            const docid_t to = detail::next_allowed(accept, pivot_id + 1);
            for (std::size_t i = 0; i <= pivot; ++i) order[i]->seek(to);
            resort();
            continue;
        }

        // Block bounds of the cursors up to the pivot, at the pivot (pivot_id never decreases, so the
        // shallow positions only move forward).
        score_t block_upper = 0;
        for (std::size_t i = 0; i <= pivot; ++i) {
            order[i]->shallow_seek(pivot_id);
            block_upper += order[i]->block_max_score();
        }

        if (!prune.below(block_upper, threshold)) {
            if (order[0]->docid() == pivot_id) {
                // Every cursor up to the pivot is on pivot_id: score it, stopping as soon as the
                // block bounds of the terms not scored yet cannot lift it to the threshold.
                score_t sum = 0;
                for (std::size_t i = pivot + 1; i-- > 0;) {
                    sum += order[i]->block_max_score();
                    rest[i] = sum;  // order[i .. pivot]
                }
                score_t partial = 0;
                bool pruned = false;
                for (std::size_t i = 0; i <= pivot; ++i) {
                    const score_t s = order[i]->score();
                    scores[order[i] - cursors.data()] = s;
                    partial += s;
                    ++scored;
                    if (i < pivot && prune.below(partial + rest[i + 1], threshold)) {
                        pruned = true;
                        break;
                    }
                }
                if (!pruned) {
                    ++candidates;
                    if (top.insert(detail::query_order_sum(scores.data(), q), pivot_id + base))
                        threshold = top.threshold();
                }
                for (std::size_t i = 0; i <= pivot; ++i) {
                    scores[order[i] - cursors.data()] = 0;
                    order[i]->next();
                }
                resort();
            } else {
                // Move the last cursor before the pivot's group up to the pivot.
                std::size_t lagging = pivot;
                while (order[lagging]->docid() == pivot_id) --lagging;
                order[lagging]->seek(pivot_id);
                sink(lagging);
            }
        } else {
            // No passage before the end of the shortest block (or before the next cursor's docid)
            // can enter: every term it may hold is one of these cursors', bounded by these blocks.
            docid_t next = end_docid;
            for (std::size_t i = 0; i <= pivot; ++i) next = std::min(next, order[i]->block_last_docid());
            next = next == end_docid ? end_docid : next + 1;
            if (pivot + 1 < q) next = std::min(next, order[pivot + 1]->docid());
            if (next <= pivot_id) next = pivot_id + 1;
            // Advance the cursor with the largest bound: it skips the most.
            std::size_t strongest = pivot;
            for (std::size_t i = 0; i < pivot; ++i)
                if (order[i]->max_score() > order[strongest]->max_score()) strongest = i;
            order[strongest]->seek(next);
            sink(strongest);
        }
    }
    if (stats != nullptr) *stats += {scored, candidates};
}

/// Offers `top` the same passages with the same scores as `ranked_and(cursors, top, accept, base)`
/// wherever the result can differ, but before verifying a candidate, checks the block-max bounds
/// of every term at it: when they sum below the threshold, the candidate and everything up to the
/// end of the shortest of those blocks is skipped without decoding. Scores are summed in `cursors`
/// order, as `ranked_and` does.
/// Requires: as `ranked_and` (the rarest term first drives the candidates); non-negative scores.
/// Complexity: at most that of `ranked_and`, plus O(q) block-bound look-ups per candidate.
template <BlockMaxCursor Cursor, class Queue = topk_queue, class Accept = accept_all>
void block_max_and(std::span<Cursor> cursors, Queue& top, Accept accept = {}, docid_t base = 0,
                   search_stats* stats = nullptr) noexcept {
    const std::size_t q = cursors.size();
    if (q == 0 || top.capacity() == 0) return;
    const detail::prune_test prune(q);
    score_t threshold = top.threshold();
    std::uint64_t candidates = 0;
    docid_t candidate = cursors.front().docid();
    while (candidate != end_docid) {
        if (threshold > 0) {
            // Candidates never decrease, so the shallow positions only move forward.
            score_t block_upper = 0;
            docid_t block_end = end_docid;
            for (auto& c : cursors) {
                c.shallow_seek(candidate);
                block_upper += c.block_max_score();
                block_end = std::min(block_end, c.block_last_docid());
            }
            if (prune.below(block_upper, threshold)) {
                if (block_end == end_docid) break;
                cursors.front().seek(block_end + 1);
                candidate = cursors.front().docid();
                continue;
            }
        }
        if (const docid_t next = seek_all(cursors, candidate); next != candidate) {
            candidate = next;
            continue;
        }
        if (accept(candidate)) {
            score_t score = 0;
            for (const auto& c : cursors) score += c.score();
            ++candidates;
            if (top.insert(score, candidate + base)) threshold = top.threshold();
        }
        cursors.front().next();
        candidate = cursors.front().docid();
    }
    if (stats != nullptr) *stats += {candidates * q, candidates};
}

}  // namespace rapport::search
