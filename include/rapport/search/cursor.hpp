// SPDX-License-Identifier: MIT
// The cursor vocabulary as C++20 concepts (after pisa's posting_cursor concepts), and the BM25
// term cursor that every evaluation algorithm consumes.
// Thread safety: cursors are single-threaded; many cursors may read one segment concurrently.
#pragma once

#include <concepts>
#include <cstdint>
#include <span>

#include "rapport/core/types.hpp"
#include "rapport/search/bm25.hpp"

namespace rapport::search {

/// A forward iterator over a postings list in ascending docid order.
/// - `docid()`: the current docid, or `end_docid` once exhausted; valid right after construction.
/// - `next()`: advances by one posting. Requires: not exhausted.
/// - `seek(target)`: advances to the first posting with docid ≥ target; a target at or below the
///   current docid leaves the cursor where it is (cursors never move backwards).
/// - `freq()`: the term frequency of the current posting. Requires: not exhausted.
template <class C>
concept PostingCursor = requires(C c, const C cc, docid_t target) {
    { cc.docid() } noexcept -> std::same_as<docid_t>;
    { c.next() } noexcept;
    { c.seek(target) } noexcept;
    { cc.freq() } noexcept -> std::convertible_to<std::uint32_t>;
};

/// A posting cursor that scores its current posting.
/// - `score()`: this term's contribution to the current passage's score. Requires: not exhausted.
/// - `max_score()`: an upper bound of `score()` over the whole list (never too small), for pruning.
template <class C>
concept ScoredCursor = PostingCursor<C> && requires(const C cc) {
    { cc.score() } noexcept -> std::same_as<score_t>;
    { cc.max_score() } noexcept -> std::same_as<score_t>;
};

/// Scores a posting cursor with BM25.
/// Requires: `norms` (from `bm25_length_norms`) covers every docid the cursor yields and outlives it.
template <PostingCursor Cursor>
class bm25_cursor {
public:
    /// `weight` is boost · idf (a query term repeated n times gets boost n, as Lucene's summed clauses do).
    bm25_cursor(Cursor cursor, score_t weight, double k1, std::span<const double> norms) noexcept
        : cursor_(std::move(cursor)), weight_(weight), k1_(k1), norms_(norms) {}

    [[nodiscard]] docid_t docid() const noexcept { return cursor_.docid(); }
    void next() noexcept { cursor_.next(); }
    void seek(docid_t target) noexcept { cursor_.seek(target); }
    [[nodiscard]] std::uint32_t freq() const noexcept { return cursor_.freq(); }
    [[nodiscard]] score_t score() const noexcept {
        return bm25_term_score(weight_, k1_, cursor_.freq(), norms_[cursor_.docid()]);
    }
    [[nodiscard]] score_t max_score() const noexcept { return bm25_upper_bound(weight_, k1_); }
    /// The underlying posting cursor (for positions).
    [[nodiscard]] const Cursor& base() const noexcept { return cursor_; }

private:
    Cursor cursor_;
    score_t weight_;
    double k1_;
    std::span<const double> norms_;
};

}  // namespace rapport::search
