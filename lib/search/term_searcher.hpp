// SPDX-License-Identifier: MIT
// The plain-term fast path of `searcher` (search/searcher.hpp): a bag of terms, each searching one
// field or the summed fields of `search_options::fields`, as a ranked OR or AND of term cursors
// compiled once per scoring model (no virtual call per posting; a term in several fields is one
// `sum_cursor` of its field cursors), evaluated exhaustively or with MaxScore, block-max WAND or the
// block-max conjunction. `searcher` sends here every query that is such a bag (an `analysed_query`
// without BM25F, a tree that is a disjunction of distinct plain terms); the scores are the ones its
// tree evaluation gives, bit for bit. Compile-only (not installed).
// Thread safety: every member is const and may run concurrently with any other; the reader must
// outlive the object.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rapport/index/fields.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/search/explain.hpp"
#include "rapport/search/search_stats.hpp"
#include "rapport/search/searcher.hpp"

namespace rapport::search::detail {

/// The algorithm `automatic` stands for on a disjunction of `terms` terms or clauses (see
/// `algorithm::automatic`). Measured through `rapport search --format trec --timings` on the
/// Wikipedia passages (151,583 passages in the 5 segments `rapport index` leaves, 2,000 web queries,
/// best of 2 runs per query) with the exact block bounds of segment format 3: at k = 10 block-max
/// WAND beat exhaustive evaluation by 1.2× (p50) on 3-word queries, 1.35× on 4 and 1.45× on 5 or
/// more, and lost on 1 or 2 words; at k = 20 it won only from 5 words on; at k ≥ 50 exhaustive
/// evaluation won on every query length. MaxScore never beat exhaustive evaluation by more than noise.
[[nodiscard]] constexpr algorithm choose_algorithm(algorithm requested, std::size_t terms, std::size_t k) noexcept {
    if (requested != algorithm::automatic) return requested;
    const bool prune = (k <= 10 && terms >= 3) || (k <= 20 && terms >= 5);
    return prune ? algorithm::block_max_wand : algorithm::exhaustive;
}

/// One term of a `flat_query`: `text` searched in `field` at weight 1, or without a field in the
/// options' fields (each at its weight, summed), with the clause boost count · boost.
struct flat_term {
    std::string text;
    std::uint32_t count = 1;
    double boost = 1.0;
    std::optional<index::field> field;
};
using flat_query = std::vector<flat_term>;

/// `query`'s terms, none with a field of its own.
[[nodiscard]] flat_query to_flat(const analysed_query& query);

class term_searcher {
public:
    /// Searches `reader`, which must outlive this object.
    explicit term_searcher(const index::index_reader& reader) noexcept : reader_(&reader) {}

    /// The k best passages (or articles, MaxP) for `query` under `options.mode`, `bm25`,
    /// `algorithm`, `filter` and `fields` (summed; `bm25f` is ignored); `stats` receives the work
    /// counters.
    [[nodiscard]] std::vector<scored_doc> top_k(const flat_query& query, const search_options& options,
                                                search_stats& stats) const;
    [[nodiscard]] std::vector<scored_doc> top_k_articles(const flat_query& query, const search_options& options,
                                                         search_stats& stats) const;
    /// The live, allowed passages matching `query` under `options.mode` and `fields`, unscored;
    /// nothing for a conjunction with a term in several fields (the caller counts it otherwise).
    [[nodiscard]] std::optional<std::uint64_t> count(const flat_query& query, const search_options& options) const;
    /// The score of `passage`, term by term, equal to the score `top_k` gives it bit for bit, for a
    /// query in the body only (`options.fields` is ignored).
    [[nodiscard]] explanation explain(const analysed_query& query, docid_t passage, const search_options& options) const;

    /// Field `f`'s length normalisers for `options.bm25` against the collection's mean length (the
    /// snapshot's, or `options.statistics`'), from the snapshot's shared cache.
    [[nodiscard]] std::shared_ptr<const index::length_norm_table> norms(const search_options& options,
                                                                        index::field f = index::field::body) const;
    /// Field `f`'s mean passage length (0 for an empty index).
    [[nodiscard]] double average_length(index::field f = index::field::body) const noexcept;

private:
    template <class Queue>
    std::vector<scored_doc> run(const flat_query& query, const search_options& options, search_stats& stats) const;
    const index::index_reader* reader_;
};

}  // namespace rapport::search::detail
