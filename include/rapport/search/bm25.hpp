// SPDX-License-Identifier: MIT
// The BM25 family of scoring models, selectable per query:
// - BM25 exactly as Lucene's BM25Similarity defines it, with exact passage lengths instead of
//   Lucene's lossy one-byte norms (Robertson & Zaragoza, "The Probabilistic Relevance Framework:
//   BM25 and Beyond", 2009; Lucene's idf variant, which is never negative). The default.
// - BM25+ (Lv & Zhai, "Lower-bounding term frequency normalization", CIKM 2011): a term that occurs
//   gains at least δ · idf, however long the passage, which BM25 lets tend to 0.
// - BM25L (Lv & Zhai, "When documents are very long, BM25 fails!", ICTIR 2011): the length-normalised
//   frequency c = tf / (1 − b + b · dl / avgdl) is shifted by δ before saturation.
// BM25+'s and BM25L's idfs are those of Trotman, Puurula & Burgess, "Improvements to BM25 and
// Language Models Examined" (ADCS 2014). Each model satisfies `Similarity` (search/similarity.hpp).
// Thread safety: value types and pure functions; safe to share.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "rapport/core/assert.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/types.hpp"
#include "rapport/search/similarity.hpp"

namespace rapport::search {

/// Which model of the BM25 family scores a query (see `bm25_params::model`).
enum class scoring_model : std::uint8_t {
    bm25,       ///< Lucene's BM25 (`bm25_model`), the default
    bm25_plus,  ///< BM25+ (`bm25_plus_model`), Lv & Zhai, CIKM 2011
    bm25l,      ///< BM25L (`bm25l_model`), Lv & Zhai, ICTIR 2011
};

/// The model's name as the command line spells it: "bm25", "bm25+" or "bm25l".
[[nodiscard]] constexpr std::string_view scoring_model_name(scoring_model m) noexcept {
    switch (m) {
        case scoring_model::bm25_plus: return "bm25+";
        case scoring_model::bm25l: return "bm25l";
        case scoring_model::bm25: break;
    }
    return "bm25";
}

/// The model named `name` ("bm25", "bm25+" or "bm25l", as `scoring_model_name` spells them);
/// nothing for any other string.
[[nodiscard]] constexpr std::optional<scoring_model> parse_scoring_model(std::string_view name) noexcept {
    for (const auto m : {scoring_model::bm25, scoring_model::bm25_plus, scoring_model::bm25l})
        if (name == scoring_model_name(m)) return m;
    return std::nullopt;
}

/// The free parameters of the BM25 family, and the model they parameterise. The defaults, k1 = 0.9
/// and b = 0.4, are Anserini's and PISA's defaults for passage retrieval (Lucene's own are 1.2 and
/// 0.75, tuned for longer documents); the default model is Lucene's BM25.
struct bm25_params {
    double k1 = 0.9;  ///< term-frequency saturation, ≥ 0
    double b = 0.4;   ///< length normalisation strength, in [0, 1]
    scoring_model model = scoring_model::bm25;  ///< which formula scores
    /// BM25+'s and BM25L's δ, ≥ 0; unset, the model's default (1.0 for BM25+, 0.5 for BM25L, the
    /// papers' recommendations). BM25 ignores it.
    std::optional<double> delta{};

