// SPDX-License-Identifier: MIT
// A fixed snapshot of one commit of an index directory: its segments (mapped, never copied into
// memory), their deletions, and the statistics BM25 needs summed over them.
// Thread safety: an index_reader is an immutable value (copies share the snapshot); any number of
// threads may search one reader at once, each through its own `search::searcher`.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/core/types.hpp"
#include "rapport/index/disk_segment.hpp"
#include "rapport/index/manifest.hpp"
#include "rapport/index/index_options.hpp"

namespace rapport::storage {
class directory;
}

namespace rapport::index {

/// A read-only snapshot of the latest commit at the time it was opened.
class RAPPORT_API index_reader {
public:
    /// Opens the latest commit of `dir`. Retries when a concurrent commit removes files of the
    /// commit being opened. Throws: `io_error` when `dir` holds no commit ("no index"), and
    /// `corruption_error` / `format_version_error` naming the damaged file.
    /// Complexity: maps each file and verifies its checksum; reads no postings into memory.
    [[nodiscard]] static index_reader open(std::shared_ptr<storage::directory> dir);

    /// A reader of the latest commit if it is newer than this one, reusing every unchanged segment
    /// (cheap); nothing when this reader is current.
    [[nodiscard]] std::optional<index_reader> reopen() const;

    /// The commit generation of this snapshot.
    [[nodiscard]] std::uint64_t generation() const noexcept;
    /// The options the index was built with (queries must be analysed the same way).
    [[nodiscard]] const index_options& options() const noexcept;
    /// The segments, in docid order.
    [[nodiscard]] std::span<const std::shared_ptr<const disk_segment>> segments() const noexcept;
    /// First global docid of each segment (global docid = base + segment-local docid).
    [[nodiscard]] std::span<const docid_t> bases() const noexcept;
    /// Passages in the snapshot, deleted ones included (N in BM25, as Lucene's maxDoc).
    [[nodiscard]] std::uint64_t passage_count() const noexcept;
    /// Passages not deleted.
    [[nodiscard]] std::uint64_t live_passage_count() const noexcept;
    /// Sum of passage lengths over all passages (deleted included, as N).
    [[nodiscard]] std::uint64_t total_length() const noexcept;
    /// Sum of passage lengths in field `f` over all passages (body: `total_length()`).
    [[nodiscard]] std::uint64_t total_length(field f) const noexcept;
    /// Articles stored in the snapshot's segments (an updated article counts once per segment
    /// holding a version of it until merges drop the old one).
    [[nodiscard]] std::uint64_t article_count() const noexcept;
    /// The directory the snapshot reads.
    [[nodiscard]] const std::shared_ptr<storage::directory>& directory() const noexcept;
    /// The manifest of the snapshot.
    [[nodiscard]] const manifest& commit() const noexcept;

    /// The segment holding global docid `d` and the local docid. Requires: d < passage_count().
    [[nodiscard]] std::pair<const disk_segment*, docid_t> locate(docid_t d) const noexcept;

private:
    struct state;
    explicit index_reader(std::shared_ptr<const state> s) noexcept : state_(std::move(s)) {}
    static index_reader open_commit(std::shared_ptr<storage::directory> dir, const index_reader* previous);
    std::shared_ptr<const state> state_;
};

}  // namespace rapport::index
