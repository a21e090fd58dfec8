// SPDX-License-Identifier: MIT
// explain(): why a passage got its score. Recomputes the BM25 score of one passage for one query
// term by term (idf, term frequency, length normalisation), with the same arithmetic in the same
// order as the evaluation algorithms, so the total equals the score a search returns, bit for bit.
// Thread safety: uses the searcher (one thread at a time); the result is a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/core/types.hpp"
#include "rapport/search/searcher.hpp"

namespace rapport::search {

/// One query term's part of a passage's score:
/// score = weight · tf · (k1 + 1) / (tf + norm), weight = count · idf, norm = k1 · (1 − b + b · dl / avgdl).
struct term_explanation {
    std::string term;          ///< the analysed term
    std::uint32_t count = 0;   ///< occurrences in the query (the clause boost)
    std::uint64_t df = 0;      ///< passages containing the term, over the snapshot
    double idf = 0;            ///< ln(1 + (N − df + 0.5) / (df + 0.5))
    double weight = 0;         ///< count · idf
    std::uint32_t tf = 0;      ///< occurrences in the passage; 0 when the passage lacks the term
    double norm = 0;           ///< the passage's length normaliser K(dl)
    score_t score = 0;         ///< this term's contribution (0 when tf = 0)
};

/// The full breakdown of one passage's score.
struct explanation {
    docid_t passage = 0;          ///< global passage id
    bool matches = false;         ///< whether the query matches the passage (any / all terms; not deleted)
    bool deleted = false;         ///< the passage is deleted: it is never returned
    score_t score = 0;            ///< the sum of the terms' scores, in query order; equals the search score
    std::uint64_t passages = 0;   ///< N
    double average_length = 0;    ///< avgdl
    std::uint32_t length = 0;     ///< dl, the passage's exact length in tokens
    bm25_params params{};
    std::vector<term_explanation> terms;  ///< the query's terms that occur in the index, in query order

    /// A human-readable, multi-line rendering (one line per term, then the total).
    [[nodiscard]] RAPPORT_API std::string to_string() const;
};

/// Explains the score of global passage `passage` for `query` under `options` (k1, b, mode).
/// Requires: `passage` < `s.passage_count()`.
/// Throws: `invalid_argument` for bad BM25 parameters or a passage id out of range.
/// Complexity: one dictionary lookup per term and segment, one postings seek per term.
[[nodiscard]] RAPPORT_API explanation explain(searcher& s, const analysed_query& query, docid_t passage,
                                              const search_options& options = {});

}  // namespace rapport::search
