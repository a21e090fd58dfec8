// SPDX-License-Identifier: MIT
// The sum of a few scored cursors as one cursor: the union of their postings, each passage scored
// by the sum of the members standing on it. A word searched in several fields (the title and the
// body, summed) is one such cursor per word, so that the evaluation algorithms treat it as one term
// (one clause of MaxScore, block-max WAND and the block-max conjunction) and sum its fields first,
// in member order, exactly as the query tree's disjunction of field clauses does.
// Thread safety: single-threaded, as its members.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "rapport/core/assert.hpp"
#include "rapport/core/types.hpp"
#include "rapport/search/cursor.hpp"

namespace rapport::search {

/// Up to `N` cursors of type `C` as one. `score()` is `0 + s₁ + s₂ …` over the members on the
/// current passage, in the order they were added; `max_score()` and `block_max_score()` are the
/// sums of the members' bounds (safe: rounding is monotone, so a sum of bounds bounds the sum).
/// The shallow block of the sum ends at the first member block end, where every member bound is
/// still valid. `freq()` is the members' summed frequency (no model reads it from a sum).
/// Requires: at least one member before use. Members are held by value.
template <ScoredCursor C, std::size_t N>
class sum_cursor {
public:
    sum_cursor() = default;

    /// Adds `member` (at most `N`), whose list holds `cost` postings; the cursor then stands on the
    /// smallest member docid.
    void add(C member, std::uint64_t cost) noexcept {
        RAPPORT_ASSERT(size_ < N);
        auto& m = members_[size_++].emplace(std::move(member));
        max_score_ += m.max_score();
        cost_ += cost;
        settle();
    }
    /// The number of members.
    [[nodiscard]] std::size_t members() const noexcept { return size_; }
    /// Member `i`. Requires: i < members().
    [[nodiscard]] const C& member(std::size_t i) const noexcept { return *members_[i]; }

    [[nodiscard]] docid_t docid() const noexcept { return doc_; }
    void next() noexcept {
        for (std::size_t i = 0; i < size_; ++i)
            if (members_[i]->docid() == doc_) members_[i]->next();
        settle();
    }
    void seek(docid_t target) noexcept {
        if (target <= doc_) return;
        for (std::size_t i = 0; i < size_; ++i) members_[i]->seek(target);
        settle();
    }
    [[nodiscard]] std::uint32_t freq() const noexcept {
        std::uint32_t f = 0;
        for (std::size_t i = 0; i < size_; ++i)
            if (members_[i]->docid() == doc_) f += members_[i]->freq();
        return f;
    }
    [[nodiscard]] score_t score() const noexcept {
        score_t s = 0;
        for (std::size_t i = 0; i < size_; ++i)
            if (members_[i]->docid() == doc_) s += members_[i]->score();
        return s;
    }
    [[nodiscard]] score_t max_score() const noexcept { return max_score_; }
    /// The members' summed list lengths: what a conjunction orders its clauses by.
    [[nodiscard]] std::uint64_t cost() const noexcept { return cost_; }

    void shallow_seek(docid_t target) noexcept
        requires BlockMaxCursor<C>
    {
        for (std::size_t i = 0; i < size_; ++i) members_[i]->shallow_seek(target);
    }
    [[nodiscard]] docid_t block_last_docid() const noexcept
        requires BlockMaxCursor<C>
    {
        docid_t last = end_docid;
        for (std::size_t i = 0; i < size_; ++i) last = std::min(last, members_[i]->block_last_docid());
        return last;
    }
    [[nodiscard]] score_t block_max_score() const noexcept
        requires BlockMaxCursor<C>
    {
        score_t s = 0;
        for (std::size_t i = 0; i < size_; ++i) s += members_[i]->block_max_score();
        return s;
    }

private:
    void settle() noexcept {
        doc_ = end_docid;
        for (std::size_t i = 0; i < size_; ++i) doc_ = std::min(doc_, members_[i]->docid());
    }

    std::array<std::optional<C>, N> members_{};  // the first size_ are engaged
    std::size_t size_ = 0;
    docid_t doc_ = end_docid;
    score_t max_score_ = 0;
    std::uint64_t cost_ = 0;
};

}  // namespace rapport::search
