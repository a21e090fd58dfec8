// SPDX-License-Identifier: MIT
// The cursor vocabulary as C++20 concepts (after pisa's posting_cursor concepts), and the term
// cursor that scores with a model of the BM25 family, which every evaluation algorithm consumes.
// Thread safety: cursors are single-threaded; many cursors may read one segment concurrently.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <span>
#include <utility>

#include "rapport/core/types.hpp"
#include "rapport/search/bm25.hpp"
#include "rapport/search/similarity.hpp"

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

/// A scored cursor that also bounds its scores block by block, for block-max pruning (Ding & Suel,
/// "Faster top-k document retrieval using block-max indexes", SIGIR 2011). The list is cut into
/// consecutive blocks; a "shallow" position selects one block without decoding it.
/// - `shallow_seek(target)`: moves the shallow position to the block that would contain `target`
///   (the first block whose last docid is ≥ target); never backwards, and `docid()` does not move.
///   The shallow position is never behind the block of `docid()`.
/// - `block_last_docid()`: the last docid of the shallow block, `end_docid` past the last block.
/// - `block_max_score()`: an upper bound of `score()` over every posting of the shallow block
///   (0 past the last block): never below a real score of the block, though it may exceed
///   `max_score()` (both are bounds, computed from different statistics).
///
/// The guarantee pruning relies on: after `shallow_seek(t)`, every posting not yet passed whose
/// docid lies in [t, block_last_docid()] is in the shallow block, so scores at most
/// `block_max_score()`, provided t is at least every earlier `shallow_seek` target (a shallow
/// position moved ahead stays ahead, so a smaller target would get a later block's bound).
/// The algorithms call it with ascending candidates only.
template <class C>
concept BlockMaxCursor = ScoredCursor<C> && requires(C c, const C cc, docid_t target) {
    { c.shallow_seek(target) } noexcept;
    { cc.block_last_docid() } noexcept -> std::same_as<docid_t>;
    { cc.block_max_score() } noexcept -> std::same_as<score_t>;
};

/// A posting cursor that describes its blocks by their largest frequency and shortest passage
/// (`codec::block_postings_cursor`): `shallow_seek` and `block_last_docid` as in `BlockMaxCursor`;
/// `block_max_tf()` is the largest frequency in the shallow block (0 past the last block) and
/// `block_min_length()` its shortest passage length (any value past the last block).
template <class C>
concept BlockStatsCursor = PostingCursor<C> && requires(C c, const C cc, docid_t target) {
    { c.shallow_seek(target) } noexcept;
    { cc.block_last_docid() } noexcept -> std::same_as<docid_t>;
    { cc.block_max_tf() } noexcept -> std::convertible_to<std::uint32_t>;
    { cc.block_min_length() } noexcept -> std::convertible_to<std::uint32_t>;
};

/// A posting cursor that knows its whole list's largest frequency (`term_max_tf()`) and shortest
/// passage length (`term_min_length()`).
template <class C>
concept TermStatsCursor = PostingCursor<C> && requires(const C cc) {
    { cc.term_max_tf() } noexcept -> std::convertible_to<std::uint32_t>;
    { cc.term_min_length() } noexcept -> std::convertible_to<std::uint32_t>;
};

namespace detail {
/// A visitor of (tf, length) pairs, to state `ImpactCursor`.
struct impact_probe {
    void operator()(std::uint32_t, std::uint32_t) const noexcept {}
};
}  // namespace detail

/// A posting cursor that lists the Pareto frontier of (frequency, passage length) pairs of its
/// shallow block (`for_each_block_impact(visit)`) and of its whole list (`for_each_term_impact`),
/// calling `visit(tf, length)` per pair (`codec::block_postings_cursor`, FORMAT.md §5): every posting
/// has a tf at most and a length at least those of some visited pair, so the largest score of any
/// model monotone in both over the visited pairs bounds the block, exactly when the pairs are postings.
template <class C>
concept ImpactCursor = requires(const C cc, detail::impact_probe visit) {
    { cc.for_each_block_impact(visit) } noexcept;
    { cc.for_each_term_impact(visit) } noexcept;
};

