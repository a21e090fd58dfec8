// SPDX-License-Identifier: MIT
// Compile-only (lib/, never installed; tests include it through lib/). Stored fields of an on-disk segment: each passage's text, article number, ordinal and byte range, and
// each article's id and title, compressed with zstd in independent blocks of about 16 KiB so that only
// the few results shown are ever decompressed. The byte layout is specified below and in
// FORMAT.md §7; zstd stays inside lib/index/stored_fields.cpp.
//
// Thread safety: a `stored_fields_writer` is used by one thread at a time. A `stored_fields_reader` is
// immutable and may be used by any number of threads at once: each call decompresses into its own
// buffer (with a per-thread zstd context) and shares no mutable state.
//
// Layout (fixed-width integers little-endian, varints unsigned LEB128 as in core/varint.hpp; offsets
// are relative to the first byte of the payload):
//
//   payload := passage_block[0 .. PB-1]  article_block[0 .. AB-1]
//              passage_index[PB]  article_index[AB]  trailer
//   article index entry (16 bytes) := first:fixed32  raw_size:fixed32  offset:fixed64
//   passage index entry (20 bytes; 16 before segment version 6, without article_base)
//                       := first:fixed32  raw_size:fixed32  offset:fixed64  article_base:fixed32
//   trailer (36 bytes; 32 before version 6, without index_crc)
//                          := article_blocks_offset:fixed64  index_offset:fixed64
//                             passage_count:fixed32  passage_block_count:fixed32
//                             article_count:fixed32  article_block_count:fixed32
//                             index_crc:fixed32  (CRC32C of the two block indexes)
//
// Passage blocks occupy [0, article_blocks_offset), article blocks [article_blocks_offset,
// index_offset); the two indexes follow at index_offset, and index_offset + 20·PB + 16·AB + 36 is the
// payload size (16·(PB + AB) + 32 before version 6). The index CRC, checked at open, covers what the
// blocks' own zstd checksums do not: a damaged article_base would otherwise renumber a block's
// articles silently. Index entry i of a kind describes block i: `first` is the number of its first record
// (docid or article number; 0 for block 0, strictly increasing, below the record count), `raw_size`
// the size of its decompressed bytes and `offset` where its compressed bytes start (block 0 at the start
// of its area, strictly increasing); they end where the next block of the same kind starts (the last
// block at the end of its area). Block i holds records
// first[i] .. first[i+1] - 1 (the last block up to the record count). PB is 0 exactly when there is no
// passage, likewise AB. Each block is one zstd frame (level 1, content size in the frame header, which
// must equal raw_size, and a content checksum) whose decompressed bytes are the block's records,
// concatenated, ending exactly at raw_size:
//
//   passage record := article_delta:varint  ordinal:varint  begin:varint  end:varint
//                     text_length:varint  text:bytes[text_length]
//   article record := id_length:varint  id:bytes[id_length]  title_length:varint  title:bytes[title_length]
//
// A passage's article is article_base + unzigzag(article_delta) (article_base from its block's index
// entry; zigzag: 2n for n ≥ 0, −2n − 1 for n < 0). Before version 6, article_delta is the article
// itself. Since no byte inside a block depends on where the block sits, a merge of segments without
// deletions copies their compressed blocks as they are and rewrites only the index entries
// (`stored_fields_writer::append`). article, ordinal, begin and end fit 32 bits and `article` is below
// the article count. A block is closed once its raw bytes reach 16 KiB, so a record larger than that
// gets a block of (almost) its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "rapport/core/export.hpp"
#include "rapport/core/types.hpp"
#include "rapport/index/segment.hpp"

