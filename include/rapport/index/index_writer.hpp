// SPDX-License-Identifier: MIT
// The one writer of an index directory: adds, updates (replace by article id) and deletes articles,
// flushes in-memory segments when a RAM budget is reached, and publishes everything atomically with
// commit(). Merges segments with a tiered policy, or all at once with merge_all().
//
// Thread safety: add(), update() and remove() may be called from many threads at once; each
// calling thread fills its own in-memory segment builder, so N threads index in parallel (as
// Lucene's per-thread writers). commit(), merge_all() and the destructor wait for running adds and
// must not be called concurrently with each other. Readers (`index_reader`) are never blocked.
//
// Durability: a commit writes and fsyncs every new file, then the manifest under a temporary name,
// fsyncs it, renames it into place and fsyncs the directory. A crash at any point leaves the
// previous commit intact; what was added since the last commit is lost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "rapport/core/export.hpp"
#include "rapport/core/types.hpp"
#include "rapport/index/index_options.hpp"
#include "rapport/ingest/article.hpp"

namespace rapport::storage {
class directory;
}

namespace rapport::index {

/// How segments are merged (a tiered policy, after Lucene's TieredMergePolicy in spirit): segments
/// are grouped into tiers by live size (tier t holds sizes in [floor · f^t, floor · f^(t+1))); when
/// a tier holds `merge_factor` segments, they are merged into one (which lands in a higher tier).
struct merge_policy {
    std::size_t merge_factor = 10;        ///< segments of one tier merged together (≥ 2; 0 disables merging)
    std::size_t floor_passages = 1000;    ///< segments smaller than this share the lowest tier
};

/// Writer settings.
struct index_writer_options {
    /// Used when creating an index; an existing index keeps its own, except that a schema other
    /// than the default may append new fields (text fields included) to the index's (`schema_change_problem`; any
    /// other change is an `invalid_argument`), which the next commit records.
    index_options index{};
                                         ///< (but takes `custom_analyzer` again, under its stored name)
    /// Flush a segment when the in-memory builders, with what is held until the commit and what
    /// the caller declares (`set_outside_memory`), reach this size.
    std::size_t ram_budget_mb = 64;
    /// The largest article (title + body bytes) `add` and `update` accept; a larger one is an
    /// `invalid_argument` naming it. One article is analysed whole in memory, which takes about 18
    /// times its size beyond the RAM budget (measured: 5 MB → 108 MB, 25 MB → 448 MB peak RSS), so
    /// the default, 64 MiB, bounds that at about 1.2 GB. 0: no limit.
    std::size_t max_article_bytes = std::size_t{64} << 20;
    merge_policy merges{};
};

/// Statistics of a writer session.
struct index_writer_stats {
    std::uint64_t flushed_segments = 0;  ///< segments written by flushes (RAM budget or commit)
    std::uint64_t merges = 0;            ///< merges performed
    std::uint64_t commits = 0;
};

class RAPPORT_API index_writer {
public:
    /// Opens the index in `dir`, creating an empty one (first commit) if it holds none. Takes the
    /// directory's write lock for the writer's lifetime and removes files no commit refers to
    /// (leftovers of a crash). Throws: `io_error` when another writer holds the lock ("index is
    /// locked by another writer"); `corruption_error` / `format_version_error` for a damaged index;
    /// `invalid_argument` for bad options.
    explicit index_writer(std::shared_ptr<storage::directory> dir, index_writer_options options = {});
    /// Discards what was not committed and releases the lock.
    ~index_writer();
    index_writer(const index_writer&) = delete;
    index_writer& operator=(const index_writer&) = delete;

    /// Adds an article: normalised, split into passages, analysed. Visible after the next commit.
    /// An article whose id already exists is added alongside it (use `update` to replace).
    /// Throws: `invalid_argument` (empty id, invalid UTF-8: nothing is added); `io_error` when a
    /// flush fails. Returns the number of passages added. Complexity: linear in the article's size.
    std::size_t add(ingest::article article);
    /// Adds a text as one passage, without splitting (for callers that split documents themselves).
    std::size_t add_passage(article_id id, std::string title, std::string text);
    /// Adds an article's whole body as one passage, with its language and field values.
    /// Throws: as `add`.
    std::size_t add_passage(ingest::article article);
    /// Replaces every passage of the article with this id (committed or not) by the new article's.
    /// The new article is validated first: if it is rejected, the old one stays.
    std::size_t update(ingest::article article);
    /// Deletes every passage of the article with this id that was added before this call.
    void remove(const article_id& id);

    /// Makes everything added, updated and removed so far durable and visible atomically, then
    /// applies the merge policy. Throws: `io_error`; the previous commit stays intact.
    void commit();
    /// Commits, then merges every segment into one (dropping deleted passages), and commits again.
    void merge_all();
    /// Tells the writer how much memory its caller holds for this session beside it (say, the
    /// ids a bulk load checks for duplicates), so that `ram_budget_mb` bounds the two together:
    /// the builders flush at the budget less this and less what the writer itself holds until the
    /// commit (pending segments' bookkeeping, recorded deletes), but never below a quarter of the
    /// budget. Call it as the figure changes; thread-safe. Default 0.
    void set_outside_memory(std::size_t bytes) noexcept;

    /// Live segments of the last commit.
    [[nodiscard]] std::size_t segment_count() const;
    /// The generation of the last commit.
    [[nodiscard]] std::uint64_t generation() const;
    /// Session statistics.
    [[nodiscard]] index_writer_stats stats() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace rapport::index
