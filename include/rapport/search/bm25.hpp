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

/// Per-passage length normaliser K(dl) = k1 · (1 − b + b · dl / avgdl), precomputed once per
/// (snapshot, parameters) so that scoring a posting costs one division.
/// Requires: avgdl > 0 (an empty collection has no postings to score).
[[nodiscard]] inline std::vector<double> bm25_length_norms(std::span<const std::uint32_t> lengths, double avgdl,
                                                          const bm25_params& p) {
    std::vector<double> out(lengths.size());
    for (std::size_t i = 0; i < lengths.size(); ++i)
        out[i] = p.k1 * (1.0 - p.b + p.b * static_cast<double>(lengths[i]) / avgdl);
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

/// The largest value `bm25_term_score` can take for a given weight: as tf → ∞ it tends to
/// weight · (k1 + 1). A safe (never too small) upper bound for pruning.
[[nodiscard]] inline score_t bm25_upper_bound(score_t weight, double k1) noexcept { return weight * (k1 + 1.0); }

}  // namespace rapport::search
