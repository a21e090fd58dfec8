// SPDX-License-Identifier: MIT
// The fields part of `peers_bench` (`--fields`): every passage gets synthetic metadata (a
// selectivity bucket, a category, a date), and rapport, SQLite FTS5 and Xapian run the same OR
// queries top-10 unfiltered, filtered to 1 %, 10 % and 50 % of the passages, with facet counts per
// category over every match, and sorted by date: rapport through `search::run` (keyword filters,
// facets, field sort), FTS5 with a metadata table joined on rowid (`WHERE`, `GROUP BY`, `ORDER
// BY`), Xapian with boolean filter terms (OP_FILTER), a ValueCountMatchSpy and
// set_sort_by_value_then_relevance.
// Thread safety: each function opens its own index; use from one thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "peer.hpp"

namespace rapport::bench::peers {

/// The query shapes of the fields benchmark.
enum class fields_shape { plain, filter1, filter10, filter50, facet, sort_date };
inline constexpr fields_shape all_fields_shapes[] = {fields_shape::plain,    fields_shape::filter1, fields_shape::filter10,
                                                     fields_shape::filter50, fields_shape::facet,   fields_shape::sort_date};
/// "OR", "OR, filter 1 %", ...
[[nodiscard]] const char* shape_name(fields_shape s) noexcept;

/// The synthetic metadata of passage `i` (a hash of i): `bucket` in 0..99 (filter p1 holds the
/// passages with bucket < 1, p10 < 10, p50 < 50), one of 20 categories, a day in 2000–2024.
struct synthetic_meta {
    unsigned bucket;
    unsigned category;
    std::int64_t day;  ///< days since 1970-01-01
};
[[nodiscard]] synthetic_meta meta_of(std::size_t i) noexcept;

/// One measured row: a system, a shape, its latencies, and per query the top ids (and for the
/// facet shape the count of the most frequent category, a cross-check between systems).
struct fields_row {
    std::string system;
    fields_shape shape;
    query_figures figures;
    std::vector<std::uint64_t> top_category_counts;
};

/// Builds each system's index of `c` with the metadata in `dir` and runs every shape over `queries`.
/// rapport's with `sorted`: the index sorted by the filter's field (schema "sort": "sel"), as
/// system "rapport sorted".
[[nodiscard]] std::vector<fields_row> fields_rapport(const corpus& c, std::span<const query> queries, const std::string& dir,
                                                     bool sorted = false);
[[nodiscard]] std::vector<fields_row> fields_fts5(const corpus& c, std::span<const query> queries, const std::string& dir);
#if RAPPORT_HAVE_XAPIAN
[[nodiscard]] std::vector<fields_row> fields_xapian(const corpus& c, std::span<const query> queries, const std::string& dir);
#endif

}  // namespace rapport::bench::peers
