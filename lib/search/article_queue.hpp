// SPDX-License-Identifier: MIT
// The article-level top-k queue (MaxP) that the evaluation algorithms fill in place of `topk_queue`
// when results are articles. Compile-only (not installed): users reach it through
// `searcher::top_k_articles`.
// Thread safety: none; one queue per query.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "rapport/core/types.hpp"
#include "rapport/search/topk_queue.hpp"

namespace rapport::search::detail {

/// Keeps the k best articles, each scored by its best passage (MaxP: Dai & Callan, "Deeper text
/// understanding for IR with contextual neural language modeling", SIGIR 2019, score a document by
/// its best passage), in one pass over the passages: the same interface as `topk_queue`, so every
/// evaluation algorithm fills either. Passages name their article through the segment's article
/// numbers (`begin_segment`); an article is identified by (segment, article number).
///
/// Order: higher score first, equal scores by lower best-passage docid; an article's best passage
/// is its highest-scoring one, ties by lower docid. `finish()` returns one entry per article: its
/// score and best passage.
///
/// Safety: `threshold()` (the k-th best article's score once k articles are held) only rises. A
/// passage scoring strictly below it can change nothing: its article, if held, already scores
/// higher; if not held, it cannot displace the k-th. So the pruning algorithms stay exact. An
/// article evicted and met again re-enters with a better passage than the one evicted (it must beat
/// the threshold, which exceeded the evicted score), so its best passage is never lost.
class article_topk_queue {
public:
    /// Requires: k ≥ 1 (k = 0 makes every insert a no-op).
    explicit article_topk_queue(std::size_t k) : k_(k) {
        // Inserts then allocate nothing (the algorithms calling them are noexcept): the heap holds
        // at most 2k + 17 entries (`settle`), the map k.
        heap_.reserve(2 * k + 18);
        held_.reserve(k + 1);
    }

    /// Passages offered next are global docids `base + d` of a segment whose passage d belongs to
    /// article `articles[d]`; `segment` tells segments apart. Requires: `articles` outlives the
    /// inserts of this segment.
    void begin_segment(docid_t base, std::span<const std::uint32_t> articles, std::uint32_t segment) noexcept {
        base_ = base;
        articles_ = articles;
        segment_ = std::uint64_t{segment} << 32;
    }

    /// As `topk_queue::threshold`, over articles.
    [[nodiscard]] score_t threshold() const noexcept {
        return held_.size() < k_ || k_ == 0 ? -std::numeric_limits<score_t>::infinity() : heap_.front().entry.score;
    }
    /// Number of articles held (≤ k).
    [[nodiscard]] std::size_t size() const noexcept { return held_.size(); }
    /// The capacity k.
    [[nodiscard]] std::size_t capacity() const noexcept { return k_; }

    /// Offers a passage (global docid); returns true if it changed what is held.
    /// Complexity: O(log k) amortised.
    bool insert(score_t score, docid_t docid) noexcept {
        if (k_ == 0) return false;
        const scored_doc e{score, docid};
        // Full, and not better than the worst held article (the top is always live, see `settle`):
        // it can neither displace an article nor improve a held one, whose entries all rank at or
        // before the top. Most offers end here, before the hash lookup.
        if (held_.size() == k_ && !ranks_before(e, heap_.front().entry)) return false;
        const std::uint64_t article = segment_ | articles_[docid - base_];
        if (const auto it = held_.find(article); it != held_.end()) {
            if (!ranks_before(e, it->second)) return false;
            it->second = e;  // the old heap entry turns stale
            push({e, article});
            settle();
            return true;
        }
        if (held_.size() < k_) {
            held_.emplace(article, e);
            push({e, article});
            return true;
        }
        held_.erase(heap_.front().article);
        pop();
        held_.emplace(article, e);
        push({e, article});
        settle();
        return true;
    }

    /// The articles' (score, best passage), best first, and empties the queue. Complexity: O(k log k).
    [[nodiscard]] std::vector<scored_doc> finish() {
        std::vector<scored_doc> out;
        out.reserve(held_.size());
        for (const auto& [a, e] : held_) out.push_back(e);
        held_.clear();
        heap_.clear();
        std::sort(out.begin(), out.end(), [](const scored_doc& a, const scored_doc& b) { return ranks_before(a, b); });
        return out;
    }

private:
    struct node {
        scored_doc entry;
        std::uint64_t article;
    };
    static bool worse_on_top(const node& a, const node& b) noexcept { return ranks_before(a.entry, b.entry); }
    void push(const node& n) {
        heap_.push_back(n);
        std::push_heap(heap_.begin(), heap_.end(), worse_on_top);
    }
    void pop() {
        std::pop_heap(heap_.begin(), heap_.end(), worse_on_top);
        heap_.pop_back();
    }
    // Drops stale entries (an article's superseded passages) from the top, so that the top is the
    // worst held article; rebuilds the heap when stale entries outnumber live ones.
    void settle() {
        while (!heap_.empty()) {
            const auto it = held_.find(heap_.front().article);
            if (it != held_.end() && it->second == heap_.front().entry) break;
            pop();
        }
        if (heap_.size() > 2 * held_.size() + 16) {
            heap_.clear();
            for (const auto& [a, e] : held_) heap_.push_back({e, a});
            std::make_heap(heap_.begin(), heap_.end(), worse_on_top);
        }
    }

    std::size_t k_;
    docid_t base_ = 0;
    std::span<const std::uint32_t> articles_;
    std::uint64_t segment_ = 0;
    std::vector<node> heap_;  // worst on top; may hold stale entries below the top
    boost::unordered_flat_map<std::uint64_t, scored_doc> held_;
};

}  // namespace rapport::search::detail
