// SPDX-License-Identifier: MIT
// The Xapian 1.4 side of `peers_bench` (compiled only when xapian-core is found,
// RAPPORT_HAVE_XAPIAN): builds a glass database of the passages' text (with positions) and runs the
// query log against it as ranked (BM25) top-k (default 10) OR, AND or phrase queries.
// Thread safety: each function opens its own database; use from one thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

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

/// Runs the queries: QueryParser (English stemmer, STEM_SOME), Enquire with BM25Weight(k1 0.9,
/// b 0.4), get_mset(0, k). any / all: no operator flags, default op OP_OR / OP_AND (stemmed terms);
/// phrase: the text (quotes removed) inside quotes with FLAG_PHRASE, which gives OP_PHRASE over the
/// unstemmed, positional terms (STEM_SOME never stems inside a phrase). Words in `stopwords` are
/// dropped by the parser's stopper (empty list: no stopper; ignored for phrases).
/// `count`: afterwards, an untimed pass of get_mset(0, 0, doccount), whose match count is then exact,
/// fills `matches`.
[[nodiscard]] query_figures xapian_query(const std::string& db_path, std::span<const query> queries, query_type type,
                                         std::span<const std::string> stopwords = {}, bool count = false,
                                         std::size_t k = 10);

/// Xapian's description of the query its parser makes of `text` as a `type` query (no stopper).
[[nodiscard]] std::string xapian_describe(const std::string& db_path, std::string_view text, query_type type);

}  // namespace rapport::bench::peers