namespace rapport::index {

/// Raw (uncompressed) bytes after which a stored-fields block is closed.
inline constexpr std::size_t stored_block_bytes = 16 * 1024;

/// The zstd level stored-fields blocks are compressed with. Chosen by measurement (`zstd -b1 -e4
/// -B16384` over the titles and texts of 50,000 Wikipedia passages, 20.3 MB): level 1 compresses
/// at 170 MB/s to 0.428 of the raw size, level 3 at 111–129 MB/s to 0.425, level 4 at 69 MB/s to
/// 0.415; decompression is 450–560 MB/s at all of them. Level 1 costs 0.7 % of size for a third
/// less compression time. Readers accept any level.
inline constexpr int stored_zstd_level = 1;

/// Size in bytes of the stored-fields trailer (with the index CRC, from segment version 6 on).
inline constexpr std::size_t stored_trailer_size = 36;
/// Size in bytes of the trailer before segment version 6.
inline constexpr std::size_t stored_trailer_size_v5 = 32;

/// Size in bytes of one article block index entry (first record, raw size, offset), and of a
/// passage block's before segment version 6.
inline constexpr std::size_t stored_index_entry_size = 16;
/// Size in bytes of one passage block index entry from segment version 6 on (with article_base).
inline constexpr std::size_t stored_passage_entry_size = 20;
/// The first segment format version whose passage records hold article numbers relative to their
/// block's article_base.
inline constexpr std::uint32_t stored_relative_articles_version = 6;

class stored_fields_reader;

/// Collects passages and articles, compresses them block by block and serializes them.
class RAPPORT_API stored_fields_writer {
public:
    /// An empty writer.
    stored_fields_writer();
    stored_fields_writer(stored_fields_writer&&) noexcept;
    stored_fields_writer& operator=(stored_fields_writer&&) noexcept;
    ~stored_fields_writer();

    /// Adds an article; its number is the count of articles added before it.
    /// Throws: `invalid_argument` when 2^32 - 1 articles were already added or a block would reach 4 GiB;
    /// `rapport::error` when zstd fails.
    /// Complexity: linear in the record's size (amortised, compression included).
    void add_article(const article_record& article);

    /// Adds a passage; its docid is the count of passages added before it. `passage.article` may name an
    /// article added later; `finish` checks it.
    /// Throws: as `add_article`.
    /// Complexity: linear in the record's size (amortised, compression included).
    void add_passage(const passage_record& passage);

    /// Number of passages added so far.
    [[nodiscard]] std::size_t passage_count() const noexcept;
    /// Number of articles added so far.
    [[nodiscard]] std::size_t article_count() const noexcept;

    /// Appends every passage and article of `source` as they are: its compressed blocks are copied
    /// without being decompressed, and its article numbers follow those of the articles added so
    /// far. What was pending is closed into blocks first. Requires: `source` is of version
    /// `stored_relative_articles_version` or later (`source.relative_articles()`).
    /// Throws: `corruption_error` when `source`'s block index is out of order or out of range (the
    /// writer is left as it was: entries are checked before anything is closed or copied);
    /// `invalid_argument` when the counts would pass 2^32 - 1; `rapport::error` when zstd fails.
    /// `closed`, when given, is called after each passage block is copied (so that a long copy can
    /// hand its blocks on with `take_passage_blocks`).
    /// Complexity: linear in `source`'s compressed size.
    void append(const stored_fields_reader& source, const std::function<void()>& closed = {});

    /// Bytes of the passage blocks closed and not yet taken.
    [[nodiscard]] std::size_t closed_passage_bytes() const noexcept;
    /// Appends the passage blocks closed so far to `out` and lets go of them, so that a long payload
    /// can be written as it grows: the payload is what every `take_passage_blocks` appended,
    /// followed by what `finish` appends.
    void take_passage_blocks(std::string& out);

    /// Appends the rest of the payload (all of it unless passage blocks were taken) to `out` and
    /// leaves the writer empty.
    /// Throws: `invalid_argument` when a passage names an article that was never added (the writer is
    /// left unchanged); `rapport::error` when zstd fails.
    /// Complexity: linear in the size of the pending block and the payload.
    void finish(std::string& out);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Reads stored fields from a serialized payload without copying it; the bytes must outlive the reader.
class RAPPORT_API stored_fields_reader {
public:
    /// A reader with no passage and no article.
    stored_fields_reader() = default;

