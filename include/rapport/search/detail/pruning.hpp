// SPDX-License-Identifier: MIT
// Internals shared by the safe pruning algorithms (maxscore.hpp, block_max_wand.hpp): scratch
// arrays that never throw, the rounding-proof "cannot enter the top k" test, and the summation of
// term scores in query order that makes pruned scores bit-identical to exhaustive ones.
// Thread safety: plain values; one per evaluation.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <new>

#include "rapport/core/types.hpp"

namespace rapport::search::detail {

/// An array of n trivially copyable values, held inline up to `Inline` and on the heap beyond.
/// Allocation never throws: `ok()` is false when memory is short, and callers then fall back to an
/// algorithm that needs no scratch (exhaustive evaluation), so the hot path stays `noexcept`.
template <class T, std::size_t Inline = 16>
class scratch_array {
public:
    /// Uninitialised storage for `n` values.
    explicit scratch_array(std::size_t n) noexcept {
        if (n > Inline) {
            heap_.reset(new (std::nothrow) T[n]);
            data_ = heap_.get();
        }
    }
    scratch_array(const scratch_array&) = delete;
    scratch_array& operator=(const scratch_array&) = delete;

    /// False when the heap allocation failed.
    [[nodiscard]] bool ok() const noexcept { return data_ != nullptr; }
    [[nodiscard]] T& operator[](std::size_t i) noexcept { return data_[i]; }
    [[nodiscard]] const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    [[nodiscard]] T* data() noexcept { return data_; }

private:
    T inline_[Inline];
    std::unique_ptr<T[]> heap_;
    T* data_ = inline_;
};

/// The pruning test, made safe against rounding. An algorithm bounds a passage's score by a
/// floating-point sum E of at most `terms` non-negative values (known term scores and term bounds,
/// added in any order), while the exhaustive oracle computes the real score S as another sum in
/// query order. Each sum of n non-negative values is within a factor 1 ± γ(n), γ(n) = n·u / (1 − n·u),
/// u = 2^-53, of its exact value (Higham, "Accuracy and Stability of Numerical Algorithms", 2002,
/// §4.2, for any order of summation), and the exact S is at most the exact E, so
/// S ≤ E · (1 + γ) / (1 − γ) ≈ E · (1 + 2n·u). The test raises E by (4n + 8)·ε = (8n + 16)·u, which
/// covers that and the rounding of the product itself, and prunes only when the raised E is strictly
/// below the threshold: then S < threshold and the passage cannot enter, whatever its docid (the
/// queue admits a score equal to its threshold when the docid is lower).
class prune_test {
public:
    /// Requires: the bounds tested sum at most `terms` values.
    explicit prune_test(std::size_t terms) noexcept
        : factor_(1.0 + (4.0 * static_cast<double>(terms) + 8.0) * std::numeric_limits<double>::epsilon()) {}

    /// True when a passage whose score is bounded by `bound` certainly ranks below `threshold`.
    [[nodiscard]] bool below(score_t bound, score_t threshold) const noexcept { return bound * factor_ < threshold; }

private:
    double factor_;
};

/// Sums `scores[0 .. n)` from left to right, starting at 0, where terms absent from the passage hold
/// 0: the same additions, in the same order, as `ranked_or` performs over the matching cursors
/// (adding +0 changes nothing), hence a bit-identical score.
[[nodiscard]] inline score_t query_order_sum(const score_t* scores, std::size_t n) noexcept {
    score_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += scores[i];
    return sum;
}

}  // namespace rapport::search::detail
