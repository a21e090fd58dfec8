// SPDX-License-Identifier: MIT
// `block_postings_cursor`: the zero-copy reader of one term's postings in the format of
// postings_format.hpp. It decodes one block of 128 postings at a time into fixed arrays inside the
// cursor, jumps whole blocks through the skip table without decoding them, decodes frequencies and
// positions only when asked, and exposes each block's bounds (max_tf, min_length) and, in layout 3,
// the Pareto frontier of (tf, length) pairs of each block and of the list, for block-max pruning.
//
// Robustness: the cursor never reads outside the two views it was given, whatever their bytes. Every
// offset, length and bit width is checked when a block is loaded (and when its positions are first
// requested); on malformed data the cursor becomes exhausted and `corrupt()` returns true. Garbage
// that is structurally well formed decodes into garbage values, but docids still strictly ascend.
//
// Thread safety: a cursor belongs to one thread at a time (even its const members update lazily
// decoded state); any number of cursors may read the same payloads concurrently.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string_view>
#include <utility>

#include "rapport/codec/bitpack.hpp"
#include "rapport/codec/postings_format.hpp"
#include "rapport/codec/term_info.hpp"
#include "rapport/core/interrupt.hpp"
#include "rapport/core/types.hpp"
#include "rapport/core/varint.hpp"

namespace rapport::codec {

namespace detail {

/// Reads a little-endian uint32 at `p`. Requires: 4 readable bytes.
[[nodiscard]] inline std::uint32_t load_le32(const char* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
    return v;
}

/// Turns the gaps d[0 .. n) into docids in place: docid_i = docid_{i-1} + 1 + gap_i, with
/// docid_{-1} = base - 1. Returns the last docid computed in 64 bits; when it is < 2^32 every
/// stored docid is exact (all partial sums are smaller), otherwise the stored values are garbage.
[[nodiscard]] inline std::uint64_t restore_docids(std::uint32_t* d, std::uint32_t n, std::uint64_t base) noexcept {
    std::uint64_t running = base;  // docid_{i-1} + 1
    for (std::uint32_t i = 0; i < n; ++i) {
        running += d[i];
        d[i] = static_cast<std::uint32_t>(running);
        ++running;
    }
    return running - 1;
}

/// `restore_docids` for a full block of 128. A prefix sum is one long dependency chain; running
/// four independent chains over the block's quarters, then adding each quarter's offset with
/// vectorisable loops, roughly halves its latency.
[[nodiscard]] inline std::uint64_t restore_docids_full(std::uint32_t* d, std::uint64_t base) noexcept {
    constexpr std::uint32_t q = block_size / 4;
    std::uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;  // gap + 1 sums of each quarter so far
    for (std::uint32_t j = 0; j < q; ++j) {
        s0 += std::uint64_t{d[j]} + 1;
        s1 += std::uint64_t{d[q + j]} + 1;
        s2 += std::uint64_t{d[2 * q + j]} + 1;
        s3 += std::uint64_t{d[3 * q + j]} + 1;
        d[j] = static_cast<std::uint32_t>(s0);
        d[q + j] = static_cast<std::uint32_t>(s1);
        d[2 * q + j] = static_cast<std::uint32_t>(s2);
        d[3 * q + j] = static_cast<std::uint32_t>(s3);
    }
    // Modulo 2^32 the offsets are exact; the caller rejects the block unless the total fits.
    const auto o0 = static_cast<std::uint32_t>(base - 1);
    const auto o1 = static_cast<std::uint32_t>(base - 1 + s0);
    const auto o2 = static_cast<std::uint32_t>(base - 1 + s0 + s1);
    const auto o3 = static_cast<std::uint32_t>(base - 1 + s0 + s1 + s2);
    for (std::uint32_t j = 0; j < q; ++j) d[j] += o0;
    for (std::uint32_t j = 0; j < q; ++j) d[q + j] += o1;
    for (std::uint32_t j = 0; j < q; ++j) d[2 * q + j] += o2;
    for (std::uint32_t j = 0; j < q; ++j) d[3 * q + j] += o3;
    return base + s0 + s1 + s2 + s3 - 1;
}

/// The growable buffer that holds one block's decoded positions. Copying a cursor does not copy
/// decoded positions: the copy starts with an empty buffer and "not parsed" state, and decodes again
/// on demand; "malformed" is kept, so that a copy never re-reads positions found bad.
struct position_scratch {
    std::unique_ptr<std::uint32_t[]> data;
    std::size_t capacity = 0;
    /// 0: the loaded block's positions header is not parsed yet; 1: parsed; 2: malformed.
    std::uint8_t state = 0;

