// SPDX-License-Identifier: MIT
// Several local indexes searched as one: the shards of a collection too large for one index, or
// indexes built apart (one per source, per month) that users search together. Each query gathers
// the collection statistics of every index (`searcher::statistics`), sums them
// (`collection_statistics::merge`) and scores every index with the sum, so that every passage
// scores exactly as in one index holding all of them (BM25's N, avgdl and df are the collection's,
// not the shard's). The passages of the indexes are numbered one after another in the order given
// (index 0's first), and the answer is the one `run` gives for one index holding the indexes'
// segments in that order: the same hits with the same scores, ties by that numbering, the same
// facet counts and totals, one ranking of articles over all indexes (an article is told apart per
// segment, as in one index, so an id present in two indexes counts twice), sorting and paging
// (`search_after` cursors) across all of them. Each hit names its index (`request_hit::index`).
// Prefix and fuzzy terms expand over every index's dictionaries, in two rounds of statistics
// (exactness: search/statistics.hpp). Per index and not global: `index(i).explain` (pass it
// `statistics(query)` in `search_options::statistics` to explain the global score; the passage id
// it shows is the one in index i), `rm3` and `suggest` (one index's text and words), and the
// highlight terms of `index(i).highlight_terms` (a prefix expands over index i's words).
// Thread safety: every member function is const and safe to call from any number of threads, as
// the searchers it holds are.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/search/request.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/search/statistics.hpp"

namespace rapport::search {

/// Several indexes as one (see the file comment).
class RAPPORT_API multi_searcher {
public:
    /// Searches `indexes` in this order. Throws: `invalid_argument` when the list is empty, holds a
    /// null searcher, or holds indexes whose schemas or analysis options differ from index 0's (a
    /// query must mean the same in every index), or more than 2^32 − 2 passages together.
    explicit multi_searcher(std::vector<std::shared_ptr<const searcher>> indexes);

    /// The merged statistics of every index for `analysed` (`searcher::statistics`, summed).
    /// Throws: as `searcher::statistics`, or `invalid_argument` when a sum overflows.
    [[nodiscard]] collection_statistics statistics(const query::query& analysed, const search_options& options = {}) const;

    /// Answers `request` over every index as `search::run` answers it over one index holding them
    /// all, with the merged statistics (or `request.options.statistics`, when the caller gathered
    /// them). The hits' `passage` is the id in their own index (`request_hit::index`); their
    /// cursors page through the whole set. Throws: as `search::run`, and `invalid_argument` for a
    /// passage bitset (`search_options::filter`; give `search_request::filter` instead).
    [[nodiscard]] search_response run(const query::query& analysed, const search_request& request) const;

    /// The indexes, in order.
    [[nodiscard]] std::size_t size() const noexcept { return indexes_.size(); }
    /// Index `i`'s searcher (to parse a query, fetch or highlight a hit). Requires: i < size().
    [[nodiscard]] const searcher& index(std::size_t i) const noexcept { return *indexes_[i]; }
    /// The id of index `i`'s first passage in the numbering of the whole (its passage count summed
    /// over the indexes before it). Requires: i < size().
    [[nodiscard]] docid_t base(std::size_t i) const noexcept { return bases_[i]; }

private:
    std::vector<std::shared_ptr<const searcher>> indexes_;
    std::vector<docid_t> bases_;
};

}  // namespace rapport::search
