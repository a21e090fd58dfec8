// SPDX-License-Identifier: MIT
// Query-time entry point: analyses a query with the index's analyzer, builds term cursors scored by
// a model of the BM25 family (Lucene's BM25 by default, or BM25+ / BM25L; search/bm25.hpp),
// evaluates a ranked OR or AND into a top-k queue (exhaustively or with safe pruning: MaxScore,
// block-max WAND) and returns hits with stored fields; also counts matches without scoring.
// Thread safety: one searcher may be shared by any number of threads: every member function is
// const and may run concurrently with any other (per-call scratch state lives on the caller's stack,
// query analyzers are leased from an internal pool, `last_stats` is kept per thread). Only moving
// or destroying a searcher needs it to be idle. Constructing one is cheap (a reader copy): the
// per-passage length normalisers live in the snapshot's shared cache (`index_reader::length_norms`),
// computed once per parameter setting for every searcher over the snapshot.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/core/types.hpp"
#include "rapport/highlight/snippet.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/core/assert.hpp"
#include "rapport/search/bm25.hpp"
#include "rapport/search/search_stats.hpp"
#include "rapport/search/topk_queue.hpp"

namespace rapport::search {

/// How the terms of a query combine.
enum class match_mode {
    any,  ///< ranked disjunction (OR): a passage matches if it has at least one term
    all,  ///< ranked conjunction (AND): a passage must have every term
};

/// How a ranked disjunction (`match_mode::any`) is evaluated. Every choice returns exactly the same
/// hits with bit-identical scores; they differ only in speed (exhaustive evaluation is the oracle
/// the pruning algorithms are tested against).
enum class algorithm {
    /// Block-max WAND when k ≤ 10 and the query has at least 3 distinct terms found in the index,
    /// or k ≤ 20 and at least 5; exhaustive otherwise. The fastest choice measured on the Wikipedia
    /// passages (see `choose` in lib/search/searcher.cpp): pruning pays only when the top-k
    /// threshold rises high relative to the weaker terms' bounds.
    automatic,
    exhaustive,      ///< score every matching passage (`ranked_or`)
    maxscore,        ///< MaxScore with block-max bounds (`maxscore`, search/maxscore.hpp)
    block_max_wand,  ///< block-max WAND (`block_max_wand`, search/block_max_wand.hpp)
};

/// Per-query settings.
struct search_options {
    std::size_t k = 10;              ///< number of hits to return
    match_mode mode = match_mode::any;
    /// k1 = 0.9, b = 0.4 and Lucene's BM25 by default; `bm25.model` selects BM25+ or BM25L instead
    /// (with `bm25.delta`). Every algorithm works with every model, with the same results.
    bm25_params bm25{};
    /// Evaluation of `match_mode::any`. A conjunction (`match_mode::all`) runs the leapfrogging
    /// `ranked_and` when this is `exhaustive`, and the block-max conjunction (`block_max_and`)
    /// otherwise; the results are the same.
    search::algorithm algorithm = search::algorithm::automatic;
    /// Restricts the search to a set of passages, as a bitset over global passage ids: passage d is
    /// allowed when d < 64 · filter.size() and bit (d mod 64) of filter[d / 64] is set (see
    /// `make_passage_filter`). Empty (the default): every passage is allowed. Deleted passages are
    /// excluded either way. The words must stay alive during the call.
    std::span<const std::uint64_t> filter{};
};

/// The bitset for `search_options::filter` that allows exactly `passages` (global passage ids, any
/// order, duplicates allowed), sized for an index of `passage_count` passages.
/// Requires: every id < passage_count. Complexity: O(passage_count / 64 + |passages|).
[[nodiscard]] inline std::vector<std::uint64_t> make_passage_filter(std::span<const docid_t> passages,
                                                                    std::size_t passage_count) {
    // One word even for an empty index, so that the filter is never mistaken for "no filter".
    std::vector<std::uint64_t> bits(std::max<std::size_t>(1, (passage_count + 63) / 64), 0);
    for (const docid_t d : passages) {
        RAPPORT_ASSERT(d < passage_count);
        bits[d >> 6] |= std::uint64_t{1} << (d & 63);
    }
    return bits;
}

/// The bitset for `search_options::filter` that allows every passage (deleted or not) of the
/// articles with these ids in `reader`'s snapshot; unknown ids allow nothing.
/// Throws: `corruption_error` when a postings block fails to decode.
/// Complexity: O(passage_count / 64) plus, per id and segment, one dictionary lookup and its passages.
[[nodiscard]] RAPPORT_API std::vector<std::uint64_t> make_article_filter(const index::index_reader& reader,
                                                                        std::span<const article_id> articles);

/// One ranked passage.
struct hit {
    docid_t passage;       ///< the passage's docid in the reader (global: segment base + local id)
    article_id article;    ///< the caller's id of the article the passage belongs to
    std::string title;     ///< the article's title
    std::uint32_t ordinal; ///< passage number within its article
    std::uint32_t begin;   ///< byte range of the passage in the (NFC-normalised) article body
    std::uint32_t end;
    score_t score;         ///< the score under the selected model (BM25 by default)
    std::string text;      ///< the passage text
};

/// A query after analysis: distinct terms with their repetition counts (a repeated term counts
/// once per occurrence, as Lucene's sum over repeated clauses does).
struct analysed_query {
    struct term {
        std::string text;
        std::uint32_t count;
        double boost = 1.0;  ///< multiplies the term's weight (count · boost · idf); finite, ≥ 0
    };
    std::vector<term> terms;  ///< in order of first occurrence
};

/// Searches one snapshot of an index (`index_reader`): every segment, statistics summed over all.
/// Any number of threads may call one searcher at once (see the file comment).
class RAPPORT_API searcher {
public:
    /// Shares the snapshot (readers are cheap to copy); the searcher sees exactly this commit.
    /// Complexity: O(1); no analyzer or table is built until a call needs it.
    explicit searcher(const index::index_reader& reader);
    ~searcher();
    searcher(searcher&&) noexcept;
    searcher& operator=(searcher&&) noexcept;

