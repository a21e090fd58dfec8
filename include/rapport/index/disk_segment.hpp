// SPDX-License-Identifier: MIT
// An immutable segment as stored in a directory: five files (term dictionary, postings, positions,
// passage lengths, stored fields) mapped read-only and decoded in place, plus the deletion bitmap of
// the commit that opened it. `write_segment` is its serializer.
// Thread safety: a disk_segment is immutable after open; any number of threads may read it, each
// with its own cursors.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/codec/postings_cursor.hpp"
#include "rapport/codec/term_dictionary.hpp"
#include "rapport/codec/term_info.hpp"
#include "rapport/core/bitset.hpp"
#include "rapport/core/export.hpp"
#include "rapport/core/types.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/index/manifest.hpp"
#include "rapport/index/segment.hpp"

namespace rapport::storage {
class directory;
class file_view;
}  // namespace rapport::storage

namespace rapport::index {

class stored_fields_reader;

/// Format versions of the segment files this build writes and reads.
inline constexpr std::uint32_t segment_format_version = 6;
/// The oldest segment format this build reads: version 1 had no title field (its passages read
/// as having empty titles).
inline constexpr std::uint32_t min_segment_format_version = 1;

/// File extensions of a segment's files.
namespace segment_files {
inline constexpr const char* dictionary = "dict";
inline constexpr const char* postings = "post";
inline constexpr const char* positions = "posn";
inline constexpr const char* lengths = "lens";
inline constexpr const char* stored = "stor";
inline constexpr const char* words = "word";  ///< from format 4; older segments have none
inline constexpr const char* values = "fval";  ///< from format 5; older segments have none
inline constexpr const char* all[] = {dictionary, postings, positions, lengths, stored, words, values};
/// Files of a format 4 segment (and their seals): every one of `all` but `values`.
inline constexpr std::size_t format4_count = 6;
}  // namespace segment_files

namespace detail {
/// Article ids by article number, packed end to end (what the `LENS` payload stores, FORMAT.md
/// §6): 4 bytes an id beside its text, where a vector of strings took 32 or more.
class article_ids {
public:
    /// Appends the next article's id. Throws: `invalid_argument` when the ids exceed 4 GiB.
    void add(std::string_view id);
    [[nodiscard]] std::size_t size() const noexcept { return ends_.size() - 1; }
    [[nodiscard]] std::span<const std::uint32_t> ends() const noexcept { return ends_; }  ///< 0, then each id's end
    [[nodiscard]] std::string_view bytes() const noexcept { return bytes_; }

private:
    std::vector<std::uint32_t> ends_{0};
    std::string bytes_;
};
/// Writes the `LENS` file (FORMAT.md §6) of passages with these body lengths, article numbers and
/// title lengths, and of articles with these ids, piece by piece (no copy of the payload is held).
/// Requires: the three spans have the same size. Throws: `io_error` naming the file.
file_seal write_lengths(storage::directory& dir, const std::string& file, std::span<const std::uint32_t> body,
                        std::span<const std::uint32_t> articles, std::span<const std::uint32_t> title,
                        const article_ids& ids);
/// Adds a surface word to the `WORD` dictionary being built (FORMAT.md §9): the word as the key,
/// its passage count as df and its occurrences as total_tf, every other field 0.
void add_word(codec::term_dictionary_writer& out, std::string_view word, std::uint32_t df, std::uint64_t count);
}  // namespace detail

/// Writes `seg` to `dir` as segment `name` (files `<name>.dict`, `.post`, `.posn`, `.lens`, `.stor`, `.word`, `.fval`),
/// each fsynced. Returns the files' seals in `segment_files::all` order, for the commit to record.
/// Throws: `io_error` naming the file.
RAPPORT_API std::vector<file_seal> write_segment(storage::directory& dir, const std::string& name, const segment& seg);

/// Writes a deletion bitmap (portable roaring format) for a segment; returns the file's seal.
/// Throws: `io_error`.
RAPPORT_API file_seal write_deletions(storage::directory& dir, const std::string& file,
                                      const std::vector<docid_t>& deleted);

/// A read-only segment over mapped files.
class RAPPORT_API disk_segment {
public:
    /// Opens segment `name` of `dir` with `passages` passages and the deletions in `deletions_file`
    /// (empty: none). Checks every file's header, footer and checksum.
    /// Throws: `corruption_error` / `format_version_error` naming the file; `io_error` when missing.
    static std::shared_ptr<const disk_segment> open(const storage::directory& dir, const std::string& name,
                                                    std::uint32_t passages, const std::string& deletions_file);
    /// Opens the segment a commit names, checking each file against the entry's seals (size and
    /// checksum) when it has them: a sound file that is not the one the commit wrote (from another
    /// segment, index or commit) is a `corruption_error` naming it.
    /// Throws: as the overload above.
    static std::shared_ptr<const disk_segment> open(const storage::directory& dir, const segment_entry& entry);
    ~disk_segment();
    disk_segment(const disk_segment&) = delete;  // title_lengths_ may point into no_titles_
    disk_segment& operator=(const disk_segment&) = delete;

