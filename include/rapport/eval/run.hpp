// SPDX-License-Identifier: MIT
// TREC runs: a system's ranked, scored answers per query, their text format
// "qid Q0 docno rank score tag", and the order in which trec_eval 9.x ranks them.
// Thread safety: free functions without shared state; a `run` value is safe to share for reading.
#pragma once

#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/core/export.hpp"

namespace rapport::eval {

/// One retrieved document of one query.
struct run_entry {
    std::string docno;  ///< the document's external id; non-empty, no whitespace
    double score;       ///< higher ranks first; the only thing trec_eval ranks by
};

/// A system's results for a set of queries.
struct run {
    /// qid -> retrieved documents, in any order (see `sort_trec_order`).
    std::map<std::string, std::vector<run_entry>> results;
    /// The run name written in the sixth column; non-empty, no whitespace.
    std::string tag = "rapport";
};

/// Sorts `entries` into trec_eval's ranking: score descending, ties broken by docno
/// *descending* in strcmp (unsigned byte) order, so "b" ranks above "a" and "9" above "10".
/// trec_eval ignores a run file's rank column and ranks this way instead.
/// Throws: `invalid_argument` naming `qid` and the docno if a docno occurs twice or a score is
/// NaN (trec_eval fails on duplicates too).
/// Complexity: O(n log n) comparisons for n entries.
RAPPORT_API void sort_trec_order(std::vector<run_entry>& entries, std::string_view qid);

/// Parses run text: one entry per line, whitespace-separated `qid Q0 docno rank score tag`.
/// `Q0` and `rank` are ignored (as trec_eval does), and so are fields after the sixth. `score`
/// is a decimal floating-point number or inf (a leading '+' is allowed). Entries keep the
/// file's order (`sort_trec_order` ranks them). The first entry's tag becomes `run::tag`.
/// Blank lines and lines whose first non-blank character is '#' are skipped. `name` only
/// labels error messages.
/// Throws: `invalid_argument` whose message starts with "<name>:<line>:" for a line with fewer
/// than six fields, a score that is not a number or is NaN, or a docno listed twice for one
/// query (the message names the query and docno); `io_error` naming `name` if the stream fails.
/// Complexity: linear in the input size (expected, hashing docnos).
[[nodiscard]] RAPPORT_API run parse_run(std::istream& in, std::string_view name);

/// Reads the run file at `path` (see `parse_run`); error messages name the path.
/// Throws: `io_error` if the file cannot be opened or read; `invalid_argument` as `parse_run`.
/// Complexity: linear in the file size.
[[nodiscard]] RAPPORT_API run read_run(const std::filesystem::path& path);

/// Writes `r` as run text: queries in qid (strcmp) order, each in `sort_trec_order` order with
/// ranks 1, 2, ...; scores in the shortest form that reads back to the same double, so
/// `parse_run` of the output yields the same run up to entry order. The stream's failure state
/// is left for the caller to check.
/// Throws: `invalid_argument` if a qid, docno or the tag is empty or contains whitespace (the
/// line could not be read back), or as `sort_trec_order`; nothing is written in that case.
/// Complexity: O(n log n) for n entries.
RAPPORT_API void write_run(std::ostream& out, const run& r);

/// Writes `r` to the file at `path` (see the stream overload), replacing it.
/// Throws: `io_error` if the file cannot be created or written; `invalid_argument` as above.
/// Complexity: O(n log n) for n entries.
RAPPORT_API void write_run(const std::filesystem::path& path, const run& r);

}  // namespace rapport::eval
