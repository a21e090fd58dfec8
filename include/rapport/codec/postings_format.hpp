// SPDX-License-Identifier: MIT
// The on-disk postings format of one term, and its writer: docids delta-encoded in blocks of 128 and
// bit-packed, frequencies likewise, positions in their own stream, a varint tail for the last partial
// block, and a fixed-width skip table carrying each block's last docid and its block-max bounds.
// `block_postings_cursor` (postings_cursor.hpp) reads what `write_postings` writes.
//
// Thread safety: `write_postings` is a pure function of its inputs that appends to the caller's
// buffers; calls on distinct buffers may run concurrently.
//
// Postings format
// ===============
//
// Conventions. All fixed-width integers are little-endian ("fixed32" = 4 bytes). A varint is an
// unsigned LEB128 varint of at most 5 bytes holding a value < 2^32 (core/varint.hpp). "packed(w)" is
// one block of 128 values bit-packed at width w (0 ≤ w ≤ 32) in the 4-lane interleaved layout of
// codec/bitpack.hpp (SIMD-BP128's): exactly 16·w bytes, seen as 4·w fixed32 words; value i is the
// (i div 4)-th w-bit field of lane l = i mod 4, whose bit stream is the lane's w words, word k of lane
// l being the fixed32 at byte 16·k + 4·l; fields fill each word from its least significant bit, and a
// field that straddles two words keeps its low bits in word k and its high bits in word k + 1.
// A term's postings and positions are two byte ranges, [postings_offset, +postings_length) of the
// segment's postings payload and [positions_offset, +positions_length) of its positions payload,
// both recorded in the term's `term_info`; nothing in either range repeats what `term_info` already
// says (df, max_tf, min_length).
//
// Blocks. The term's df postings, in ascending docid order, are cut into N = ⌈df / 128⌉ blocks: the
// first F = ⌊df / 128⌋ are full (128 postings each) and, when r = df mod 128 is not 0, the last one is
// a partial block of r postings (the "tail"). A term with df ≤ 128 has exactly one block.
//
// Postings range:
//
//     postings   := skip_table block[0] ... block[N-1]
//     skip_table := skip_entry[0] ... skip_entry[N-1]     when N ≥ 2; absent (0 bytes) when N = 1
//     skip_entry := last_docid:fixed32 doc_offset:fixed32 pos_offset:fixed32
//                   max_tf:fixed32 min_length:fixed32     (20 bytes)
//
// skip_entry[k] describes block k: `last_docid` is the docid of its last posting (strictly increasing
// with k), `doc_offset` the offset of block[k] counted from the first byte after the skip table (0 for
// block 0, non-decreasing), `pos_offset` the offset of its positions counted from the start of the
// term's positions range (non-decreasing; 0 for every block when the term has no positions), `max_tf`
// the largest frequency in the block and `min_length` the smallest passage length among its postings.
// Block k ends where block k+1 starts, the last block at the end of the postings range; likewise for
// positions. The table is fixed-width so that a reader binary-searches `last_docid` in place without
// decoding anything. A single-block term needs no table: its block spans the whole range and its
// bounds are the term's own `max_tf` and `min_length` from `term_info`, which saves 20 bytes for each
// of the many rare terms.
//
// Docid gaps. Every posting stores gap = docid − prev − 1, where prev is the previous posting's docid;
// for the first posting of block k ≥ 1, prev is skip_entry[k-1].last_docid (so a block decodes without
// its predecessor); for the very first posting of the term, prev is taken as −1, so its gap is its
// docid itself and docid 0 encodes as gap 0. Frequencies are stored as freq − 1 (freq ≥ 1).
//
//     full block := docid_bits:u8 freq_bits:u8 packed(docid_bits) of the 128 gaps
//                                              packed(freq_bits) of the 128 (freq − 1)
//     tail block := gap:varint × r  (freq − 1):varint × r
//
// docid_bits and freq_bits are the smallest widths that hold the block's largest gap and largest
// freq − 1, so a full block is exactly 2 + 16·(docid_bits + freq_bits) bytes.
//
// Positions range: empty (positions_length = 0) when no posting of the term has a position (such as the
// hidden article-id key terms); otherwise one positions block per postings block, in the same order:
//
//     pos_block := mode:u8 [counts] values
//     counts    := (mode 1 only) the number of positions of each posting of the block:
//                  count_bits:u8 packed(count_bits)          for a full block,
//                  count:varint × r                          for the tail block
//     values    := chunk × ⌊T / 128⌋  value:varint × (T mod 128)
//     chunk     := bits:u8 packed(bits)
//
// Mode 0 means every posting has exactly freq positions (the usual case: nothing stored); mode 1
// stores the counts explicitly (a posting may have fewer positions than its frequency, e.g. none). T
// is the sum of the block's counts. The values are the positions of the block's postings, posting
// after posting; within one posting, ascending positions p0 ≤ p1 ≤ … are stored as p0, p1 − p0,
// p2 − p1, … (the first absolute), and the whole sequence of T values is cut into chunks of 128, each
// packed at its own width, with the T mod 128 values left over as varints.
//
// Block-max bounds. BM25's contribution of a posting, w · tf · (k1 + 1) / (tf + k1 · (1 − b + b · dl /
// avgdl)) with w = boost · idf ≥ 0 (Robertson & Zaragoza 2009; search/bm25.hpp), is non-decreasing in
// tf and non-increasing in the passage length dl for every k1 ≥ 0 and 0 ≤ b ≤ 1. Hence its value at
// (max_tf, min_length) of a block bounds every posting of that block, whatever k1, b, idf or avgdl a
// query uses, which is why the format stores these two integers rather than a score: the block-max
// score of block-max WAND (Ding & Suel, "Faster top-k document retrieval using block-max indexes",
// SIGIR 2011) is computed from them at query time. The bound is safe but not always attained: the
// largest tf and the shortest passage may be different postings. The term-level `max_tf` and
// `min_length` of `term_info` bound the whole list the same way.
//
// Limits. A term's block data (after its skip table) and its positions range are each < 4 GiB, and
// one block holds < 2^32 positions; `write_postings` throws `invalid_argument` beyond that.
//
// Robustness. Checksums are verified when files open; the cursor still bounds-checks every length,
// offset and width when it loads a block (see postings_cursor.hpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>

