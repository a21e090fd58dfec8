// SPDX-License-Identifier: MIT
// Query files of judged collections: one "qid<TAB>text" per line (the format of
// ../shared/corpora/*/queries.tsv and of Anserini's TSV topics).
// Thread safety: free functions without shared state.
#pragma once

#include <filesystem>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/core/export.hpp"

namespace rapport::eval {

/// One query of a test collection.
struct query {
    std::string qid;
    std::string text;
};

/// Parses "qid<TAB>text" lines; blank lines are skipped, a trailing '\r' is dropped.
/// Throws: `invalid_argument` naming `name` and the 1-based line for a line without a tab or with
/// an empty qid.
[[nodiscard]] RAPPORT_API std::vector<query> parse_queries(std::istream& in, std::string_view name);

/// Reads a queries file. Throws: `io_error` when it cannot be opened; as `parse_queries` otherwise.
[[nodiscard]] RAPPORT_API std::vector<query> read_queries(const std::filesystem::path& path);

}  // namespace rapport::eval
