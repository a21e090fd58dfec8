// SPDX-License-Identifier: MIT
// TREC relevance judgments ("qrels"): the graded answers a run is scored against, and their
// text format "qid iter docno rel", read as trec_eval 9.x reads it.
// Thread safety: free functions without shared state; a `qrels` value is safe to share for reading.
#pragma once

#include <filesystem>
#include <istream>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rapport/core/export.hpp"

namespace rapport::eval {

/// One query's judgments: docno -> graded relevance. A grade >= the relevance level (1 by
/// default) makes a document relevant for binary measures; every grade > 0 is an nDCG gain;
/// 0 and negative grades (trec_eval reads -1 as "in the pool but unjudged") are non-relevant.
using judgment_map = std::unordered_map<std::string, int>;

/// The relevance judgments of a test collection.
struct qrels {
    /// qid -> that query's judgments, ordered by qid as strcmp orders them (as trec_eval does).
    /// A query listed here, even with only non-relevant judgments, counts as "judged".
    std::map<std::string, judgment_map> judgments;
};

/// Parses qrels text: one judgment per line, four whitespace-separated fields
/// `qid iter docno rel`; `iter` is ignored and `rel` is a decimal integer (a leading '+' or
/// '-' is allowed). Blank lines and lines whose first non-blank character is '#' are skipped;
/// CR before LF is whitespace. `name` only labels error messages (a file name, "<stdin>").
/// Throws: `invalid_argument` whose message starts with "<name>:<line>:" for a line with other
/// than four fields, a `rel` that is not an integer, or a docno judged twice for one query
/// (trec_eval refuses such files too); `io_error` naming `name` if the stream fails mid-read.
/// Complexity: linear in the input size (expected, hashing docnos).
[[nodiscard]] RAPPORT_API qrels parse_qrels(std::istream& in, std::string_view name);

/// Reads the qrels file at `path` (see `parse_qrels`); error messages name the path.
/// Throws: `io_error` if the file cannot be opened or read; `invalid_argument` as `parse_qrels`.
/// Complexity: linear in the file size.
[[nodiscard]] RAPPORT_API qrels read_qrels(const std::filesystem::path& path);

}  // namespace rapport::eval