    position_scratch() noexcept = default;
    position_scratch(const position_scratch& other) noexcept : state(other.state == 2 ? 2 : 0) {}
    position_scratch(position_scratch&& other) noexcept
        : data(std::move(other.data)), capacity(std::exchange(other.capacity, 0)), state(std::exchange(other.state, 0)) {}
    position_scratch& operator=(const position_scratch& other) noexcept {
        state = other.state == 2 ? 2 : 0;
        return *this;
    }
    position_scratch& operator=(position_scratch&& other) noexcept {
        data = std::move(other.data);
        capacity = std::exchange(other.capacity, 0);
        state = std::exchange(other.state, 0);
        return *this;
    }
    ~position_scratch() = default;

    /// Makes room for `n` values without initialising them; false when memory is short.
    [[nodiscard]] bool reserve(std::size_t n) noexcept {
        if (n <= capacity) return true;
        std::size_t cap = std::max<std::size_t>(n, 2 * capacity);
        auto* p = new (std::nothrow) std::uint32_t[cap];
        if (p == nullptr) {
            cap = n;
            p = new (std::nothrow) std::uint32_t[cap];
            if (p == nullptr) return false;
        }
        data.reset(p);
        capacity = cap;
        return true;
    }
};

}  // namespace detail

/// Reads one term's postings from an on-disk segment. Satisfies `search::PostingCursor`.
/// Positions are decoded lazily, frequencies of a full block on the first `freq()`; nothing is
/// allocated per block (the positions buffer only grows).
class block_postings_cursor {
public:
    /// An exhausted cursor (what a term absent from the segment gets).
    block_postings_cursor() noexcept { exhaust(); }

    /// Opens the term described by `info` and loads its first block. `postings_data` and
    /// `positions_data` are the segment's WHOLE postings and positions payloads; the term's ranges
    /// are taken from `info`. A term with df = 0 gives an exhausted, non-corrupt cursor; ranges
    /// outside the views give an exhausted, corrupt one.
    /// `docid_limit` is the segment's passage count: a decoded docid at or above it means the
    /// postings belong to another segment (files mixed up whole keep valid checksums), and the
    /// cursor turns exhausted and corrupt instead of yielding passages that do not exist.
    /// `layout` is that of the segment's postings file (`postings_layout_of` its version).
    /// Requires: the views outlive the cursor.
    /// Complexity: O(128) (one block decoded).
    block_postings_cursor(std::string_view postings_data, std::string_view positions_data, const term_info& info,
                          docid_t docid_limit = end_docid, postings_layout layout = postings_layout::impacts) noexcept {
        entry_bytes_ = static_cast<std::uint32_t>(skip_entry_bytes(layout));
        exhaust();
        docid_limit_ = docid_limit;
        term_max_tf_ = info.max_tf;
        term_min_length_ = info.min_length;
        df_ = info.df;
        if (info.df == 0) return;
        if (info.postings_offset > postings_data.size() ||
            info.postings_length > postings_data.size() - info.postings_offset ||
            info.positions_offset > positions_data.size() ||
            info.positions_length > positions_data.size() - info.positions_offset) {
            corrupt_ = true;
            return;
        }
        const std::uint64_t blocks = postings_block_count(info.df);
        const char* post = postings_data.data() + info.postings_offset;
        std::uint64_t left = info.postings_length;
        if (layout == postings_layout::impacts) {
            // The list's frontier, behind its byte length.
            std::uint32_t bytes = 0;
            const char* p = get_varint32(post, post + left, bytes);
            if (p == nullptr || bytes > static_cast<std::uint64_t>(post + left - p)) {
                corrupt_ = true;
                return;
            }
            term_frontier_ = p;
            term_frontier_end_ = p + bytes;
            left -= static_cast<std::uint64_t>(term_frontier_end_ - post);
            post = term_frontier_end_;
        }
        if (blocks >= 2) {
            const std::uint64_t table = blocks * entry_bytes_;
            if (table > left) {
                corrupt_ = true;
                return;
            }
            table_ = post;
            data_ = post + table;
            data_len_ = left - table;
        } else {
            data_ = post;
            data_len_ = left;
        }
        pos_ = positions_data.data() + info.positions_offset;
        pos_len_ = info.positions_length;
        n_blocks_ = static_cast<std::uint32_t>(blocks);
        full_blocks_ = static_cast<std::uint32_t>(info.df / block_size);
        skip_block_ = 0;
        load_block(0);
    }

