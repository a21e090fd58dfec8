// SPDX-License-Identifier: MIT
// The SQLite FTS5 side of `peers_bench`: builds a database file of the passages' text and runs
// the query log against it as ranked (bm25) top-k (default 10) OR, AND or phrase queries.
// Thread safety: each function opens its own connection; use from one thread.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "peer.hpp"

namespace rapport::bench::peers {

/// How the FTS5 table is declared.
struct fts5_options {
    bool contentless = false;  ///< `content=''`: index only, the text is not stored
};

/// One-line description of the settings used, for the report.
[[nodiscard]] std::string fts5_config(const fts5_options& options);

/// Creates `db_path` (which must not exist) and fills it with every passage's text: one
/// transaction, one prepared INSERT, journal_mode=OFF, synchronous=OFF; then FTS5 'optimize'.
/// Throws: `std::runtime_error` with SQLite's message when a statement fails.
[[nodiscard]] build_figures fts5_build(const corpus& c, const std::string& db_path, const fts5_options& options);

/// Median time of sqlite3_open_v2 (read-only) plus a one-term MATCH returning one row.
[[nodiscard]] double fts5_open_ms(const std::string& db_path);

/// Runs the queries as `SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT k` (rank is
/// bm25()), each turned into a MATCH expression of its tokens (split like unicode61, lower-cased,
/// FTS5 syntax stripped): `"tok1" OR "tok2" ...` (any), `"tok1" AND "tok2" ...` (all) or the
/// phrase `"tok1 tok2 ..."` (phrase). Tokens found in the sorted list `stopwords` are dropped first
/// (empty list: keep all; not for phrases, where FTS5 would then demand the words be adjacent).
/// `count`: afterwards, an untimed pass of `SELECT count(*) ... MATCH ?` fills `matches`.
[[nodiscard]] query_figures fts5_query(const std::string& db_path, std::span<const query> queries, query_type type,
                                       std::span<const std::string> stopwords = {}, bool count = false,
                                       std::size_t k = 10);

/// The MATCH expression `fts5_query` makes of `text` (for the report).
[[nodiscard]] std::string fts5_expression(std::string_view text, query_type type,
                                          std::span<const std::string> stopwords = {});

}  // namespace rapport::bench::peers