/// One leapfrog step of a conjunction: seeks every cursor, in order, to `candidate` and stops at the
/// first one that lands beyond it. Returns `candidate` when every cursor stands on it, otherwise the
/// docid that overshot (`end_docid` once a list is exhausted): the next candidate.
/// Complexity: at most one seek per cursor.
template <PostingCursor Cursor>
[[nodiscard]] docid_t seek_all(std::span<Cursor> cursors, docid_t candidate) noexcept {
    for (auto& c : cursors) {
        c.seek(candidate);
        if (c.docid() != candidate) return c.docid();
    }
    return candidate;
}

/// Scores a posting cursor with a model of the BM25 family (`Model`, Lucene's BM25 by default; see
/// search/bm25.hpp).
/// `max_score()` is the largest `Model::bound` over the list's (tf, length) frontier when the cursor
/// lists it (`ImpactCursor`), else `Model::bound` at the list's (max tf, min length) when the cursor
/// knows them (`TermStatsCursor`), capped by `Model::upper_bound`, which alone serves otherwise. When
/// the cursor describes its blocks (`BlockStatsCursor`), this cursor is a `BlockMaxCursor` whose block
/// bound is the largest `Model::bound` over the block's frontier (or at its (max tf, min length)):
/// since every `Similarity` scores non-decreasingly in tf and non-increasingly in length, it bounds
/// every posting of the block whatever the parameters, idf or avgdl, and with a frontier it is the
/// block's real maximum score (plus `bm25_bound_margin`; FORMAT.md §5).
/// Requires: `norms` (from `length_norms(model, lengths, avgdl)` or `bm25_length_norms`) covers every
/// docid the cursor yields and outlives it; weight ≥ 0.
template <PostingCursor Cursor, Similarity Model = bm25_model>
class bm25_cursor {
public:
    /// `weight` is boost · idf (a query term repeated n times gets boost n, as Lucene's summed
    /// clauses do). `norms` must be `length_norms(model, lengths, avgdl)`: the bounds evaluate
    /// `model.length_norm` at a block's shortest length and so match those scores exactly.
    bm25_cursor(Cursor cursor, score_t weight, const Model& model, double avgdl, std::span<const double> norms) noexcept
        : cursor_(std::move(cursor)), weight_(weight), model_(model), avgdl_(avgdl), lengths_known_(true), norms_(norms) {
        max_score_ = initial_max_score();
    }
    /// As above when the snapshot's avgdl is not known: bounds then assume the smallest possible
    /// normaliser (0), which is safe but looser.
    bm25_cursor(Cursor cursor, score_t weight, const Model& model, std::span<const double> norms) noexcept
        : cursor_(std::move(cursor)), weight_(weight), model_(model), norms_(norms) {
        max_score_ = initial_max_score();
    }
    /// BM25 with the normaliser `norm`: `norms` must be `bm25_length_norms(lengths, norm.avgdl,
    /// {norm.k1, norm.b})`.
    bm25_cursor(Cursor cursor, score_t weight, const bm25_length_norm& norm, std::span<const double> norms) noexcept
        requires std::same_as<Model, bm25_model>
        : bm25_cursor(std::move(cursor), weight, bm25_model{norm.k1, norm.b}, norm.avgdl, norms) {}
    /// BM25 when only k1 is known: bounds then assume the smallest possible normaliser (K = 0).
    bm25_cursor(Cursor cursor, score_t weight, double k1, std::span<const double> norms) noexcept
        requires std::same_as<Model, bm25_model>
        : bm25_cursor(std::move(cursor), weight, bm25_model{k1, 0.0}, norms) {}

    /// `docid()`, `next()`, `seek()` and `freq()` are the base cursor's (see `PostingCursor`).
    [[nodiscard]] docid_t docid() const noexcept { return cursor_.docid(); }
    void next() noexcept { cursor_.next(); }
    void seek(docid_t target) noexcept { cursor_.seek(target); }
    [[nodiscard]] std::uint32_t freq() const noexcept { return cursor_.freq(); }
    /// `Model::score(weight, tf, norm(dl))` for the current posting (for BM25:
    /// weight · tf · (k1 + 1) / (tf + K(dl))). Requires: not exhausted.
    [[nodiscard]] score_t score() const noexcept {
        return model_.score(weight_, static_cast<double>(cursor_.freq()), norms_[cursor_.docid()]);
    }
    /// An upper bound of `score()` over the whole list. Complexity: O(1) (computed on construction).
    [[nodiscard]] score_t max_score() const noexcept { return max_score_; }

