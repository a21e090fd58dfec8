// SPDX-License-Identifier: MIT
// Effectiveness measures computed exactly as trec_eval 9.x computes them (map, P.k, recall.k,
// recip_rank under a depth cutoff, ndcg_cut.k), per query and averaged over queries with
// trec_eval's rule for which queries count. docs/METRICS.md states every definition.
// Thread safety: free functions without shared state.
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/eval/qrels.hpp"
#include "rapport/eval/run.hpp"

namespace rapport::eval {

/// The standard measures of one query, or their mean over queries.
struct metrics {
    double map = 0;             ///< average precision (trec_eval `map`)
    double ndcg_at_10 = 0;      ///< trec_eval `ndcg_cut_10`
    double p_at_10 = 0;         ///< trec_eval `P_10`
    double mrr_at_10 = 0;       ///< trec_eval `recip_rank` with `-M 10`
    double recall_at_100 = 0;   ///< trec_eval `recall_100`
    double recall_at_1000 = 0;  ///< trec_eval `recall_1000`
    std::size_t queries = 0;    ///< 1 for one query; for a mean, the number averaged over
};

/// How `evaluate` chooses queries and relevance.
struct eval_options {
    /// trec_eval's `-c`: average over every query in the qrels, counting a query the run lacks
    /// as 0 on every measure. Off (as in trec_eval): average over the queries in both.
    bool complete = false;
    /// trec_eval's `-l`: the least grade that makes a document relevant for map, P, recall and
    /// reciprocal rank. nDCG ignores it and uses every grade > 0 as gain.
    int relevance_level = 1;
};

/// The result of scoring a run against qrels.
struct evaluation {
    std::map<std::string, metrics> per_query;  ///< queries in both run and qrels, by qid
    metrics mean;                              ///< arithmetic means; see `evaluate`
};

/// Returns the docnos of `entries` in trec_eval's ranking (see `sort_trec_order`).
/// Throws: `invalid_argument` naming `qid` and the docno on a duplicate docno or NaN score.
/// Complexity: O(n log n).
[[nodiscard]] RAPPORT_API std::vector<std::string> ranked_docnos(std::span<const run_entry> entries,
                                                                 std::string_view qid);

// The per-query measures below take `ranked`: the query's docnos best first, as
// `ranked_docnos` returns them (distinct; not re-sorted here), and `judged`: its judgments.
// A docno absent from `judged` is non-relevant. R, the number of relevant documents, counts
// every judged docno with grade >= `relevance_level`, retrieved or not.

/// Returns average precision: the sum, over each relevant document at rank r in `ranked`, of
/// (relevant documents in ranks 1..r) / r, divided by R; 0 when R = 0. Unretrieved relevant
/// documents contribute 0, so this is trec_eval's `map` for one query (no depth cutoff).
/// Throws: `invalid_argument` if `relevance_level` < 1.
/// Complexity: O(n) lookups, plus O(|judged|) to count R.
[[nodiscard]] RAPPORT_API double average_precision(std::span<const std::string> ranked,
                                                   const judgment_map& judged,
                                                   int relevance_level = 1);

/// Returns precision at `k`: relevant documents in ranks 1..k, divided by k (not by the number
/// retrieved: missing ranks count as non-relevant). trec_eval's `P_k`.
/// Throws: `invalid_argument` if `k` is 0 or `relevance_level` < 1.
/// Complexity: O(min(k, n)) lookups.
[[nodiscard]] RAPPORT_API double precision_at(std::span<const std::string> ranked,
                                              const judgment_map& judged, std::size_t k,
                                              int relevance_level = 1);

/// Returns recall at `k`: relevant documents in ranks 1..k, divided by R; 0 when R = 0.
/// trec_eval's `recall_k`.
/// Throws: `invalid_argument` if `k` is 0 or `relevance_level` < 1.
/// Complexity: O(min(k, n)) lookups, plus O(|judged|) to count R.
[[nodiscard]] RAPPORT_API double recall_at(std::span<const std::string> ranked,
                                           const judgment_map& judged, std::size_t k,
                                           int relevance_level = 1);

/// Returns 1/r for the first relevant document's rank r if r <= k, else 0. This is trec_eval's
/// `recip_rank` evaluated with `-M k` (only the first k documents of each query are kept);
/// trec_eval has no cutoff parameter for `recip_rank` itself.
/// Throws: `invalid_argument` if `k` is 0 or `relevance_level` < 1.
/// Complexity: O(min(k, n)) lookups.
[[nodiscard]] RAPPORT_API double reciprocal_rank_at(std::span<const std::string> ranked,
                                                    const judgment_map& judged, std::size_t k,
                                                    int relevance_level = 1);

/// Returns nDCG at `k` as trec_eval's `ndcg_cut_k` computes it (Järvelin and Kekäläinen, ACM
/// TOIS 20(4), 2002, with trec_eval's choices): DCG@k = sum over ranks r = 1..k of
/// gain(r) / log2(r + 1), where gain is the judged grade itself if > 0 (linear, not 2^g - 1)
/// and 0 otherwise; the ideal DCG@k applies the same sum to every judged grade > 0 sorted
/// descending, whether retrieved or not; the result is DCG@k / ideal DCG@k, or 0 when the
/// query has no grade > 0.
/// Throws: `invalid_argument` if `k` is 0.
/// Complexity: O(min(k, n)) lookups plus O(|judged| log |judged|) for the ideal ranking.
[[nodiscard]] RAPPORT_API double ndcg_at(std::span<const std::string> ranked,
                                         const judgment_map& judged, std::size_t k);

/// Returns every measure of `metrics` for one query (`queries` = 1).
/// Throws: `invalid_argument` if `relevance_level` < 1.
/// Complexity: O(n + |judged| log |judged|).
[[nodiscard]] RAPPORT_API metrics evaluate_query(std::span<const std::string> ranked,
                                                 const judgment_map& judged,
                                                 int relevance_level = 1);

/// Scores `r` against `q` as trec_eval does. Each query of `r` that also appears in `q` (with
/// any judgment, even only non-relevant ones) is ranked by `sort_trec_order` and scored;
/// queries of `r` absent from `q` are ignored, and so is a query whose result list is empty
/// (a run file cannot express one). `mean` sums the per-query values in qid order and divides
/// by the number of scored queries, or with `options.complete` by the number of queries in `q`
/// (missing ones count as 0); `mean.queries` is that divisor. With nothing to average, `mean`
/// is all zeros (trec_eval exits with an error instead).
/// Throws: `invalid_argument` naming the query and docno if a query lists a docno twice or
/// has a NaN score; `invalid_argument` if `options.relevance_level` < 1.
/// Complexity: O(sum of n log n over queries + |q|).
[[nodiscard]] RAPPORT_API evaluation evaluate(const run& r, const qrels& q,
                                              const eval_options& options = {});

}  // namespace rapport::eval
