// SPDX-License-Identifier: MIT
// A fixed snapshot of one commit of an index directory: its segments (mapped, never copied into
// memory), their deletions, the statistics BM25 needs summed over them, and a cache of the tables
// derived from them that every search of the snapshot shares (per-passage length normalisers).
// Thread safety: an index_reader is an immutable value (copies share the snapshot, its cache
// included); any number of threads may use one reader, or copies of it, at once. The cache is
// internally synchronised: a table is computed once, by the first thread that asks for it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/core/types.hpp"
#include "rapport/index/disk_segment.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/index/manifest.hpp"
#include "rapport/index/index_options.hpp"

namespace rapport::storage {
class directory;
}

namespace rapport::index {

/// Per-passage length normalisers of one snapshot: one vector per segment (in segment order) of one
/// double per segment-local passage, what the BM25 family divides every term score by
/// (`search::bm25_length_norms`). 8 bytes per passage: 1.2 MB for 145,582 passages.
using length_norm_table = std::vector<std::vector<double>>;

/// What a `length_norm_table` is computed from besides the snapshot: a normaliser function (numbered
/// by its user: the search module has one for BM25's K(dl), one for BM25L's L(dl)) with its
/// parameters (for those: k1, b and avgdl), applied to the combined length Σ w · dl_f of `fields`
/// ((field, weight) pairs, summed in this order). Two keys name the same table when every member is
/// the same, doubles compared bit for bit: a table is reused exactly where it would be recomputed
/// with the same bits.
struct length_norm_key {
    std::uint32_t normaliser = 0;         ///< which function of the length
    std::array<double, 3> parameters{};   ///< its parameters
    std::vector<std::pair<field, double>> fields{{field::body, 1.0}};  ///< the length it is applied to
};

/// The most length-normaliser tables a snapshot keeps (`index_reader::length_norms`); beyond it, the
/// least recently used is dropped from the cache (and freed once no search holds it).
inline constexpr std::size_t length_norm_cache_capacity = 8;

/// The most filter bitsets a snapshot keeps (`index_reader::filter_bits`), least recently used
/// dropped first: 18 KB each for 145,582 passages.
inline constexpr std::size_t filter_cache_capacity = 32;

/// A filter's passages as `index_reader::filter_bits` caches them: the bitset and its bit count.
struct filter_bitset {
    std::vector<std::uint64_t> bits;
    std::uint64_t count = 0;  ///< bits set
};

/// Counters of a snapshot's length-normaliser cache, for tests and tuning.
struct length_norm_cache_stats {
    std::size_t tables = 0;    ///< tables in the cache now (at most `length_norm_cache_capacity`)
    std::uint64_t builds = 0;  ///< tables computed since the snapshot was opened
    std::uint64_t hits = 0;    ///< requests answered with a table computed earlier
};

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
    /// Passages holding the dictionary key `key` (a body term, or `field_term(f, term)`) summed
    /// over every segment, deleted passages included (as BM25's df, until merges drop them).
    /// Throws: `corruption_error` when a dictionary block is malformed.
    [[nodiscard]] std::uint64_t doc_freq(std::string_view key) const;
    /// Articles stored in the snapshot's segments (an updated article counts once per segment
    /// holding a version of it until merges drop the old one).
    [[nodiscard]] std::uint64_t article_count() const noexcept;
    /// The directory the snapshot reads.
    [[nodiscard]] const std::shared_ptr<storage::directory>& directory() const noexcept;
    /// The manifest of the snapshot.
    [[nodiscard]] const manifest& commit() const noexcept;

    /// The segment holding global docid `d` and the local docid. Requires: d < passage_count().
    [[nodiscard]] std::pair<const disk_segment*, docid_t> locate(docid_t d) const noexcept;

    /// The snapshot's table for `key`: computed by `build` the first time any copy of this reader
    /// asks for `key`, then shared by every caller until evicted (least recently used first, beyond
    /// `length_norm_cache_capacity` tables). The pointer keeps its table alive, evicted or not, and
    /// the table never changes. `build` must return one vector per segment, computed from `key` and
    /// this snapshot only (every caller with the same key must get the same values).
    /// Thread-safe: concurrent callers with the same key wait for one `build`; different keys build
    /// in parallel. A `build` that throws leaves nothing cached (the next caller builds again).
    /// Throws: what `build` throws. Complexity: O(capacity) key comparisons, plus `build` on a miss.
    [[nodiscard]] std::shared_ptr<const length_norm_table> length_norms(
        const length_norm_key& key, const std::function<length_norm_table()>& build) const;
    /// The counters of the length-normaliser cache. Complexity: O(1).
    [[nodiscard]] length_norm_cache_stats length_norm_cache() const;
    /// The snapshot's bitset for the filter `key` (its canonical text, `search::filter::to_string`):
    /// built by `build` the first time, then shared until evicted (`filter_cache_capacity`), as
    /// Lucene's query cache keeps the filters a server sees again and again. Thread-safe as
    /// `length_norms`. Throws: what `build` throws.
    [[nodiscard]] std::shared_ptr<const filter_bitset> filter_bits(const std::string& key,
                                                                   const std::function<filter_bitset()>& build) const;

private:
    struct state;
    explicit index_reader(std::shared_ptr<const state> s) noexcept : state_(std::move(s)) {}
    static index_reader open_commit(std::shared_ptr<storage::directory> dir, const index_reader* previous);
    std::shared_ptr<const state> state_;
};

}  // namespace rapport::index
