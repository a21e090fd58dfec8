// SPDX-License-Identifier: MIT
// Compile-only: merges on-disk segments into a new on-disk segment, dropping deleted passages and
// renumbering docids in source order (so postings stay sorted without re-sorting). Streaming: the
// dictionaries are merged term by term (k-way), one term's postings are held in memory at a time,
// and encoded output goes to the files as it grows, so a merge needs memory for the largest
// postings list and the stored-field blocks, not for the merged segment.
// Thread safety: reads immutable segments; no shared state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rapport/index/disk_segment.hpp"

namespace rapport::storage {
class directory;
}

namespace rapport::index::detail {

/// What a merge wrote.
struct merged_segment {
    std::uint32_t passages = 0;
    std::uint32_t articles = 0;
    std::vector<file_seal> files;  ///< the seals of the files written, in segment_files::all order
};

/// Writes the live passages of `sources`, in order, as segment `name` of `dir`: postings with
/// positions, exact lengths, stored passages and the articles they belong to, and the sum of the
/// sources' surface words (deleted passages' words included; a source older than format 4 has its
/// words counted from its stored text, NFKC_Casefold-ed when `fold_words`), and the articles'
/// field values under `values_schema` (a source without a field's column gives its articles none).
/// Throws: `corruption_error` when a source fails to decode; `io_error` when writing fails.
/// Complexity: linear in the sources' postings, O(P log S) for the k-way term merge.
[[nodiscard]] merged_segment merge_segments(storage::directory& dir, const std::string& name,
                                            const std::vector<std::shared_ptr<const disk_segment>>& sources,
                                            bool fold_words = true, const schema& values_schema = default_schema());

}  // namespace rapport::index::detail
