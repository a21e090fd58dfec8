// SPDX-License-Identifier: MIT
// The Xapian 1.4 side of `peers_bench` (compiled only when xapian-core is found,
// RAPPORT_HAVE_XAPIAN): builds a glass database of the passages' text and runs the query log
// against it as ranked OR (BM25) top-10.
// Thread safety: each function opens its own database; use from one thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "peer.hpp"

namespace rapport::bench::peers {

/// One-line description of the settings used, for the report.
[[nodiscard]] std::string xapian_config();

/// Creates the database directory `db_path` and indexes every passage's text with TermGenerator
/// (English stemmer, STEM_SOME, positions), no document data; one commit at the end.
[[nodiscard]] build_figures xapian_build(const corpus& c, const std::string& db_path);

/// What an offline compaction of a database gives.
struct compact_figures {
    double seconds = 0;
    std::uint64_t bytes = 0;
};

/// Compacts `db_path` into the new directory `out_path` (what xapian-compact does) and sizes it.
[[nodiscard]] compact_figures xapian_compact(const std::string& db_path, const std::string& out_path);

/// Median time of opening `db_path` read-only and reading its document count.
[[nodiscard]] double xapian_open_ms(const std::string& db_path);

/// Runs the queries: QueryParser (English stemmer, STEM_SOME, default op OR, no operator flags),
/// Enquire with BM25Weight(k1 0.9, b 0.4), get_mset(0, 10). Words in `stopwords` are dropped by the
/// parser's stopper (empty list: no stopper).
[[nodiscard]] query_figures xapian_query(const std::string& db_path, std::span<const query> queries,
                                         std::span<const std::string> stopwords = {});

}  // namespace rapport::bench::peers
