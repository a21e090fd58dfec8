// SPDX-License-Identifier: MIT
// Where a search reads its collection statistics: the snapshot's own, or those the caller gave in
// `search_options::statistics` (search/statistics.hpp), through one set of functions so that every
// evaluation path (the term path, the query tree, explanations) reads the same numbers.
// Compile-only (not installed).
#pragma once

#include <cstdint>
#include <string>
#include <string>
#include <string_view>

#include "rapport/core/error.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/search/searcher.hpp"

namespace rapport::search::detail {

/// N of the search: the given statistics' or the snapshot's. Throws: `invalid_argument` when the
/// given statistics count fewer passages than this snapshot holds (they must include its own).
[[nodiscard]] inline std::uint64_t passages(const index::index_reader& r, const search_options& o) {
    if (o.statistics == nullptr) return r.passage_count();
    if (o.statistics->passages < r.passage_count())
        throw invalid_argument("search: the statistics given (search_options::statistics) count " +
                               std::to_string(o.statistics->passages) + " passages, fewer than this index's " +
                               std::to_string(r.passage_count()) + ": they must include this index's");
    return o.statistics->passages;
}

/// Σ passage length of field `f` over the collection.
[[nodiscard]] inline std::uint64_t total_length(const index::index_reader& r, index::field f,
                                                const search_options& o) noexcept {
    return o.statistics != nullptr ? o.statistics->total_lengths[static_cast<std::size_t>(f)] : r.total_length(f);
}

/// The mean length of field `f` over the collection (0 when it has no passages).
[[nodiscard]] inline double average_length(const index::index_reader& r, index::field f, const search_options& o) {
    const auto n = passages(r, o);
    return n == 0 ? 0.0 : static_cast<double>(total_length(r, f, o)) / static_cast<double>(n);
}

/// The key shown in messages: its field mark dropped.
[[nodiscard]] inline std::string shown_key(std::string_view key) {
    switch (index::field_of_key(key)) {
        case index::field::body: return std::string(key);
        case index::field::title: return std::string(key.substr(1));
        default: return std::string(key.substr(2));
    }
}

/// The df of dictionary key `key` over the collection. Throws: `invalid_argument` when the given
/// statistics lack the key (they were gathered for another query).
[[nodiscard]] inline std::uint64_t doc_freq(const index::index_reader& r, const std::string& key, const search_options& o) {
    if (o.statistics == nullptr) return r.doc_freq(key);
    if (const auto* df = o.statistics->doc_freq(key)) return *df;
    throw invalid_argument("search: the statistics given (search_options::statistics) lack the term '" + shown_key(key) +
                           "': gather them with searcher::statistics for this very query");
}

}  // namespace rapport::search::detail
