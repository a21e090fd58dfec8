// SPDX-License-Identifier: MIT
// Query-time entry point: analyses a query with the index's analyzer, builds BM25 term cursors,
// evaluates a ranked OR or AND into a top-k queue and returns hits with stored fields.
// Thread safety: a searcher keeps scratch state (analyzer, cached length norms) and is used by
// one thread at a time; create one per thread over the same immutable index.
#pragma once

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
#include "rapport/search/bm25.hpp"
#include "rapport/search/topk_queue.hpp"

namespace rapport::search {

/// How the terms of a query combine.
enum class match_mode {
    any,  ///< ranked disjunction (OR): a passage matches if it has at least one term
    all,  ///< ranked conjunction (AND): a passage must have every term
};

/// Per-query settings.
struct search_options {
    std::size_t k = 10;              ///< number of hits to return
    match_mode mode = match_mode::any;
    bm25_params bm25{};              ///< k1 = 0.9, b = 0.4 by default
};

/// One ranked passage.
struct hit {
    docid_t passage;       ///< segment-local passage id
    article_id article;    ///< the caller's id of the article the passage belongs to
    std::string title;     ///< the article's title
    std::uint32_t ordinal; ///< passage number within its article
    std::uint32_t begin;   ///< byte range of the passage in the (NFC-normalised) article body
    std::uint32_t end;
    score_t score;         ///< BM25 score
    std::string text;      ///< the passage text
};

/// A query after analysis: distinct terms with their repetition counts (a repeated term counts
/// once per occurrence, as Lucene's sum over repeated clauses does).
struct analysed_query {
    struct term {
        std::string text;
        std::uint32_t count;
    };
    std::vector<term> terms;  ///< in order of first occurrence
};

/// Searches one snapshot of an index (`index_reader`): every segment, statistics summed over all.
class RAPPORT_API searcher {
public:
    /// Shares the snapshot (readers are cheap to copy); the searcher sees exactly this commit.
    explicit searcher(const index::index_reader& reader);
    ~searcher();
    searcher(searcher&&) noexcept;
    searcher& operator=(searcher&&) noexcept;

    /// Analyses `query` like the indexed text. Invalid UTF-8 in a query is replaced with U+FFFD
    /// (typed text never throws). Stopwords and punctuation vanish, so a query may have no terms.
    [[nodiscard]] analysed_query analyze(std::string_view query);

    /// The k best passages for `query`, best first; ties by ascending passage id.
    /// A query without terms returns no hits. Throws: `invalid_argument` for bad BM25 parameters.
    /// Complexity: linear in the postings of the query terms.
    [[nodiscard]] std::vector<hit> search(std::string_view query, const search_options& options = {});
    /// As `search`, for an already analysed query.
    [[nodiscard]] std::vector<hit> search(const analysed_query& query, const search_options& options = {});

    /// Retrieval only: the k best passage ids with their scores, best first, without touching
    /// stored fields (what `search` does before fetching). Same errors as `search`.
    [[nodiscard]] std::vector<scored_doc> top_k(const analysed_query& query, const search_options& options = {});

    /// The stored fields of one ranked passage. Requires: `doc.docid` < `passage_count()`.
    [[nodiscard]] hit fetch(const scored_doc& doc) const;
    /// Only the article (id and title) of a passage: no passage text is decompressed, which is
    /// what evaluation runs over thousands of hits need. Requires: `docid` < `passage_count()`.
    [[nodiscard]] index::article_record fetch_article(docid_t docid) const;

    /// The best snippet of a hit's passage for `query`, with the matched terms marked.
    [[nodiscard]] highlight::snippet snippet(const hit& h, const analysed_query& query,
                                             const highlight::snippet_options& options = {});

    /// Number of passages in the index (N in the idf).
    [[nodiscard]] std::size_t passage_count() const noexcept;
    /// Mean passage length (avgdl in BM25).
    [[nodiscard]] double average_length() const noexcept;
    /// The snapshot searched.
    [[nodiscard]] const index::index_reader& reader() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace rapport::search
