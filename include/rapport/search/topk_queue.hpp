// SPDX-License-Identifier: MIT
// A bounded, threshold-aware top-k queue (as pisa's topk_queue): keeps the k best (score, docid)
// pairs and exposes the current entry threshold so that pruning algorithms can skip documents
// that cannot enter. Order: higher score first; equal scores by lower docid, so results are
// deterministic whatever the evaluation order.
// Thread safety: none; one queue per query.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

#include "rapport/core/types.hpp"

namespace rapport::search {

/// One ranked entry.
struct scored_doc {
    score_t score;
    docid_t docid;

    /// True when `a` ranks before `b`: higher score, then lower docid.
    [[nodiscard]] friend constexpr bool ranks_before(const scored_doc& a, const scored_doc& b) noexcept {
        return a.score > b.score || (a.score == b.score && a.docid < b.docid);
    }
    friend bool operator==(const scored_doc&, const scored_doc&) = default;
};

/// Keeps the k best entries seen.
///
/// Safety: `threshold()` only rises. An entry whose score is strictly below the threshold can
/// never enter, so pruning algorithms may skip any document whose upper bound is below it.
/// An entry whose score equals the threshold may still enter if its docid is lower than the
/// worst entry's; algorithms that visit docids in ascending order never meet that case within
/// one segment, so for them `would_enter(s)` ⇔ s > threshold().
class topk_queue {
public:
    /// Requires: k ≥ 1 (k = 0 makes every insert a no-op).
    explicit topk_queue(std::size_t k) : k_(k) { heap_.reserve(k + 1); }

    /// The score an entry must beat to enter: the k-th best score once k entries are held,
    /// −∞ before that.
    [[nodiscard]] score_t threshold() const noexcept {
        return heap_.size() < k_ || k_ == 0 ? -std::numeric_limits<score_t>::infinity() : heap_.front().score;
    }
    /// True when an entry with this score (and a docid above all held ones) would enter.
    [[nodiscard]] bool would_enter(score_t score) const noexcept {
        return k_ != 0 && (heap_.size() < k_ || score > heap_.front().score);
    }
    /// Offers an entry; returns true if it was kept. Complexity: O(log k).
    bool insert(score_t score, docid_t docid) noexcept {
        if (k_ == 0) return false;
        const scored_doc e{score, docid};
        if (heap_.size() < k_) {
            heap_.push_back(e);
            std::push_heap(heap_.begin(), heap_.end(), worse_on_top);
            return true;
        }
        if (!ranks_before(e, heap_.front())) return false;
        std::pop_heap(heap_.begin(), heap_.end(), worse_on_top);
        heap_.back() = e;
        std::push_heap(heap_.begin(), heap_.end(), worse_on_top);
        return true;
    }
    /// Number of entries held (≤ k).
    [[nodiscard]] std::size_t size() const noexcept { return heap_.size(); }
    /// The capacity k.
    [[nodiscard]] std::size_t capacity() const noexcept { return k_; }
    /// Returns the entries best first and empties the queue. Complexity: O(k log k).
    [[nodiscard]] std::vector<scored_doc> finish() {
        std::vector<scored_doc> out = std::move(heap_);
        heap_.clear();
        std::sort(out.begin(), out.end(), [](const scored_doc& a, const scored_doc& b) { return ranks_before(a, b); });
        return out;
    }

private:
    // Heap comparator: the worst-ranked entry sits at the front.
    static bool worse_on_top(const scored_doc& a, const scored_doc& b) noexcept { return ranks_before(a, b); }

    std::size_t k_;
    std::vector<scored_doc> heap_;
};

}  // namespace rapport::search
