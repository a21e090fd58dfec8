// SPDX-License-Identifier: MIT
// check_index: the full, paranoid verification pass over an index directory (Lucene's CheckIndex).
// Thread safety: reads only; safe to run while a writer commits (it checks one snapshot).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rapport/core/export.hpp"

namespace rapport::storage {
class directory;
}

namespace rapport::index {

class index_reader;

/// What `check_index` found.
struct check_report {
    std::uint64_t generation = 0;
    std::uint64_t segments = 0;
    std::uint64_t passages = 0;   ///< deleted included
    std::uint64_t deleted = 0;
    std::uint64_t terms = 0;      ///< summed over segments
    std::uint64_t postings = 0;
    std::uint64_t positions = 0;
    std::uint64_t bytes = 0;      ///< size of the files of the commit
    std::vector<std::string> problems;  ///< one line each, naming the file; empty when healthy

    /// True when no problem was found.
    [[nodiscard]] bool ok() const noexcept { return problems.empty(); }
};

/// Opens the latest commit and verifies everything: every file's checksum; the dictionary's
/// terms strictly ascend; every postings list decodes, its docids strictly ascend and stay below
/// the segment size, its df, total tf, max tf and min length match the dictionary; positions
/// ascend within each posting and number tf; every stored passage and article decodes, points
/// at a valid article and has a byte range as long as its text; deletion counts match the manifest. Problems are collected, not thrown.
/// Throws: `io_error` when the directory holds no index.
/// Complexity: linear in the size of the index.
[[nodiscard]] RAPPORT_API check_report check_index(std::shared_ptr<storage::directory> dir);

/// Verifies the snapshot `reader` holds, as above, from the files it mapped (their checksums were
/// verified when it opened them): a writer that commits, merges and removes files meanwhile
/// changes nothing of what is checked, so no damage is reported that is not there.
[[nodiscard]] RAPPORT_API check_report check_index(const index_reader& reader);

}  // namespace rapport::index