    /// The segment's name (file stem).
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    /// Passages in the segment, deleted ones included; docids are 0 .. size()-1.
    [[nodiscard]] std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(lengths_.size()); }
    /// Passages not deleted.
    [[nodiscard]] std::uint32_t live_size() const noexcept { return size() - deleted_count_; }
    /// Number of deleted passages.
    [[nodiscard]] std::uint32_t deleted_count() const noexcept { return deleted_count_; }
    /// Exact passage lengths, zero-copy from the mapped file.
    [[nodiscard]] std::span<const std::uint32_t> lengths() const noexcept { return lengths_; }
    /// The exact length of every passage in field `f` (body: `lengths()`; title: 0 for every
    /// passage of a version 1 segment, which has no title field; a text field numbered 2 or more:
    /// its article's, from the value columns, and 0 for every passage of a segment without it).
    [[nodiscard]] std::span<const std::uint32_t> lengths(field f) const noexcept {
        if (f == field::title) return title_lengths_;
        if (f == field::body) return lengths_;
        const auto k = static_cast<std::size_t>(f) - 2;
        if (k < field_lengths_.size() && !field_lengths_[k].empty()) return field_lengths_[k];
        return zeros();
    }
    /// The sum of `lengths(f)`.
    [[nodiscard]] std::uint64_t total_length(field f) const noexcept {
        if (f == field::title) return total_title_length_;
        if (f == field::body) return total_length_;
        const auto k = static_cast<std::size_t>(f) - 2;
        return k < field_totals_.size() ? field_totals_[k] : 0;
    }
    /// Whether the segment holds text field `f` (title and body always; another when its articles
    /// were written with a schema declaring it).
    [[nodiscard]] bool has_field(field f) const noexcept {
        const auto k = static_cast<std::size_t>(f) - 2;
        return static_cast<std::size_t>(f) < 2 || (k < field_lengths_.size() && !field_lengths_[k].empty());
    }
    /// The article number of passage `d`, without touching stored fields. Requires: d < size().
    [[nodiscard]] std::uint32_t article_of(docid_t d) const noexcept { return articles_[d]; }
    /// The article number of every passage (`article_of` for each docid), zero-copy.
    [[nodiscard]] std::span<const std::uint32_t> article_numbers() const noexcept { return articles_; }
    /// Sum of all passage lengths (deleted included).
    [[nodiscard]] std::uint64_t total_length() const noexcept { return total_length_; }
    /// True when passage `d` is deleted. Requires: d < size().
    [[nodiscard]] bool is_deleted(docid_t d) const noexcept {
        return test_bit(deleted_, d);
    }
    /// The deletion bitset (one bit per docid; empty when nothing is deleted).
    [[nodiscard]] std::span<const std::uint64_t> deletion_bits() const noexcept { return deleted_; }
    /// The term dictionary.
    [[nodiscard]] const codec::term_dictionary& dictionary() const noexcept { return dictionary_; }
    /// The surface-word dictionary (FORMAT.md §9): each word as written (case-folded when the
    /// index folds case) with df = passages holding it and total_tf = its occurrences, deleted
    /// passages included. Empty for a segment older than format 4 (see `has_words`).
    [[nodiscard]] const codec::term_dictionary& words() const noexcept { return words_; }
    /// Whether the segment has a surface-word dictionary (format 4 or later).
    [[nodiscard]] bool has_words() const noexcept { return has_words_; }
    /// The values of its articles' fields besides title and body (empty: none, or a segment older than format 5).
    [[nodiscard]] const value_columns& values() const noexcept { return values_; }
    /// Looks a term up. Throws: `corruption_error` on a damaged dictionary block.
    [[nodiscard]] std::optional<codec::term_info> find(std::string_view term) const { return dictionary_.find(term); }
    /// A cursor over a term's postings. Requires: `info` came from this segment's dictionary.
    /// Bytes of the postings and of the positions payload (FORMAT.md §5).
    [[nodiscard]] std::uint64_t postings_bytes() const noexcept { return postings_.size(); }
    [[nodiscard]] std::uint64_t positions_bytes() const noexcept { return positions_.size(); }
    [[nodiscard]] codec::block_postings_cursor cursor(const codec::term_info& info) const noexcept {
        return codec::block_postings_cursor(postings_, positions_, info, size(), postings_layout_);
    }
    /// The stored fields of passage `d`. Throws: `corruption_error` on damaged data.
    [[nodiscard]] passage_record passage(docid_t d) const;
    /// The stored fields of article number `a`, with its field values in the order of the
    /// segment's own columns (`values().values(schema, a)` gives them in a schema's order).
    /// Throws: `corruption_error` on damaged data.
    [[nodiscard]] article_record article(std::uint32_t a) const;
    /// Number of articles in the segment.
    [[nodiscard]] std::uint32_t article_count() const noexcept;
    /// The segment's stored fields as the library reads them (an opaque type outside lib/: merges
    /// copy its compressed blocks as they are).
    [[nodiscard]] const stored_fields_reader& stored_fields() const noexcept;
    /// The external id of article number `a`, zero-copy from the lengths file (no stored text is
    /// decompressed; a segment of format 1 or 2 had its ids read once at open). The view lives as
    /// long as the segment. Requires: a < article_count(). Complexity: O(1).
    [[nodiscard]] std::string_view article_id(std::uint32_t a) const noexcept {
        return {ids_.data() + id_offsets_[a], id_offsets_[a + 1] - id_offsets_[a]};
    }
    /// The full path of the postings file (for error messages).
    [[nodiscard]] std::string postings_path() const;
    /// The full path of the positions file (for error messages).
    [[nodiscard]] std::string positions_path() const;
    /// The files the segment reads (for checks and reports).
    [[nodiscard]] std::vector<std::shared_ptr<const storage::file_view>> files() const;

private:
    static std::shared_ptr<const disk_segment> open_sealed(const storage::directory& dir, const std::string& name,
                                                           std::uint32_t passages, const std::string& deletions_file,
                                                           const segment_entry* seals);
    struct impl;
    disk_segment() = default;
    std::string name_;
    std::shared_ptr<impl> impl_;
    codec::term_dictionary dictionary_;
    codec::term_dictionary words_;
    bool has_words_ = false;
    value_columns values_;
    std::string_view postings_;
    std::string_view positions_;
    codec::postings_layout postings_layout_ = codec::postings_layout::impacts;
    std::span<const std::uint32_t> lengths_;
    std::span<const std::uint32_t> articles_;
    std::span<const std::uint32_t> title_lengths_;
    std::vector<std::uint32_t> no_titles_;  ///< zeros standing for a version 1 segment's title lengths
    // The lengths of text fields numbered 2 and up (by number − 2; empty: the segment lacks it),
    // expanded from the value columns by passage, and their sums.
    std::vector<std::vector<std::uint32_t>> field_lengths_;
    std::vector<std::uint64_t> field_totals_;
    // Zeros for a field the segment lacks, made on first use.
    [[nodiscard]] std::span<const std::uint32_t> zeros() const;
    mutable std::once_flag zeros_once_;
    mutable std::vector<std::uint32_t> zeros_;
    std::string_view ids_;                   ///< the article ids, back to back
    std::span<const std::uint32_t> id_offsets_;  ///< article a's id is ids_[id_offsets_[a], id_offsets_[a + 1])
    std::string legacy_ids_;                 ///< ids_ of a version 1 or 2 segment, read from stored fields
    std::vector<std::uint32_t> legacy_id_offsets_;
    std::uint64_t total_length_ = 0;
    std::uint64_t total_title_length_ = 0;
    std::vector<std::uint64_t> deleted_;
    std::uint32_t deleted_count_ = 0;
};

}  // namespace rapport::index
