// SPDX-License-Identifier: MIT
// Compile-only: merges on-disk segments into one in-memory segment, dropping deleted passages and
// renumbering docids in source order (so postings stay sorted without re-sorting).
// Thread safety: reads immutable segments; no shared state.
#pragma once

#include <memory>
#include <vector>

#include "rapport/index/disk_segment.hpp"
#include "rapport/index/segment.hpp"

namespace rapport::index::detail {

/// The live passages of `sources`, in order, as one segment: postings with positions, exact
/// lengths, stored passages and the articles they belong to. Throws: `corruption_error` when a
/// postings list of a source fails to decode. Complexity: linear in the sources' postings, plus
/// O(T log T) over distinct terms; the merged segment is built in memory.
[[nodiscard]] segment merge_segments(const std::vector<std::shared_ptr<const disk_segment>>& sources);

}  // namespace rapport::index::detail