    /// Moves the shallow (block metadata) position to the block that would hold `target`.
    /// Complexity: that of the base cursor's `shallow_seek`.
    void shallow_seek(docid_t target) noexcept
        requires BlockStatsCursor<Cursor>
    {
        cursor_.shallow_seek(target);
    }
    /// Last docid of the shallow block (`end_docid` past the last block). Complexity: O(1).
    [[nodiscard]] docid_t block_last_docid() const noexcept
        requires BlockStatsCursor<Cursor>
    {
        return cursor_.block_last_docid();
    }
    /// An upper bound of `score()` over the shallow block; 0 past the last block.
    /// Complexity: O(1); one score evaluation the first time a block is asked about, then cached.
    [[nodiscard]] score_t block_max_score() const noexcept
        requires BlockStatsCursor<Cursor>
    {
        const docid_t last = cursor_.block_last_docid();
        if (last != bound_block_) {
            // Block last docids strictly ascend, so they identify blocks; end_docid (past the end)
            // starts cached with bound 0.
            bound_block_ = last;
            if constexpr (ImpactCursor<Cursor>) {
                score_t m = 0;
                cursor_.for_each_block_impact([&](std::uint32_t tf, std::uint32_t length) noexcept {
                    if (tf != 0) m = std::max(m, model_.bound(weight_, tf, min_norm(length)));
                });
                bound_ = m;
            } else {
                const std::uint32_t max_tf = cursor_.block_max_tf();
                bound_ = max_tf == 0 ? 0.0 : model_.bound(weight_, max_tf, min_norm(cursor_.block_min_length()));
            }
        }
        return bound_;
    }

    /// The underlying posting cursor (for positions).
    [[nodiscard]] const Cursor& base() const noexcept { return cursor_; }
    /// The scoring model.
    [[nodiscard]] const Model& model() const noexcept { return model_; }

private:
    // The normaliser of a passage of `length` tokens, or 0 (the smallest any model gives) when the
    // snapshot's avgdl is unknown. The same function as the one `norms` was tabulated with, so a
    // bound sees bit for bit the normaliser its shortest passage is scored with.
    [[nodiscard]] double min_norm(std::uint32_t length) const noexcept {
        return lengths_known_ ? model_.length_norm(length, avgdl_) : 0.0;
    }

    [[nodiscard]] score_t initial_max_score() const noexcept {
        if constexpr (ImpactCursor<Cursor>) {
            score_t m = 0;
            bool any = false;
            cursor_.for_each_term_impact([&](std::uint32_t tf, std::uint32_t length) noexcept {
                if (tf == 0) return;
                any = true;
                m = std::max(m, model_.bound(weight_, tf, min_norm(length)));
            });
            // As below: the frontier gives the tighter bound except when the normaliser is unknown.
            if (any) return std::min(m, model_.upper_bound(weight_));
            if (cursor_.docid() == end_docid) return 0.0;
            return model_.upper_bound(weight_);
        } else if constexpr (TermStatsCursor<Cursor>) {
            const std::uint32_t max_tf = cursor_.term_max_tf();
            // Both are bounds. The list's statistics give the tighter one, except when the
            // normaliser is unknown (0), where rounding may put it an ulp above the generic one.
            if (max_tf != 0)
                return std::min(model_.bound(weight_, max_tf, min_norm(cursor_.term_min_length())),
                                model_.upper_bound(weight_));
            // max_tf = 0: a list without postings scores nothing; otherwise the statistics are
            // missing, and the generic bound serves.
            if (cursor_.docid() == end_docid) return 0.0;
        }
        return model_.upper_bound(weight_);
    }

    Cursor cursor_;
    score_t weight_;
    Model model_;
    double avgdl_ = 1.0;
    bool lengths_known_ = false;
    std::span<const double> norms_;
    score_t max_score_ = 0;
    mutable docid_t bound_block_ = end_docid;
    mutable score_t bound_ = 0;
};

}  // namespace rapport::search