    /// Analyses `query` like the indexed text. Invalid UTF-8 in a query is replaced with U+FFFD
    /// (typed text never throws). Stopwords and punctuation vanish, so a query may have no terms.
    /// Throws: `invalid_argument` when the index names a stemmer language this build lacks.
    [[nodiscard]] analysed_query analyze(std::string_view query) const;

    /// The k best passages for `query`, best first; ties by ascending passage id.
    /// A query without terms returns no hits. Throws: `invalid_argument` for bad BM25 parameters
    /// (`bm25_params::validate`).
    /// Complexity: linear in the postings of the query terms.
    [[nodiscard]] std::vector<hit> search(std::string_view query, const search_options& options = {}) const;
    /// As `search`, for an already analysed query.
    [[nodiscard]] std::vector<hit> search(const analysed_query& query, const search_options& options = {}) const;

    /// Retrieval only: the k best passage ids with their scores, best first, without touching
    /// stored fields (what `search` does before fetching). Same errors as `search`.
    [[nodiscard]] std::vector<scored_doc> top_k(const analysed_query& query, const search_options& options = {}) const;

    /// The k best articles: each article scored by its best passage (MaxP), in one pass with the
    /// same evaluation (and pruning) as `top_k`, exact. Each entry holds the article's score and its
    /// best passage's global id (`fetch_article` names the article); best first, ties by lower
    /// passage id; an article's best passage is its highest-scoring one, ties by lower id. Articles
    /// are told apart per segment (an id stored in two segments counts as two articles). Same
    /// errors as `search`.
    [[nodiscard]] std::vector<scored_doc> top_k_articles(const analysed_query& query,
                                                         const search_options& options = {}) const;

    /// Number of passages that match `query` under `options.mode` (any term, or every term) and
    /// `options.filter`, deleted passages excluded; nothing is scored (`k`, `bm25` and `algorithm`
    /// are ignored). Complexity: linear in the postings of the query terms.
    [[nodiscard]] std::uint64_t count(const analysed_query& query, const search_options& options = {}) const;
    /// As `count`, for a query string (analysed as `search` does).
    [[nodiscard]] std::uint64_t count(std::string_view query, const search_options& options = {}) const;

    /// The work counters of the calling thread's last `search`, `top_k`, `top_k_articles` or `count`
    /// call on this searcher, summed over segments (all zero after `count`, which scores nothing,
    /// and before any call). Per thread: other threads' calls do not show; a thread remembers its
    /// last 8 searchers (the counters of one used longer ago read as zero). Complexity: O(1).
    [[nodiscard]] search_stats last_stats() const noexcept;

    /// The length normalisers of every passage, per segment, for `params` (its model's: K(dl) for
    /// BM25 and BM25+, L(dl) for BM25L; `bm25_length_norms`): what every scorer over this snapshot
    /// divides by. Taken from the snapshot's cache (`index_reader::length_norms`), so every searcher
    /// and thread over the snapshot shares one table per (normaliser, k1, b): BM25 and BM25+ share
    /// K, and δ never enters. The table stays valid while the pointer is held.
    /// Throws: `invalid_argument` for bad parameters (`bm25_params::validate`).
    /// Complexity: O(passages) the first time the snapshot is asked for these parameters, O(1) after.
    [[nodiscard]] std::shared_ptr<const index::length_norm_table> length_norms(const bm25_params& params) const;

    /// The stored fields of one ranked passage. Requires: `doc.docid` < `passage_count()`.
    [[nodiscard]] hit fetch(const scored_doc& doc) const;
    /// Only the article (id and title) of a passage: no passage text is decompressed, which is
    /// what evaluation runs over thousands of hits need. Requires: `docid` < `passage_count()`.
    [[nodiscard]] index::article_record fetch_article(docid_t docid) const;

    /// The best snippet of a hit's passage for `query`, with the matched terms marked.
    [[nodiscard]] highlight::snippet snippet(const hit& h, const analysed_query& query,
                                             const highlight::snippet_options& options = {}) const;

    /// Number of passages in the index (N in the idf).
    [[nodiscard]] std::size_t passage_count() const noexcept;
    /// Mean passage length (avgdl in the BM25 family).
    [[nodiscard]] double average_length() const noexcept;
    /// The snapshot searched.
    [[nodiscard]] const index::index_reader& reader() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace rapport::search
