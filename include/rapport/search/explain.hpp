// SPDX-License-Identifier: MIT
// explain(): why a passage got its score. Recomputes the score of one passage for one query under
// the selected model of the BM25 family (BM25, BM25+ or BM25L), term by term (idf, term frequency,
// length normalisation), with the same arithmetic in the same order as the evaluation algorithms, so
// the total equals the score a search returns, bit for bit.
// Thread safety: as the searcher's searches (any number of threads at once); the result is a plain
// value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/core/types.hpp"
#include "rapport/search/searcher.hpp"

namespace rapport::search {

/// One query term's part of a passage's score, weight = count · boost · idf, under the model of
/// `explanation::params` (search/bm25.hpp):
/// - BM25:  score = weight · tf · (k1 + 1) / (tf + norm), norm = K(dl) = k1 · (1 − b + b · dl / avgdl);
/// - BM25+: score = weight · (tf · (k1 + 1) / (tf + norm) + δ), norm = K(dl);
/// - BM25L: score = weight · (k1 + 1) · (c + δ) / (k1 + c + δ), c = tf / norm, norm = L(dl) = 1 − b + b · dl / avgdl.
struct term_explanation {
    std::string term;          ///< the analysed term
    std::uint32_t count = 0;   ///< occurrences in the query (the clause boost)
    std::uint64_t df = 0;      ///< passages containing the term, over the snapshot
    double idf = 0;            ///< the model's idf (BM25: ln(1 + (N − df + 0.5) / (df + 0.5)))
    double weight = 0;         ///< count · boost · idf (the term's boost from `analysed_query`)
    std::uint32_t tf = 0;      ///< occurrences in the passage; 0 when the passage lacks the term
    double norm = 0;           ///< the passage's length normaliser (K(dl), or L(dl) for BM25L)
    score_t score = 0;         ///< this term's contribution (0 when tf = 0)
};

/// The full breakdown of one passage's score.
struct explanation {
    docid_t passage = 0;          ///< global passage id
    bool matches = false;         ///< whether the query matches the passage (any / all terms; not deleted)
    bool deleted = false;         ///< the passage is deleted: it is never returned
    /// The sum of the terms' scores in the searcher's order (query order; for `match_mode::all`, the
    /// segment's rarest term first); equals the search score bit for bit.
    score_t score = 0;
    std::uint64_t passages = 0;   ///< N
    double average_length = 0;    ///< avgdl
    std::uint32_t length = 0;     ///< dl, the passage's exact length in tokens
    bm25_params params{};         ///< k1, b, the model and δ as given (δ unset: the model's default)
    std::vector<term_explanation> terms;  ///< the query's terms that occur in the index, in query order

    /// A human-readable, multi-line rendering (one line per term, then the total).
    [[nodiscard]] RAPPORT_API std::string to_string() const;
};

/// Explains the score of global passage `passage` for `query` under `options` (k1, b, model, δ, mode).
/// Requires: `passage` < `s.passage_count()`.
/// Throws: `invalid_argument` for bad BM25 parameters or a passage id out of range.
/// Complexity: one dictionary lookup per term and segment, one postings seek per term.
[[nodiscard]] RAPPORT_API explanation explain(const searcher& s, const analysed_query& query, docid_t passage,
                                              const search_options& options = {});

}  // namespace rapport::search