    /// Opens the payload in `data`, written at segment format `version` (the layouts differ from
    /// version 6 on). `name` (usually the file's path) and `base_offset` (where `data` starts in
    /// that file) only serve error messages.
    /// Throws: `corruption_error` when the trailer, or the first or last entry of a block index, is
    /// inconsistent. Blocks and the other index entries are checked when read.
    /// Complexity: O(1).
    stored_fields_reader(std::string_view data, std::string name, std::uint64_t base_offset = 0,
                         std::uint32_t version = stored_relative_articles_version);

    /// Whether passage records hold article numbers relative to their block (version 6 on), so
    /// that `stored_fields_writer::append` can copy the blocks.
    [[nodiscard]] bool relative_articles() const noexcept { return relative_; }

    /// Number of passages; docids are 0 .. passage_count() - 1.
    [[nodiscard]] std::size_t passage_count() const noexcept { return passage_count_; }
    /// Number of articles.
    [[nodiscard]] std::size_t article_count() const noexcept { return article_count_; }
    /// The name given at construction (for error messages).
    [[nodiscard]] const std::string& name() const noexcept { return name_; }

    /// The stored passage `d`.
    /// Requires: `d < passage_count()`.
    /// Throws: `invalid_argument` when `d` is out of range; `corruption_error` when its block is damaged
    /// (bad index entry, zstd error, sizes that disagree, malformed record, article out of range).
    /// Complexity: O(log blocks) plus decompressing one block (about 16 KiB).
    [[nodiscard]] passage_record passage(docid_t d) const;

    /// The stored article `a`.
    /// Requires: `a < article_count()`.
    /// Throws: as `passage`.
    /// Complexity: as `passage`.
    [[nodiscard]] article_record article(std::uint32_t a) const;

private:
    friend class stored_fields_writer;
    struct block_kind;
    [[nodiscard]] block_kind passage_kind() const noexcept;
    [[nodiscard]] block_kind article_kind() const noexcept;
    // One block's index entry, checked against its neighbour and the kind's area (as `load_block`
    // does before it decompresses). `end` is where its compressed bytes end, `last` one past its
    // last record.
    struct block_entry {
        std::uint32_t first = 0;
        std::uint32_t raw_size = 0;
        std::uint64_t begin = 0;
        std::uint64_t end = 0;
        std::uint64_t last = 0;
        std::uint32_t article_base = 0;
    };
    [[nodiscard]] block_entry entry_of(const block_kind& kind, std::uint32_t i) const;
    [[noreturn]] void fail(std::uint64_t offset, const std::string& message) const;
    // Where a decompressed block came from and which records it holds.
    struct loaded_block {
        std::uint32_t first = 0;  // its first record
        std::uint64_t end = 0;    // one past its last record
        std::uint64_t offset = 0; // its compressed bytes' offset in the payload (for errors)
        std::string_view raw;     // its decompressed bytes, in this thread's block cache
        std::uint32_t article_base = 0;  // passage blocks of version 6 on
    };
    // The block holding record `id` of a kind, decompressed into this thread's block cache (or
    // found there); `raw` stays valid until this thread's next `load_block`.
    loaded_block load_block(const block_kind& kind, std::uint32_t id) const;

    std::string_view data_;
    std::string name_;
    std::uint64_t base_ = 0;
    std::uint64_t cache_id_ = 0;  // identifies this payload in the per-thread block cache
    std::uint64_t article_blocks_ = 0;  // start of the article blocks
    std::uint64_t index_ = 0;           // start of the block indexes
    std::uint32_t passage_count_ = 0;
    std::uint32_t passage_blocks_ = 0;
    std::uint32_t article_count_ = 0;
    std::uint32_t article_blocks_count_ = 0;
    bool relative_ = true;  // version 6 on: article_base in passage entries, relative articles
};

}  // namespace rapport::index
