// SPDX-License-Identifier: MIT
// Evaluation of query trees (`query::query`: terms, phrases, prefix and fuzzy terms, boolean
// clauses with boosts) over an index snapshot, document at a time, exhaustively: every passage that
// matches is scored, so the results are the reference that pruned evaluation must reproduce.
//
// Scoring (the model of `query_search_options::bm25`: Lucene's BM25 by default, or BM25+ / BM25L, with
// the snapshot's N, df and avgdl, as `searcher`; formulas in search/bm25.hpp):
// - a term scores the model's score(weight, tf, norm(dl)), weight = boost · idf(df) (for BM25:
//   weight · tf · (k1 + 1) / (tf + K(dl)));
// - a phrase scores the same with its phrase frequency in place of tf (a double, which every model
//   accepts) and the sum of its terms' idfs as idf, as Lucene's PhraseQuery does. An exact phrase's frequency is its number of
//   occurrences; a sloppy phrase's is the sum of 1 / (1 + d) over non-overlapping occurrences,
//   d being the occurrence's positional spread (max − min of position − offset over its terms);
// - a prefix or fuzzy term is the disjunction of the terms it expands to (`query::expand`), each
//   scored as a term with its own idf (Lucene's scoring boolean rewrite); the boost applies to each;
// - a boolean sums the scores of its matching `must` and `should` clauses in clause order; `must_not`
//   clauses exclude; boosts multiply down the tree.
// A term-only disjunction scores bit-identically to `searcher::top_k` with match_mode::any; a
// disjunction of distinct terms (boosts allowed, as RM3 makes) is in fact handed to a `searcher` (its fast path and
// pruning), unless the caller asks for `query_search_info`, which needs the tree walk.
// Fields (index/fields.hpp): every passage has a body and a title (its article's title). A clause
// restricted to a field (`title:trust`, `body:"a b"`) searches that field, scored with that field's
// df, lengths and avgdl. A clause without a field searches `query_search_options::fields`: one field
// (the body, by default) as above; several fields either summed, each field's score multiplied by
// its weight (Lucene's multi-field disjunction, a sum rather than a max), or, with `bm25f`, as BM25F
// (Robertson, Zaragoza & Taylor, "Simple BM25 extension to multiple weighted fields", CIKM 2004, in
// the form of Lucene's CombinedFieldQuery): a term's frequency is Σ w_f · tf_f, the passage length
// Σ w_f · dl_f, avgdl Σ w_f · avgdl_f, and df the largest of the fields' dfs; then the model scores
// once. BM25F combines terms; phrases, prefixes and fuzzy terms are scored per field and summed
// (weights as score multipliers) under both settings.
//
// Thread safety: as `searcher`: one query_searcher may be shared by any number of threads, every
// member function being const and safe to run concurrently with any other (scorer trees, queues and
// expansions are per call; analyzers come from an internal pool; length normalisers, body, title
// and BM25F alike, from the snapshot's shared cache, `index_reader::length_norms`). Only moving or
// destroying one needs it idle. Constructing one is cheap (a reader copy; nothing is built until a
// call needs it).
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/highlight/snippet.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/query/expand.hpp"
#include "rapport/query/parser.hpp"
#include "rapport/query/query.hpp"
#include "rapport/search/bm25.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/search/topk_queue.hpp"

namespace rapport::search {

/// One field searched by clauses that name none, with its weight.
struct field_weight {
    index::field field = index::field::body;
    double weight = 1.0;  ///< > 0: a score multiplier, or BM25F's frequency and length weight

    friend bool operator==(const field_weight&, const field_weight&) = default;
};

/// Settings of a query-tree search.
struct query_search_options {
    std::size_t k = 10;                     ///< hits to return
    bm25_params bm25{};                     ///< k1 = 0.9, b = 0.4, Lucene's BM25 by default; the model and δ too
    query::expansion_options expansion{};   ///< caps of prefix and fuzzy expansion
    /// The fields that clauses without a field search (each at most once, weights in (0, 1e6]).
    std::vector<field_weight> fields{{index::field::body, 1.0}};
    /// Score several `fields` as one with BM25F instead of summing per-field scores.
    bool bm25f = false;
    /// Restricts the search to a set of passages, as `search_options::filter` (`make_passage_filter`,
    /// `make_article_filter`). Empty: every live passage is allowed.
    std::span<const std::uint64_t> filter{};
    /// How the tree is evaluated. Every choice returns the same hits with bit-identical scores
    /// (exhaustive evaluation is the oracle of tests/pruning). With pruning, a root of optional
    /// clauses runs MaxScore (`maxscore`, or block-max WAND for `block_max_wand`) over its clauses,
    /// a root of required clauses the block-max conjunction, and any other root skips the blocks
    /// whose bound cannot reach the threshold. `automatic` runs block-max WAND on disjunctions when
    /// k ≤ 10 (3 or more clauses) or k ≤ 20 (5 or more) and prunes other shapes when k ≤ 100; plain
    /// term disjunctions take the term searcher's own choice (`algorithm::automatic`).
    search::algorithm algorithm = search::algorithm::automatic;
};

/// What evaluating a query found besides its hits.
struct query_search_info {
    std::size_t expanded_terms = 0;   ///< terms that prefix and fuzzy clauses expanded to
    bool expansion_truncated = false; ///< a prefix or fuzzy clause hit its cap (the rarest terms were dropped)
    /// Passages scored: every match under `algorithm::exhaustive`, fewer when pruning skipped some.
    std::uint64_t matches = 0;
};

/// RM3 pseudo-relevance feedback settings (Lavrenko & Croft, "Relevance-based language models",
/// SIGIR 2001, as RM3 in Anserini; these are Anserini's defaults).
struct rm3_options {
    std::size_t feedback_passages = 10;  ///< top passages of the first pass taken as relevant
    std::size_t expansion_terms = 10;    ///< terms of the relevance model kept
    double original_weight = 0.5;        ///< weight of the original query in the interpolation, in [0, 1]
};

/// Why a passage got its score under a query tree: one node per scoring part, children summed.
/// The root's `value` equals the score `top_k` gives the passage (same arithmetic, same order).
struct score_explanation {
    score_t value = 0;                        ///< this part's contribution
    std::string description;                  ///< what was computed, with its inputs
    std::vector<score_explanation> details;   ///< the parts summed into `value`