    /// The current docid, or `end_docid` once exhausted. Complexity: O(1).
    [[nodiscard]] docid_t docid() const noexcept { return docid_; }

    /// Moves to the next posting (loading the next block when this one is used up).
    /// Requires: not exhausted (an exhausted cursor stays exhausted).
    /// Complexity: O(1) amortised; O(128) when a block is loaded.
    void next() noexcept {
        if (++i_ < n_) [[likely]] {
            docid_ = docids_[i_];
            return;
        }
        load_block(block_ + 1);
    }

    /// Moves to the first posting with docid ≥ `target`; a target at or below the current docid
    /// leaves the cursor where it is (it never moves backwards). Blocks whose last docid is below
    /// `target` are skipped through the skip table without being decoded.
    /// Complexity: O(log blocks skipped) skip-table probes (galloping search), then at most one
    /// block decode and O(log d) comparisons for a target d postings ahead within the block.
    void seek(docid_t target) noexcept {
        if (target <= docid_) return;
        if (target > docids_[n_ - 1]) {
            load_block(find_block(block_ + 1, target));
            if (docid_ >= target) return;
        }
        // Here docids_[i_] < target ≤ docids_[n_ - 1]. Pruned evaluation seeks to ascending
        // candidates that usually lie a few postings ahead: gallop from the current posting, then
        // binary search the bracket, rather than binary search the rest of the block.
        std::uint32_t lo = i_ + 1;  // docids_[lo - 1] < target
        std::uint32_t hi = n_ - 1;  // docids_[hi] ≥ target
        for (std::uint32_t step = 1;; step *= 2) {
            const std::uint32_t probe = lo + step - 1;
            if (probe >= hi) break;
            if (docids_[probe] >= target) {
                hi = probe;
                break;
            }
            lo = probe + 1;
        }
        i_ = static_cast<std::uint32_t>(std::lower_bound(docids_ + lo, docids_ + hi, target) - docids_);
        docid_ = docids_[i_];
    }

    /// Term frequency in the current passage (≥ 1 on well-formed data).
    /// Requires: not exhausted. Complexity: O(1); O(128) on the first call within a full block.
    [[nodiscard]] std::uint32_t freq() const noexcept {
        if (!freqs_ready_) decode_freqs();
        return freqs_[i_];
    }

    /// Positions of the term in the current passage, ascending. Empty when the posting has none, when
    /// the cursor is exhausted, or when the positions are malformed: `corrupt()` then turns true and
    /// the cursor becomes exhausted on its next move. The span stays valid until the cursor moves.
    /// Complexity: O(freq) plus, on the first call within a block, parsing the block's position
    /// counts; position chunks lying wholly before this posting are skipped undecoded.
    [[nodiscard]] std::span<const std::uint32_t> positions() const noexcept {
        if (docid_ == end_docid || pos_len_ == 0) return {};
        if (scratch_.state == 0) parse_positions();
        if (scratch_.state != 1) return {};
        const std::uint32_t begin = pos_begin_[i_];
        const std::uint32_t end = pos_begin_[i_ + 1];
        if (end > pos_decoded_ && !decode_positions(begin, end)) return {};
        std::uint32_t* p = scratch_.data.get();
        if (pos_converted_ != i_) {
            // Stored as p0, p1 − p0, …: a prefix sum restores the absolute positions, in place.
            for (std::uint32_t k = begin + 1; k < end; ++k) p[k] += p[k - 1];
            pos_converted_ = i_;
        }
        return {p + begin, end - begin};
    }

    /// Number of postings in the list (the term's df in this segment). Complexity: O(1).
    [[nodiscard]] std::size_t size() const noexcept { return df_; }

    /// Number of blocks of 128 postings (the last one possibly partial). Complexity: O(1).
    [[nodiscard]] std::size_t block_count() const noexcept { return n_blocks_; }

