// SPDX-License-Identifier: MIT
// Collection statistics as a value: what the BM25 family takes from the whole collection (the
// passage count N, each text field's total length, hence avgdl, and the document frequency of each
// dictionary key a query reads), so that several indexes can be scored as one. A shard exports the
// statistics of a query (`searcher::statistics`), the caller sums every shard's (`merge`), and each
// shard's searcher, given the sum in `search_options::statistics`, scores every passage exactly as
// one index holding all the shards' passages would (Elasticsearch's DFS phase, tantivy's
// `Bm25StatisticsProvider`). `search::multi_searcher` does this for local indexes; the statistics
// travel as JSON (`to_json` / `from_json`) to shards in other processes (python/rapport/distributed).
//
// Prefix and fuzzy terms expand over a dictionary, so the statistics also carry each such node's
// expansion (per field searched). Merged, it is the union of the shards' expansions, re-capped by
// the same rule as one index (`query::expansion_options`). A shard may hold passages with a term
// that its own words do not reach (English stemming takes "connected" and "connection" to one
// term; accent folding joins "café" and "cafe"), so a second round asks every shard for its dfs of
// the merged terms (`searcher::statistics` with `expansions`; `multi_searcher` does both rounds).
// The searcher given the result expands each node to exactly those terms. This equals one index's
// expansion when no expansion hit its cap, neither in any shard nor in the merge
// (`search_info::expansion_truncated`; the surface-word walk reads up to 8 × the cap). For a fuzzy
// term reached from several surface words at the same distance, it also needs the shards to agree
// on the most frequent of them (which word's length sets the fuzzy boost). Otherwise the result is
// the re-capped union, which is what Elasticsearch's DFS does too.
// Thread safety: a value; concurrent const use is safe.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "rapport/core/export.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/query/expand.hpp"

namespace rapport::index {
class index_reader;
}

namespace rapport::search {

/// The statistics BM25 reads from a collection (see the file comment). Counts include deleted
/// passages until a merge drops them, as the searcher's own statistics do (Lucene's rule).
struct RAPPORT_API collection_statistics {
    /// N: passages, deleted ones included.
    std::uint64_t passages = 0;
    /// Σ passage length per text field (by field number), deleted passages included.
    std::array<std::uint64_t, index::field_count> total_lengths{};
    /// Document frequency per dictionary key (`index::field_term(field, term)`), 0 included: the
    /// keys a query reads. A searcher given these statistics throws `invalid_argument` for a key
    /// they lack, so statistics gathered for one query cannot silently score another.
    std::map<std::string, std::uint64_t, std::less<>> doc_freqs;
    /// Per prefix or fuzzy node and field (`expansion_key`), the terms it expands to, each with its
    /// df over the collection, in increasing byte order.
    std::map<std::string, query::expansion, std::less<>> expansions;

    /// N and the total lengths of `reader`'s snapshot, without any key.
    [[nodiscard]] static collection_statistics of(const index::index_reader& reader);

    /// Adds `other`'s counts to these (the statistics of the union of both collections): N, lengths
    /// and dfs summed; expansions merged as the file comment says. Throws: `invalid_argument` when a
    /// count overflows 64 bits, and then leaves these statistics unchanged.
    void merge(const collection_statistics& other);

    /// Checks what scoring relies on: every df at most N, expansion keys naming a text field,
    /// expansion terms in increasing order, within their cap, at most 2 edits away. The searcher
    /// calls it on statistics it is given. Throws: `invalid_argument` naming the fault.
    void validate() const;

    /// The df of `key`, or nothing when these statistics lack it.
    [[nodiscard]] const std::uint64_t* doc_freq(std::string_view key) const noexcept;

    /// The mean length of field `f` (0 when there are no passages).
    [[nodiscard]] double average_length(index::field f) const noexcept;

    /// The statistics as a JSON object (keys as JSON strings; their control bytes escaped).
    [[nodiscard]] std::string to_json() const;
    /// Parses `to_json`'s output. Throws: `invalid_argument` naming what is wrong for anything else
    /// (malformed JSON, a missing or mistyped member, a negative or fractional count, a field number
    /// out of range, expansion terms out of order or with df 0).
    [[nodiscard]] static collection_statistics from_json(std::string_view json);

    friend bool operator==(const collection_statistics&, const collection_statistics&) = default;
};

/// The key under which `collection_statistics::expansions` holds the expansion of prefix or fuzzy
/// `node` (analysed) in field `f` under `options`: the same for the same node and options in every
/// shard. Throws: `invalid_argument` for another kind of node.
[[nodiscard]] RAPPORT_API std::string expansion_key(const query::query& node, index::field f,
                                                    const query::expansion_options& options);

/// Whether `key`'s node (see `expansion_key`) is a fuzzy one, whose expansion is capped by
/// distance first.
[[nodiscard]] RAPPORT_API bool is_fuzzy_expansion_key(std::string_view key) noexcept;

}  // namespace rapport::search