#include "rapport/codec/bitpack.hpp"
#include "rapport/codec/term_info.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/types.hpp"
#include "rapport/core/varint.hpp"
#include "rapport/index/segment.hpp"

namespace rapport::codec {

/// Bytes of one skip-table entry.
inline constexpr std::size_t skip_entry_bytes = 20;

/// Number of blocks of a term with `df` postings: ⌈df / 128⌉.
[[nodiscard]] constexpr std::uint64_t postings_block_count(std::uint64_t df) noexcept {
    return (df + block_size - 1) / block_size;
}

namespace detail {

/// Overwrites 4 bytes at `p` with `v`, little-endian.
inline void store_fixed32(char* p, std::uint32_t v) noexcept {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}

/// Appends the 128 values of `v` packed at their smallest width, preceded by the width byte.
inline void put_packed_chunk(std::string& out, const std::uint32_t* v) {
    const unsigned bits = bits_needed(max_value(v, block_size));
    out.push_back(static_cast<char>(bits));
    pack(v, bits, out);
}

/// Checks everything `write_postings` requires before anything is appended (strong guarantee).
inline void validate_postings(std::span<const docid_t> docids, std::span<const std::uint32_t> freqs,
                              std::span<const std::uint32_t> position_offsets,
                              std::span<const std::uint32_t> positions, std::span<const std::uint32_t> lengths) {
    if (freqs.size() != docids.size()) throw invalid_argument("write_postings: docids and freqs differ in size");
    if (!position_offsets.empty()) {
        if (position_offsets.size() != docids.size() + 1)
            throw invalid_argument("write_postings: position_offsets must have df + 1 entries (or none)");
        if (position_offsets.back() > positions.size())
            throw invalid_argument("write_postings: position_offsets run past positions");
    } else if (!positions.empty()) {
        throw invalid_argument("write_postings: positions without position_offsets");
    }
    for (std::size_t i = 0; i < docids.size(); ++i) {
        if (docids[i] == end_docid) throw invalid_argument("write_postings: docid equals end_docid", i);
        if (i > 0 && docids[i] <= docids[i - 1]) throw invalid_argument("write_postings: docids not strictly ascending", i);
        if (!lengths.empty() && docids[i] >= lengths.size()) throw invalid_argument("write_postings: docid has no passage length", i);
        if (freqs[i] == 0) throw invalid_argument("write_postings: frequency 0", i);
        if (!position_offsets.empty()) {
            const auto b = position_offsets[i];
            const auto e = position_offsets[i + 1];
            if (e < b) throw invalid_argument("write_postings: position_offsets not ascending", i);
            for (auto j = b + 1; j < e; ++j)
                if (positions[j] < positions[j - 1])
                    throw invalid_argument("write_postings: positions of a posting not ascending", i);
        }
    }
}

}  // namespace detail

/// Encodes one term's postings (and positions) in the format above, appending them to `postings_out`
/// and `positions_out`, and returns the term's `term_info`: offsets are the buffers' sizes before the
/// call, lengths the bytes appended, plus df, total_tf, max_tf and min_length. With no postings it
/// appends nothing and returns df = 0 (and zero bounds).
/// `position_offsets` delimits each posting's positions in `positions` ([offsets[i], offsets[i+1]));
/// it may be empty (and `positions` then too) when the term has no positions at all.
/// `lengths` holds the segment's passage lengths, indexed by docid; when it is empty every recorded
/// min_length is 0 (the trivially safe bound).
/// Requires: nothing beyond what is checked below.
/// Throws: `invalid_argument` (appending nothing) when docids are not strictly ascending or equal
/// `end_docid`, sizes disagree, a frequency is 0, a docid has no length (when `lengths` is not
/// empty), a posting's positions descend, or a format limit is exceeded; std::bad_alloc. On any
/// exception both buffers are left as they were.
/// Complexity: O(df + number of positions).
inline term_info write_postings(std::span<const docid_t> docids, std::span<const std::uint32_t> freqs,
                                std::span<const std::uint32_t> position_offsets,
                                std::span<const std::uint32_t> positions, std::span<const std::uint32_t> lengths,
                                std::string& postings_out, std::string& positions_out) {
    detail::validate_postings(docids, freqs, position_offsets, positions, lengths);

    term_info info;
    info.postings_offset = postings_out.size();
    info.positions_offset = positions_out.size();
    const std::size_t df = docids.size();
    info.df = static_cast<std::uint32_t>(df);
    if (df == 0) return info;

    bool has_positions = false;
    if (!position_offsets.empty()) has_positions = position_offsets.back() != position_offsets.front();

    const std::size_t postings_start = postings_out.size();
    const std::size_t positions_start = positions_out.size();
    try {
        const std::size_t blocks = static_cast<std::size_t>(postings_block_count(df));
        const bool with_table = blocks >= 2;
        if (with_table) postings_out.append(blocks * skip_entry_bytes, '\0');
        const std::size_t data_start = postings_out.size();

        std::uint32_t gaps[block_size];
        std::uint32_t freqs_m1[block_size];
        std::uint32_t counts[block_size];
        std::uint32_t values[block_size];
        docid_t next_base = 0;  // prev + 1, with prev = -1 before the first posting
        info.min_length = 0xFFFFFFFFu;

        for (std::size_t b = 0; b < blocks; ++b) {
            const std::size_t lo = b * block_size;
            const std::size_t n = std::min(block_size, df - lo);
            const std::size_t doc_offset = postings_out.size() - data_start;
            const std::size_t pos_offset = positions_out.size() - positions_start;
            if (doc_offset > 0xFFFFFFFFu) throw invalid_argument("write_postings: postings of one term exceed 4 GiB");
            if (pos_offset > 0xFFFFFFFFu) throw invalid_argument("write_postings: positions of one term exceed 4 GiB");

            std::uint32_t block_max_tf = 0;
            std::uint32_t block_min_length = 0xFFFFFFFFu;
            bool counts_are_freqs = true;
            std::uint64_t total_positions = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const docid_t d = docids[lo + i];
                const std::uint32_t f = freqs[lo + i];
                gaps[i] = d - next_base;
                next_base = d + 1;
                freqs_m1[i] = f - 1;
                block_max_tf = std::max(block_max_tf, f);
                block_min_length = std::min(block_min_length, lengths.empty() ? 0u : lengths[d]);
                info.total_tf += f;
                if (!position_offsets.empty()) {
                    counts[i] = position_offsets[lo + i + 1] - position_offsets[lo + i];
                    counts_are_freqs = counts_are_freqs && counts[i] == f;
                    total_positions += counts[i];
                }
            }
            if (total_positions > 0xFFFFFFFFu) throw invalid_argument("write_postings: a block holds 2^32 positions");
            info.max_tf = std::max(info.max_tf, block_max_tf);
            info.min_length = std::min(info.min_length, block_min_length);

            if (with_table) {
                char* e = postings_out.data() + postings_start + b * skip_entry_bytes;
                detail::store_fixed32(e, docids[lo + n - 1]);
                detail::store_fixed32(e + 4, static_cast<std::uint32_t>(doc_offset));
                detail::store_fixed32(e + 8, has_positions ? static_cast<std::uint32_t>(pos_offset) : 0u);
                detail::store_fixed32(e + 12, block_max_tf);
                detail::store_fixed32(e + 16, block_min_length);
            }

            if (n == block_size) {
                const unsigned docid_bits = bits_needed(max_value(gaps, n));
                const unsigned freq_bits = bits_needed(max_value(freqs_m1, n));
                postings_out.push_back(static_cast<char>(docid_bits));
                postings_out.push_back(static_cast<char>(freq_bits));
                pack(gaps, docid_bits, postings_out);
                pack(freqs_m1, freq_bits, postings_out);
            } else {
                for (std::size_t i = 0; i < n; ++i) put_varint(postings_out, gaps[i]);
                for (std::size_t i = 0; i < n; ++i) put_varint(postings_out, freqs_m1[i]);
            }

            if (!has_positions) continue;
            positions_out.push_back(static_cast<char>(counts_are_freqs ? 0 : 1));
            if (!counts_are_freqs) {
                if (n == block_size) {
                    detail::put_packed_chunk(positions_out, counts);
                } else {
                    for (std::size_t i = 0; i < n; ++i) put_varint(positions_out, counts[i]);
                }
            }
            std::size_t filled = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const auto pb = position_offsets[lo + i];
                const auto pe = position_offsets[lo + i + 1];
                std::uint32_t prev = 0;
                for (auto j = pb; j < pe; ++j) {
                    values[filled++] = positions[j] - prev;
                    prev = positions[j];
                    if (filled == block_size) {
                        detail::put_packed_chunk(positions_out, values);
                        filled = 0;
                    }
                }
            }
            for (std::size_t i = 0; i < filled; ++i) put_varint(positions_out, values[i]);
        }
    } catch (...) {
        postings_out.resize(postings_start);
        positions_out.resize(positions_start);
        throw;
    }

    info.postings_length = postings_out.size() - postings_start;
    info.positions_length = positions_out.size() - positions_start;
    return info;
}

/// Encodes an in-memory postings list; see the span overload.
/// Throws: as the span overload.
/// Complexity: O(df + number of positions).
inline term_info write_postings(const index::postings_list& list, std::span<const std::uint32_t> lengths,
                                std::string& postings_out, std::string& positions_out) {
    return write_postings(list.docids, list.freqs, list.position_offsets, list.positions, lengths, postings_out,
                          positions_out);
}

}  // namespace rapport::codec
