// SPDX-License-Identifier: MIT
// The `Similarity` concept: what a term-weighting model of the BM25 family provides so that every
// evaluation algorithm (exhaustive, MaxScore, block-max WAND, the block-max conjunction) and every
// explanation can use it, with per-passage normalisers computed once and safe pruning bounds. The
// models themselves (Lucene's BM25, BM25+, BM25L) are in search/bm25.hpp.
// Thread safety: concepts and pure functions.
#pragma once

#include <concepts>
#include <cstdint>
#include <span>
#include <vector>

#include "rapport/core/types.hpp"

namespace rapport::search {

/// A scoring model whose term scores factor as weight · f(tf, norm(dl)), where weight = boost · idf.
/// Models are small value types holding their parameters; the evaluation is a template on the model,
/// chosen once per query (`with_similarity` in search/bm25.hpp), never per posting.
/// - `s.idf(N, df)`: the inverse document frequency of a term held by `df` of the snapshot's `N`
///   passages. Requires: 1 ≤ df ≤ N; then it is finite and > 0, so weights are ≥ 0.
/// - `s.length_norm(dl, avgdl)`: the length normaliser of a passage of `dl` tokens in a snapshot of
///   mean length `avgdl` > 0. It is computed once per passage and cached (`length_norms`), so that a
///   posting costs no more than `score`. ≥ 0, and non-decreasing in dl in floating point too (every
///   operation of it must round monotonically), so that `length_norm(min dl)` is at most the norm of
///   any passage of a block.
/// - `s.score(weight, tf, norm)`: the contribution of a term of frequency tf > 0 to a passage whose
///   normaliser is `norm`, for weight ≥ 0: ≥ 0, non-decreasing in tf and non-increasing in norm in
///   exact arithmetic (hence non-increasing in the passage's length). tf is an integer term frequency
///   or a fractional phrase frequency (a double: both overloads must give the same value for the same
///   number, so that a one-term phrase would score as the term).
/// - `s.bound(weight, max_tf, min_norm)`: never below a computed `score(weight, tf, norm)` with
///   0 < tf ≤ max_tf and norm ≥ min_norm, rounding included (the exact function is monotone, its
///   floating-point value need not be: the models raise the score at (max_tf, min_norm) by a relative
///   margin). Must accept min_norm = 0, the smallest normaliser, when passage lengths are unknown.
/// - `s.upper_bound(weight)`: never below a computed `score(weight, tf, norm)` for any tf > 0 and
///   norm ≥ 0 (the limit tf → ∞, raised against rounding).
///
/// Why these requirements make block-max pruning safe: a block (or list) stores its largest tf and
/// its shortest passage. Every posting in it has tf ≤ max_tf and dl ≥ min_length, so norm(dl) ≥
/// norm(min_length) (monotone normaliser, in floating point), so its score is at most the score at
/// (max_tf, norm(min_length)) in exact arithmetic, and at most `bound` once rounding is accounted
/// for. A model that rewarded long passages or penalised frequent terms could not be pruned by
/// (max tf, min length) block statistics.
template <class S>
concept Similarity = std::copy_constructible<S> &&
    requires(const S s, std::uint64_t passages, std::uint64_t df, std::uint32_t length, double avgdl, score_t weight,
             std::uint32_t tf, double freq, double norm) {
        { s.idf(passages, df) } noexcept -> std::same_as<score_t>;
        { s.length_norm(length, avgdl) } noexcept -> std::same_as<double>;
        { s.score(weight, tf, norm) } noexcept -> std::same_as<score_t>;
        { s.score(weight, freq, norm) } noexcept -> std::same_as<score_t>;
        { s.bound(weight, tf, norm) } noexcept -> std::same_as<score_t>;
        { s.upper_bound(weight) } noexcept -> std::same_as<score_t>;
    };

/// The length normalisers of every passage of `lengths` under `model`, for a snapshot of mean length
/// `avgdl`: what the cursors index by docid. Requires: avgdl > 0.
/// Complexity: O(|lengths|).
template <Similarity S>
[[nodiscard]] std::vector<double> length_norms(const S& model, std::span<const std::uint32_t> lengths, double avgdl) {
    std::vector<double> out(lengths.size());
    for (std::size_t i = 0; i < lengths.size(); ++i) out[i] = model.length_norm(lengths[i], avgdl);
    return out;
}

}  // namespace rapport::search