    /// Indented, one line per node.
    [[nodiscard]] RAPPORT_API std::string to_string() const;
};

/// Searches one snapshot with query trees. Any number of threads may call one query_searcher at once.
class RAPPORT_API query_searcher {
public:
    /// Shares the snapshot; queries are analysed with the index's analyzer. Complexity: O(1).
    explicit query_searcher(const index::index_reader& reader);
    ~query_searcher();
    query_searcher(query_searcher&&) noexcept;
    query_searcher& operator=(query_searcher&&) noexcept;

    /// Parses `text` (lenient by default: never throws) and analyses it like the indexed text.
    /// Throws: `query_syntax_error` in strict mode.
    [[nodiscard]] query::query parse(std::string_view text, const query::parser_options& options = {}) const;

    /// The k best passages for an analysed query, best first, ties by ascending passage id.
    /// Throws: `invalid_argument` for bad BM25 parameters, a field that is neither "body" nor
    /// "title", or bad `fields`; `corruption_error` naming the postings file when a block fails to decode.
    /// Complexity: linear in the postings of the query's terms (positions too, for phrases).
    [[nodiscard]] std::vector<scored_doc> top_k(const query::query& analysed, const query_search_options& options = {},
                                                query_search_info* info = nullptr) const;

    /// The k best articles, each scored by its best passage (MaxP), in one pass with the same
    /// evaluation and pruning as `top_k`, exact: entries hold the article's score and its best
    /// passage's global id, best first, ties by lower passage id (as `searcher::top_k_articles`).
    /// `info->matches` counts passages. Throws: as `top_k`.
    [[nodiscard]] std::vector<scored_doc> top_k_articles(const query::query& analysed,
                                                         const query_search_options& options = {},
                                                         query_search_info* info = nullptr) const;

    /// The number of live (and allowed) passages that match `analysed`, without scoring them.
    /// Throws: as `top_k`.
    [[nodiscard]] std::uint64_t count(const query::query& analysed, const query_search_options& options = {}) const;

    /// Explains the score of global passage `passage` under `analysed`. A passage the query does not
    /// match (or a deleted one) gets value 0 and says so.
    /// Throws: as `top_k`; `invalid_argument` when `passage` is out of range.
    [[nodiscard]] score_explanation explain(const query::query& analysed, docid_t passage,
                                            const query_search_options& options = {}) const;

    /// What to mark in a hit for `analysed`: its terms and phrases (not the excluded ones, nor those
    /// that search the title only, which is not in the passage text), with prefix and fuzzy clauses
    /// replaced by the body terms they expand to.
    [[nodiscard]] highlight::highlight_query highlight_terms(const query::query& analysed,
                                                             const query_search_options& options = {}) const;

    /// The best snippet of `text` (a passage's stored text) for `terms`, analysing `text` with the
    /// index's analyzer. Requires: `text` is valid UTF-8.
    [[nodiscard]] highlight::snippet snippet(std::string_view text, const highlight::highlight_query& terms,
                                             const highlight::snippet_options& options = {}) const;

    /// The query expanded by RM3: a first pass retrieves `feedback_passages` passages; the relevance
    /// model is P(w|R) ∝ Σ_d score(d) · tf(w, d) / |d| over them (every analysed term of the stored
    /// passage text), cut to the `expansion_terms` most probable terms and normalised to sum 1. For a
    /// disjunction of plain terms the original query becomes a vector of weights count / |q|, and the
    /// result is the disjunction of every term with weight original_weight · q(w) + (1 −
    /// original_weight) · P(w|R), as a boost (every model is linear in the boost, so this is Anserini's
    /// interpolation). Any other tree is kept whole as one clause boosted by `original_weight`, next to
    /// the expansion terms. Without feedback passages the query is returned unchanged.
    /// Throws: as `top_k`; `invalid_argument` for options out of range.
    /// Complexity: one search, plus analysing the feedback passages' text.
    [[nodiscard]] query::query rm3(const query::query& analysed, const query_search_options& options = {},
                                   const rm3_options& rm = {}) const;

    /// The snapshot searched.
    [[nodiscard]] const index::index_reader& reader() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace rapport::search
