// SPDX-License-Identifier: MIT
// BM25 exactly as Lucene's BM25Similarity defines it, with exact passage lengths instead of
// Lucene's lossy one-byte norms (Robertson & Zaragoza, "The Probabilistic Relevance Framework:
// BM25 and Beyond", 2009; Lucene's idf variant, which is never negative).
// Thread safety: value types; safe to share.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "rapport/core/assert.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/types.hpp"

namespace rapport::search {

/// BM25's free parameters. The defaults, k1 = 0.9 and b = 0.4, are Anserini's and PISA's
/// defaults for passage retrieval (Lucene's own are 1.2 and 0.75, tuned for longer documents).
struct bm25_params {
    double k1 = 0.9;  ///< term-frequency saturation, ≥ 0
    double b = 0.4;   ///< length normalisation strength, in [0, 1]

    /// Throws: `invalid_argument` unless k1 ≥ 0 and 0 ≤ b ≤ 1 (and both finite).
    void validate() const {
        if (!(k1 >= 0.0) || !std::isfinite(k1)) throw invalid_argument("bm25: k1 must be a finite number >= 0");
        if (!(b >= 0.0 && b <= 1.0)) throw invalid_argument("bm25: b must lie in [0, 1]");
    }
    friend bool operator==(const bm25_params&, const bm25_params&) = default;
};

/// idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5)), Lucene's form: always > 0 for df ≤ N.
/// Requires: df ≤ N.
[[nodiscard]] inline score_t bm25_idf(std::uint64_t passages, std::uint64_t df) noexcept {
    RAPPORT_ASSERT(df <= passages);
    const double n = static_cast<double>(passages);
    const double d = static_cast<double>(df);
    return std::log(1.0 + (n - d + 0.5) / (d + 0.5));
}

/// The length normaliser K(dl) = k1 · (1 − b + b · dl / avgdl) of one (snapshot, parameters)
/// pair, as a function object. `bm25_length_norms` tabulates it per passage and the block-max
/// bounds of `bm25_cursor` evaluate it at a block's shortest length: both go through this one
/// function, so a bound sees bit for bit the K a posting of that length is scored with.
/// K is non-decreasing in dl in floating point too (every operation rounds monotonically and
/// k1, b, avgdl ≥ 0), so K(min length) ≤ K(dl) for every passage of a block.
struct bm25_length_norm {
    double k1 = 0.0;     ///< BM25's k1 (≥ 0)
    double b = 0.0;      ///< BM25's b (in [0, 1])
    double avgdl = 1.0;  ///< mean passage length of the snapshot (> 0)

    /// The normaliser of `params` for a snapshot with mean passage length `avgdl`.
    [[nodiscard]] static bm25_length_norm of(const bm25_params& params, double avgdl) noexcept {
        return {params.k1, params.b, avgdl};
    }
    /// K(length). The default-constructed normaliser returns 0 for every length, the smallest K any
    /// parameters can give: a trivially safe stand-in when the real parameters are unknown.
    [[nodiscard]] double operator()(std::uint32_t length) const noexcept {
        return k1 * (1.0 - b + b * static_cast<double>(length) / avgdl);
    }
};

/// Per-passage length normaliser K(dl) = k1 · (1 − b + b · dl / avgdl), precomputed once per
/// (snapshot, parameters) so that scoring a posting costs one division.
/// Requires: avgdl > 0 (an empty collection has no postings to score).
[[nodiscard]] inline std::vector<double> bm25_length_norms(std::span<const std::uint32_t> lengths, double avgdl,
                                                          const bm25_params& p) {
    const auto norm = bm25_length_norm::of(p, avgdl);
    std::vector<double> out(lengths.size());
    for (std::size_t i = 0; i < lengths.size(); ++i) out[i] = norm(lengths[i]);
    return out;
}

/// The BM25 contribution of one term occurrence count:
/// weight · tf · (k1 + 1) / (tf + K(dl)), where weight = boost · idf.
/// Lucene 8 and later drop the constant factor (k1 + 1), which changes no ranking; rapport keeps
/// it, as Lucene 4–7, Anserini's older runs and the BM25 literature do.
[[nodiscard]] inline score_t bm25_term_score(score_t weight, double k1, std::uint32_t tf, double norm) noexcept {
    const double t = static_cast<double>(tf);
    return weight * t * (k1 + 1.0) / (t + norm);
}

/// The relative margin by which BM25 bounds exceed the scores they bound (1e-14, about 45 units in
/// the last place). In exact arithmetic w · tf · (k1 + 1) / (tf + K) is non-decreasing in tf, but its
/// floating-point value is not: with k1 = 0 (K = 0) it is w · tf / tf, which rounds to either
/// neighbour of w depending on tf. Each of its four operations is off by at most half an ulp, so a
/// score computed at tf ≤ max_tf exceeds the one computed at max_tf by a factor of at most
/// ((1 + u) / (1 − u))^4 ≈ 1 + 8u, u = 2^-53; the margin covers that with room to spare. In K the
/// computed score is monotone (see `bm25_length_norm`), so lengths need no margin of their own.
inline constexpr double bm25_bound_margin = 1e-14;

/// An upper bound of `bm25_term_score(weight, k1, tf, norm(dl))` over every tf ≤ `max_tf` and every
/// dl whose K is at least `min_norm` (pass `norm(min_length)` of the `bm25_length_norm` that
/// produced the scores): the score at (max_tf, min_norm), raised by `bm25_bound_margin`.
/// Requires: weight ≥ 0, k1 ≥ 0, min_norm ≥ 0.
[[nodiscard]] inline score_t bm25_bound(score_t weight, double k1, std::uint32_t max_tf, double min_norm) noexcept {
    return bm25_term_score(weight, k1, max_tf, min_norm) * (1.0 + bm25_bound_margin);
}

/// The largest value `bm25_term_score` can take for a given weight: as tf → ∞ it tends to
/// weight · (k1 + 1), raised by `bm25_bound_margin` against rounding (with k1 = 0 a computed score
/// can exceed weight · (k1 + 1) by an ulp). A safe (never too small) upper bound for pruning when
/// nothing is known about a list's frequencies and lengths. Requires: weight ≥ 0, k1 ≥ 0.
[[nodiscard]] inline score_t bm25_upper_bound(score_t weight, double k1) noexcept {
    return weight * (k1 + 1.0) * (1.0 + bm25_bound_margin);
}

}  // namespace rapport::search