    /// Moves the block-metadata position (not the docid position) to the block that would contain
    /// `target`: the first block whose last docid is ≥ target, without decoding it; never backwards.
    /// Afterwards `block_last_docid()`, `block_max_tf()` and `block_min_length()` describe that block
    /// (beyond the last block: `end_docid`, 0 and 0xFFFFFFFF), while `docid()` is unchanged. This is
    /// the "shallow" move of block-max WAND (Ding & Suel 2011; Lucene's advanceShallow).
    /// Complexity: O(log blocks skipped) skip-table probes.
    void shallow_seek(docid_t target) noexcept {
        if (target <= skip_last_) return;
        set_skip_block(find_block(skip_block_ + 1, target));
    }

    /// Last docid of the current block: the block of `docid()`, or the one `shallow_seek` selected
    /// if that lies further; `end_docid` when past the last block. Complexity: O(1).
    [[nodiscard]] docid_t block_last_docid() const noexcept { return skip_last_; }
    /// Largest frequency in the current block (0 when past the last block). Complexity: O(1).
    [[nodiscard]] std::uint32_t block_max_tf() const noexcept { return skip_max_tf_; }
    /// Smallest passage length in the current block (0xFFFFFFFF when past the last block).
    /// With `block_max_tf()`, bounds the BM25 contribution of every posting of the block.
    /// Complexity: O(1).
    [[nodiscard]] std::uint32_t block_min_length() const noexcept { return skip_min_length_; }
    /// Largest frequency of the whole list (from `term_info`). Complexity: O(1).
    [[nodiscard]] std::uint32_t term_max_tf() const noexcept { return term_max_tf_; }
    /// Smallest passage length of the whole list (from `term_info`). Complexity: O(1).
    [[nodiscard]] std::uint32_t term_min_length() const noexcept { return term_min_length_; }

    /// Calls `visit(tf, length)` for each pair of the current block's Pareto frontier (the block
    /// `block_last_docid()` describes): every posting of the block has a tf at most and a length
    /// at least those of one of the pairs, and each pair is a posting of the block. Without a stored
    /// frontier (layout 2, or a frontier of one pair) the one pair is (`block_max_tf()`,
    /// `block_min_length()`); damaged frontier bytes add that pair too, so a maximum over the
    /// visits always bounds the block. Past the last block nothing is visited.
    /// Complexity: O(frontier size).
    template <class Visit>
    void for_each_block_impact(Visit&& visit) const noexcept {
        if (skip_block_ >= n_blocks_) return;
        (void)visit_frontier(skip_frontier_, skip_frontier_end_, skip_max_tf_, skip_min_length_, visit);
    }
    /// `for_each_block_impact` for the whole list: its frontier, or (`term_max_tf()`,
    /// `term_min_length()`) without one; nothing for an empty list. Complexity: O(frontier size).
    template <class Visit>
    void for_each_term_impact(Visit&& visit) const noexcept {
        if (df_ == 0) return;
        (void)visit_frontier(term_frontier_, term_frontier_end_, term_max_tf_, term_min_length_, visit);
    }

    /// True once malformed data was met; the cursor is then (or at its next move becomes) exhausted.
    [[nodiscard]] bool corrupt() const noexcept { return corrupt_; }
    /// True when the malformed data was the positions' (`corrupt()` is then true too): errors
    /// name the positions file rather than the postings.
    [[nodiscard]] bool positions_corrupt() const noexcept { return positions_corrupt_; }

private:
    /// Marks the cursor exhausted (docid() = end_docid, no current block).
    void exhaust() noexcept {
        block_ = n_blocks_;
        n_ = 1;
        i_ = 0;
        docids_[0] = end_docid;
        docid_ = end_docid;
        freqs_[0] = 0;
        freqs_ready_ = true;
        scratch_.state = 2;
        set_skip_block(n_blocks_);
    }

    /// Marks the data malformed and the cursor exhausted.
    void fail() noexcept {
        corrupt_ = true;
        exhaust();
    }

    [[nodiscard]] docid_t entry_last(std::uint32_t k) const noexcept {
        return detail::load_le32(table_ + std::size_t{k} * entry_bytes_);
    }