    /// Throws: `invalid_argument` unless k1 ≥ 0 and 0 ≤ b ≤ 1 (and both finite), `model` is one of
    /// the enumerators and δ, when set, is finite and ≥ 0.
    void validate() const {
        // Bounded so that no score can overflow (with boosts up to query::max_boost and field
        // weights up to 1e6): Lucene's k1 stays below 3 in practice.
        if (!(k1 >= 0.0 && k1 <= 1e6)) throw invalid_argument("bm25: k1 must lie in [0, 1e6]");
        if (!(b >= 0.0 && b <= 1.0)) throw invalid_argument("bm25: b must lie in [0, 1]");
        if (model != scoring_model::bm25 && model != scoring_model::bm25_plus && model != scoring_model::bm25l)
            throw invalid_argument("bm25: unknown scoring model");
        if (delta && !(*delta >= 0.0 && *delta <= 1e6)) throw invalid_argument("bm25: delta must lie in [0, 1e6]");
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

/// The length normaliser K(dl) = k1 · (1 − b + b · dl / avgdl) of BM25 and BM25+ for one (snapshot,
/// parameters) pair, as a function object. `bm25_length_norms` tabulates it per passage and the
/// block-max bounds of `bm25_cursor` evaluate it at a block's shortest length: both go through this
/// one function, so a bound sees bit for bit the K a posting of that length is scored with.
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

/// The relative margin by which the bounds of every model exceed the scores they bound (1e-14, about
/// 45 units in the last place). In exact arithmetic w · tf · (k1 + 1) / (tf + K) is non-decreasing
/// in tf, but its floating-point value is not: with k1 = 0 (K = 0) it is w · tf / tf, which rounds to
/// either neighbour of w depending on tf. Each of its four operations is off by at most half an ulp,
/// so a score computed at tf ≤ max_tf exceeds the one computed at max_tf by a factor of at most
/// ((1 + u) / (1 − u))^4 ≈ 1 + 8u, u = 2^-53; the margin covers that with room to spare. In K the
/// computed BM25 score is monotone (see `bm25_length_norm`), so lengths need no margin of their own.
/// BM25+ adds two operations and BM25L's form has eight, all on non-negative values, so their
/// computed scores are within a factor 1 ± 10u of the exact ones, which are monotone in both tf and
/// the normaliser: the score at (tf, norm) exceeds the one at (max_tf, min_norm) by a factor of at most
/// about 1 + 20u ≈ 1 + 2.2e-15, still well inside the margin.
inline constexpr double bm25_bound_margin = 1e-14;

/// Lucene's BM25 as a `Similarity`: idf = ln(1 + (N − df + 0.5) / (df + 0.5)),
/// norm = K(dl) = k1 · (1 − b + b · dl / avgdl), score = weight · tf · (k1 + 1) / (tf + K).
/// Lucene 8 and later drop the constant factor (k1 + 1), which changes no ranking; rapport keeps
/// it, as Lucene 4–7, Anserini's older runs and the BM25 literature do. With k1 = 0 every passage
/// holding the term scores the weight (K = 0: tf / tf); with b = 0 length is ignored (K = k1).
struct bm25_model {
    double k1 = 0.9;  ///< ≥ 0
    double b = 0.4;   ///< in [0, 1]

    /// The model of `p` (its k1 and b). Requires: `p` valid.
    [[nodiscard]] static bm25_model of(const bm25_params& p) noexcept { return {p.k1, p.b}; }
    /// ln(1 + (N − df + 0.5) / (df + 0.5)) (`bm25_idf`). Requires: df ≤ N.
    [[nodiscard]] score_t idf(std::uint64_t passages, std::uint64_t df) const noexcept { return bm25_idf(passages, df); }
    /// K(dl) (`bm25_length_norm`). Requires: avgdl > 0.
    [[nodiscard]] double length_norm(double length, double avgdl) const noexcept {
        return k1 * (1.0 - b + b * length / avgdl);  // bm25_length_norm's expression, for BM25F's real lengths too
    }
    /// weight · tf · (k1 + 1) / (tf + K). Requires: tf > 0 (or K > 0), weight ≥ 0.
    [[nodiscard]] score_t score(score_t weight, double tf, double norm) const noexcept {
        return weight * tf * (k1 + 1.0) / (tf + norm);
    }
    /// The score at (max_tf, min_norm) raised by `bm25_bound_margin`.
    [[nodiscard]] score_t bound(score_t weight, std::uint32_t max_tf, double min_norm) const noexcept {
        return score(weight, static_cast<double>(max_tf), min_norm) * (1.0 + bm25_bound_margin);
    }
    /// weight · (k1 + 1), the limit as tf → ∞, raised by `bm25_bound_margin` (with k1 = 0 a computed
    /// score can exceed weight · (k1 + 1) by an ulp).
    [[nodiscard]] score_t upper_bound(score_t weight) const noexcept {
        return weight * (k1 + 1.0) * (1.0 + bm25_bound_margin);
    }
};

/// The BM25 contribution of one term occurrence count:
/// weight · tf · (k1 + 1) / (tf + K(dl)), where weight = boost · idf (`bm25_model::score`).
[[nodiscard]] inline score_t bm25_term_score(score_t weight, double k1, std::uint32_t tf, double norm) noexcept {
    return bm25_model{k1, 0.0}.score(weight, static_cast<double>(tf), norm);
}

/// An upper bound of `bm25_term_score(weight, k1, tf, norm(dl))` over every tf ≤ `max_tf` and every
/// dl whose K is at least `min_norm` (pass `norm(min_length)` of the `bm25_length_norm` that
/// produced the scores): the score at (max_tf, min_norm), raised by `bm25_bound_margin`.
/// Requires: weight ≥ 0, k1 ≥ 0, min_norm ≥ 0.
[[nodiscard]] inline score_t bm25_bound(score_t weight, double k1, std::uint32_t max_tf, double min_norm) noexcept {
    return bm25_model{k1, 0.0}.bound(weight, max_tf, min_norm);
}

/// The largest value `bm25_term_score` can take for a given weight: as tf → ∞ it tends to
/// weight · (k1 + 1), raised by `bm25_bound_margin` against rounding. A safe (never too small) upper
/// bound for pruning when nothing is known about a list's frequencies and lengths.
/// Requires: weight ≥ 0, k1 ≥ 0.
[[nodiscard]] inline score_t bm25_upper_bound(score_t weight, double k1) noexcept {
    return bm25_model{k1, 0.0}.upper_bound(weight);
}

/// BM25+ (Lv & Zhai, CIKM 2011) as a `Similarity`: BM25's saturation plus δ for every term present,
/// score = weight · (tf · (k1 + 1) / (tf + K(dl)) + δ), norm = K(dl) as BM25's, and Trotman et al.'s
/// idf = ln((N + 1) / df) (ADCS 2014). The lower bound δ · weight keeps very long passages from
/// scoring a matched term like an absent one. With k1 = 0 a present term scores weight · (1 + δ).
struct bm25_plus_model {
    double k1 = 0.9;     ///< ≥ 0
    double b = 0.4;      ///< in [0, 1]
    double delta = 1.0;  ///< ≥ 0 (δ = 0 is BM25 with this idf)

    static constexpr double default_delta = 1.0;  ///< Lv & Zhai's recommendation

    /// The model of `p` (δ defaults to `default_delta`). Requires: `p` valid.
    [[nodiscard]] static bm25_plus_model of(const bm25_params& p) noexcept {
        return {p.k1, p.b, p.delta.value_or(default_delta)};
    }
    /// ln((N + 1) / df): > 0 for 1 ≤ df ≤ N. Requires: 1 ≤ df ≤ N.
    [[nodiscard]] score_t idf(std::uint64_t passages, std::uint64_t df) const noexcept {
        RAPPORT_ASSERT(df >= 1 && df <= passages);
        return std::log((static_cast<double>(passages) + 1.0) / static_cast<double>(df));
    }
    /// K(dl), as BM25's. Requires: avgdl > 0.
    [[nodiscard]] double length_norm(double length, double avgdl) const noexcept {
        return k1 * (1.0 - b + b * length / avgdl);  // bm25_length_norm's expression, for BM25F's real lengths too
    }
    /// weight · (tf · (k1 + 1) / (tf + K) + δ). Requires: tf > 0, weight ≥ 0.
    [[nodiscard]] score_t score(score_t weight, double tf, double norm) const noexcept {
        return weight * (tf * (k1 + 1.0) / (tf + norm) + delta);
    }
    /// The score at (max_tf, min_norm) raised by `bm25_bound_margin`.
    [[nodiscard]] score_t bound(score_t weight, std::uint32_t max_tf, double min_norm) const noexcept {
        return score(weight, static_cast<double>(max_tf), min_norm) * (1.0 + bm25_bound_margin);
    }
    /// weight · (k1 + 1 + δ), the limit as tf → ∞, raised by `bm25_bound_margin`.
    [[nodiscard]] score_t upper_bound(score_t weight) const noexcept {
        return weight * (k1 + 1.0 + delta) * (1.0 + bm25_bound_margin);
    }
};

/// BM25L (Lv & Zhai, ICTIR 2011) as a `Similarity`: with c = tf / L(dl), L(dl) = 1 − b + b · dl / avgdl,
/// score = weight · (k1 + 1) · (c + δ) / (k1 + c + δ), and Trotman et al.'s idf = ln((N + 1) / (df + 0.5))
/// (ADCS 2014). The normaliser cached per passage is L(dl) (k1 does not enter it).
/// The score is evaluated as weight · ((k1 + 1) · (tf + δ · L) / (tf + (k1 + δ) · L)), the same fraction
/// multiplied through by L > 0: one division per posting instead of two, and defined for L = 0 too
/// (b = 1 and an empty passage, where c would be infinite), where it takes the limit weight · (k1 + 1).
/// With k1 = 0 a present term scores exactly the weight (the fraction's numerator and denominator
/// are then the same expression, so it is exactly 1); with b = 0, L = 1 and c = tf.
struct bm25l_model {
    double k1 = 0.9;     ///< ≥ 0
    double b = 0.4;      ///< in [0, 1]
    double delta = 0.5;  ///< ≥ 0

    static constexpr double default_delta = 0.5;  ///< Lv & Zhai's recommendation

    /// The model of `p` (δ defaults to `default_delta`). Requires: `p` valid.
    [[nodiscard]] static bm25l_model of(const bm25_params& p) noexcept {
        return {p.k1, p.b, p.delta.value_or(default_delta)};
    }
    /// ln((N + 1) / (df + 0.5)): > 0 for df ≤ N. Requires: df ≤ N.
    [[nodiscard]] score_t idf(std::uint64_t passages, std::uint64_t df) const noexcept {
        RAPPORT_ASSERT(df <= passages);
        return std::log((static_cast<double>(passages) + 1.0) / (static_cast<double>(df) + 0.5));
    }
    /// L(dl) = 1 − b + b · dl / avgdl: non-decreasing in dl in floating point (monotone roundings,
    /// b ≥ 0, avgdl > 0). Requires: avgdl > 0.
    [[nodiscard]] double length_norm(double length, double avgdl) const noexcept {
        return 1.0 - b + b * length / avgdl;
    }
    /// weight · (k1 + 1) · (c + δ) / (k1 + c + δ) with c = tf / L, evaluated as above.
    /// Requires: tf > 0, weight ≥ 0, L ≥ 0.
    [[nodiscard]] score_t score(score_t weight, double tf, double norm) const noexcept {
        return weight * ((k1 + 1.0) * (tf + delta * norm) / (tf + (k1 + delta) * norm));
    }
    /// The score at (max_tf, min_norm) raised by `bm25_bound_margin` (at min_norm = 0 that is the
    /// limit weight · (k1 + 1), an upper bound of every score).
    [[nodiscard]] score_t bound(score_t weight, std::uint32_t max_tf, double min_norm) const noexcept {
        return score(weight, static_cast<double>(max_tf), min_norm) * (1.0 + bm25_bound_margin);
    }
    /// weight · (k1 + 1), the limit as c → ∞, raised by `bm25_bound_margin`.
    [[nodiscard]] score_t upper_bound(score_t weight) const noexcept {
        return weight * (k1 + 1.0) * (1.0 + bm25_bound_margin);
    }
};

static_assert(Similarity<bm25_model>);
static_assert(Similarity<bm25_plus_model>);
static_assert(Similarity<bm25l_model>);

/// Calls `f(model)` with the model `p` selects (`bm25_model`, `bm25_plus_model` or `bm25l_model`,
/// built by its `of(p)`) and returns what it returns: the one runtime dispatch of a query, after
/// which evaluation is a template on the model. `f` must return the same type for every model.
/// Requires: `p` valid.
template <class F>
decltype(auto) with_similarity(const bm25_params& p, F&& f) {
    switch (p.model) {
        case scoring_model::bm25_plus: return f(bm25_plus_model::of(p));
        case scoring_model::bm25l: return f(bm25l_model::of(p));
        case scoring_model::bm25: break;
    }
    return f(bm25_model::of(p));
}

/// The per-passage length normalisers of `p`'s model (K(dl) = k1 · (1 − b + b · dl / avgdl) for BM25
/// and BM25+, L(dl) = 1 − b + b · dl / avgdl for BM25L), precomputed once per (snapshot, parameters)
/// so that scoring a posting costs one division.
/// Requires: avgdl > 0 (an empty collection has no postings to score); `p` valid.
/// Complexity: O(|lengths|).
[[nodiscard]] inline std::vector<double> bm25_length_norms(std::span<const std::uint32_t> lengths, double avgdl,
                                                          const bm25_params& p) {
    return with_similarity(p, [&](const auto& model) { return length_norms(model, lengths, avgdl); });
}

}  // namespace rapport::search