    /// The first block ≥ `from` whose last docid is ≥ `target` (n_blocks_ if none), by galloping
    /// then binary search over the skip table in place (Bentley & Yao's unbounded search, 1976).
    [[nodiscard]] std::uint32_t find_block(std::uint32_t from, docid_t target) const noexcept {
        if (table_ == nullptr || from >= n_blocks_) return n_blocks_;
        std::uint32_t lo = from;
        std::uint32_t hi = from;
        std::uint32_t step = 1;
        // Invariant: every block in [from, lo) ends below target; hi is the next probe.
        while (hi < n_blocks_ && entry_last(hi) < target) {
            lo = hi + 1;
            hi = lo + step < n_blocks_ ? lo + step : n_blocks_;
            step *= 2;
        }
        // hi is n_blocks_ or a block ending at or after target: search [lo, hi).
        while (lo < hi) {
            const std::uint32_t mid = lo + (hi - lo) / 2;
            if (entry_last(mid) < target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /// Points the block metadata at block `b` (or past the end when b ≥ n_blocks_).
    void set_skip_block(std::uint32_t b) noexcept {
        skip_block_ = b;
        if (b >= n_blocks_) {
            skip_block_ = n_blocks_;
            skip_last_ = end_docid;
            skip_max_tf_ = 0;
            skip_min_length_ = 0xFFFFFFFFu;
        } else if (table_ != nullptr) {
            const char* e = table_ + std::size_t{b} * entry_bytes_;
            skip_last_ = detail::load_le32(e);
            skip_max_tf_ = detail::load_le32(e + 12);
            skip_min_length_ = detail::load_le32(e + 16);
            skip_frontier_ = skip_frontier_end_ = nullptr;
            if (entry_bytes_ > 20) {
                // Block b's frontier runs to the next block's, the last one's to the first block.
                const std::uint64_t begin = detail::load_le32(e + 20);
                const std::uint64_t end = b + 1 < n_blocks_ ? detail::load_le32(e + entry_bytes_ + 20)
                                                            : detail::load_le32(table_ + 4);
                // Damaged offsets leave the frontier empty: the bounds alone still bound the block.
                if (begin <= end && end <= data_len_) {
                    skip_frontier_ = data_ + begin;
                    skip_frontier_end_ = data_ + end;
                }
            }
        } else {
            // A single-block term: its bounds are the term's; the last docid is known once loaded.
            skip_last_ = docids_[n_ - 1];
            skip_max_tf_ = term_max_tf_;
            skip_min_length_ = term_min_length_;
            skip_frontier_ = term_frontier_;
            skip_frontier_end_ = term_frontier_end_;
        }
    }

    /// Decodes block `b` into docids_ (and freqs_ for the tail block) after checking its structure;
    /// exhausts the cursor when b is past the end, the block is malformed, or the search running on
    /// this thread was interrupted (core/interrupt.hpp: the searcher then reports it).
    void load_block(std::uint32_t b) noexcept {
        if (corrupt_ || b >= n_blocks_ || rapport::detail::interrupted()) {
            exhaust();
            return;
        }
        std::uint64_t doc_begin = 0;
        std::uint64_t doc_end = data_len_;
        std::uint64_t pos_begin = 0;
        std::uint64_t pos_end = pos_len_;
        std::uint64_t base = 0;  // previous docid + 1
        std::uint64_t expected_last = 0;
        if (table_ != nullptr) {
            const char* e = table_ + std::size_t{b} * entry_bytes_;
            expected_last = detail::load_le32(e);
            doc_begin = detail::load_le32(e + 4);
            pos_begin = detail::load_le32(e + 8);
            if (b + 1 < n_blocks_) {
                doc_end = detail::load_le32(e + entry_bytes_ + 4);
                pos_end = detail::load_le32(e + entry_bytes_ + 8);
            }
            if (b > 0) base = std::uint64_t{detail::load_le32(e - entry_bytes_)} + 1;
        }
        if (doc_begin > doc_end || doc_end > data_len_ || pos_begin > pos_end || pos_end > pos_len_) {
            fail();
            return;
        }
        const std::uint32_t n =
            b < full_blocks_ ? static_cast<std::uint32_t>(block_size) : df_ - full_blocks_ * static_cast<std::uint32_t>(block_size);
        const char* p = data_ + doc_begin;
        const char* const end = data_ + doc_end;
        if (n == block_size) {
            if (end - p < 2) return fail();
            const unsigned docid_bits = static_cast<std::uint8_t>(p[0]);
            const unsigned freq_bits = static_cast<std::uint8_t>(p[1]);
            if (docid_bits > max_bits || freq_bits > max_bits ||
                static_cast<std::size_t>(end - p) != 2 + packed_bytes(docid_bits) + packed_bytes(freq_bits))
                return fail();
            unpack(p + 2, docid_bits, docids_);
            freq_src_ = p + 2 + packed_bytes(docid_bits);
            freq_bits_ = freq_bits;
            freqs_ready_ = false;
        } else {
            for (std::uint32_t i = 0; i < n; ++i) {
                p = get_varint32(p, end, docids_[i]);
                if (p == nullptr) return fail();
            }
            for (std::uint32_t i = 0; i < n; ++i) {
                std::uint32_t f = 0;
                p = get_varint32(p, end, f);
                if (p == nullptr || f == 0xFFFFFFFFu) return fail();
                freqs_[i] = f + 1;
            }
            if (p != end) return fail();
            freqs_ready_ = true;
        }
        // The 64-bit last docid proves that no sum wrapped and that the block ends exactly at its
        // skip entry's last docid; docids must also ascend across the blocks this cursor visited
        // (a garbage skip table could otherwise send it backwards).
        const std::uint64_t last = n == block_size ? detail::restore_docids_full(docids_, base)
                                                   : detail::restore_docids(docids_, n, base);
        if (last >= docid_limit_ || (table_ != nullptr && last != expected_last)) return fail();
        if (loaded_any_ && docids_[0] <= last_loaded_) return fail();
        block_ = b;
        n_ = n;
        i_ = 0;
        docid_ = docids_[0];
        last_loaded_ = docids_[n - 1];
        loaded_any_ = true;
        block_pos_begin_ = pos_begin;
        block_pos_end_ = pos_end;
        scratch_.state = 0;
        if (skip_block_ <= b) set_skip_block(b);
    }

    /// Decodes the frequencies of the loaded full block (its structure was checked on load).
    void decode_freqs() const noexcept {
        unpack(freq_src_, freq_bits_, freqs_);
        for (std::size_t i = 0; i < block_size; ++i) freqs_[i] += 1;
        freqs_ready_ = true;
    }

    /// Positions are malformed: report it and stop at the next move.
    void fail_positions() const noexcept {
        corrupt_ = true;
        positions_corrupt_ = true;
        scratch_.state = 2;
        n_ = i_ + 1;  // the next move leaves the block, and load_block sees corrupt_
    }

    /// Parses the loaded block's positions header: mode, per-posting counts, and the bound on the
    /// number of values that the block's byte range can hold.
    void parse_positions() const noexcept {
        const char* p = pos_ + block_pos_begin_;
        const char* const end = pos_ + block_pos_end_;
        if (p == end) return fail_positions();
        const auto mode = static_cast<std::uint8_t>(*p++);
        std::uint32_t counts[block_size];
        if (mode == 0) {
            if (!freqs_ready_) decode_freqs();
            std::memcpy(counts, freqs_, sizeof counts);
        } else if (mode == 1) {
            if (n_ == block_size) {
                if (p == end) return fail_positions();
                const unsigned bits = static_cast<std::uint8_t>(*p++);
                if (bits > max_bits || static_cast<std::size_t>(end - p) < packed_bytes(bits)) return fail_positions();
                unpack(p, bits, counts);
                p += packed_bytes(bits);
            } else {
                for (std::uint32_t i = 0; i < n_; ++i) {
                    p = get_varint32(p, end, counts[i]);
                    if (p == nullptr) return fail_positions();
                }
            }
        } else {
            return fail_positions();
        }
        std::uint64_t total = 0;
        pos_begin_[0] = 0;
        for (std::uint32_t i = 0; i < n_; ++i) {
            total += counts[i];
            if (total > 0xFFFFFFFFu) return fail_positions();
            pos_begin_[i + 1] = static_cast<std::uint32_t>(total);
        }
        const std::uint64_t chunks = total / block_size;
        // Every chunk takes at least its width byte and every tail value at least one byte, which
        // bounds the buffer by the bytes actually present.
        if (chunks + total % block_size > static_cast<std::uint64_t>(end - p)) return fail_positions();
        if (!scratch_.reserve(static_cast<std::size_t>(chunks + 1) * block_size)) return fail_positions();
        pos_total_ = static_cast<std::uint32_t>(total);
        pos_chunk_end_ = static_cast<std::uint32_t>(chunks * block_size);
        pos_next_ = p;
        pos_end_ = end;
        pos_decoded_ = 0;
        pos_converted_ = 0xFFFFFFFFu;
        scratch_.state = 1;
    }

    /// Decodes position values forward until [begin, end) is available; chunks that end before
    /// `begin` are skipped by their width byte without being unpacked.
    [[nodiscard]] bool decode_positions(std::uint32_t begin, std::uint32_t end) const noexcept {
        std::uint32_t* buf = scratch_.data.get();
        while (pos_decoded_ < end) {
            if (pos_decoded_ < pos_chunk_end_) {
                if (pos_next_ == pos_end_) return fail_positions(), false;
                const unsigned bits = static_cast<std::uint8_t>(*pos_next_);
                if (bits > max_bits || static_cast<std::size_t>(pos_end_ - pos_next_) - 1 < packed_bytes(bits))
                    return fail_positions(), false;
                if (pos_decoded_ + block_size > begin) unpack(pos_next_ + 1, bits, buf + pos_decoded_);
                pos_next_ += 1 + packed_bytes(bits);
                pos_decoded_ += static_cast<std::uint32_t>(block_size);
            } else {
                for (; pos_decoded_ < pos_total_; ++pos_decoded_) {
                    pos_next_ = get_varint32(pos_next_, pos_end_, buf[pos_decoded_]);
                    if (pos_next_ == nullptr) return fail_positions(), false;
                }
            }
            if (pos_decoded_ == pos_total_ && pos_next_ != pos_end_) return fail_positions(), false;
        }
        return true;
    }

    // Term.
    const char* table_ = nullptr;  // skip table, nullptr for a single-block term
    const char* data_ = nullptr;   // first block
    std::uint64_t data_len_ = 0;
    const char* pos_ = nullptr;  // the term's positions range
    std::uint64_t pos_len_ = 0;
    std::uint32_t df_ = 0;
    std::uint32_t n_blocks_ = 0;
    std::uint32_t full_blocks_ = 0;
    std::uint32_t term_max_tf_ = 0;
    std::uint32_t term_min_length_ = 0;
    std::uint32_t entry_bytes_ = 24;                // skip entry size of the layout
    const char* term_frontier_ = nullptr;           // the list's frontier bytes (empty: one pair)
    const char* term_frontier_end_ = nullptr;

    // Loaded block.
    docid_t docid_ = end_docid;
    docid_t docid_limit_ = end_docid;
    std::uint32_t i_ = 0;
    mutable std::uint32_t n_ = 1;  // postings in the loaded block (shrunk when positions are malformed)
    std::uint32_t block_ = 0;
    docid_t last_loaded_ = 0;
    bool loaded_any_ = false;
    mutable bool corrupt_ = false;
    mutable bool positions_corrupt_ = false;
    mutable bool freqs_ready_ = true;
    unsigned freq_bits_ = 0;
    const char* freq_src_ = nullptr;
    std::uint64_t block_pos_begin_ = 0;
    std::uint64_t block_pos_end_ = 0;

    // Block metadata position (shallow_seek).
    std::uint32_t skip_block_ = 0;
    docid_t skip_last_ = end_docid;
    std::uint32_t skip_max_tf_ = 0;
    std::uint32_t skip_min_length_ = 0xFFFFFFFFu;
    const char* skip_frontier_ = nullptr;  // the shallow block's frontier bytes (empty: one pair)
    const char* skip_frontier_end_ = nullptr;

    // Lazily decoded positions of the loaded block.
    mutable std::uint32_t pos_total_ = 0;
    mutable std::uint32_t pos_chunk_end_ = 0;  // values held by bit-packed chunks (128 · chunks)
    mutable std::uint32_t pos_decoded_ = 0;
    mutable std::uint32_t pos_converted_ = 0xFFFFFFFFu;  // posting whose values are already absolute
    mutable const char* pos_next_ = nullptr;
    mutable const char* pos_end_ = nullptr;
    mutable detail::position_scratch scratch_;

    alignas(64) docid_t docids_[block_size];
    alignas(64) mutable std::uint32_t freqs_[block_size];
    mutable std::uint32_t pos_begin_[block_size + 1];
};

}  // namespace rapport::codec
