// SPDX-License-Identifier: MIT
// Compile-only (lib/, never installed; tests and benchmarks include it through lib/): the writer of
// the postings format of rapport/codec/postings_format.hpp (FORMAT.md §5): `write_postings` encodes
// one term's postings and positions, `pareto_frontier` and `put_frontier` the (tf, length)
// frontiers of layout 3. Readers need only the public header.
//
// Thread safety: `write_postings` is a pure function of its inputs that appends to the caller's
// buffers; calls on distinct buffers may run concurrently.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rapport/codec/bitpack.hpp"
#include "rapport/codec/postings_format.hpp"
#include "rapport/codec/term_info.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/types.hpp"
#include "rapport/core/varint.hpp"

namespace rapport::codec {

/// Reduces `pairs` in place to its Pareto frontier: the pairs that no other pair dominates (a pair
/// dominates another when its tf is at least as large and its length at most as large; of equal
/// pairs one is kept). Returns the frontier's size n; afterwards pairs[0, n) are sorted by strictly
/// ascending tf, and so by strictly ascending length. Every score that is non-decreasing in tf and
/// non-increasing in length takes its maximum over the input at one of these pairs.
/// Complexity: O(m log m) for m pairs.
[[nodiscard]] inline std::size_t pareto_frontier(std::span<impact> pairs) {
    std::sort(pairs.begin(), pairs.end(), [](const impact& a, const impact& b) {
        return a.tf != b.tf ? a.tf > b.tf : a.length < b.length;
    });
    std::size_t n = 0;
    std::uint64_t shortest = std::uint64_t{1} << 32;  // shorter than every length kept so far
    for (const impact& p : pairs) {
        if (p.length >= shortest) continue;  // a pair with tf at least as large is not longer
        shortest = p.length;
        pairs[n++] = p;
    }
    std::reverse(pairs.begin(), pairs.begin() + static_cast<std::ptrdiff_t>(n));
    return n;
}

/// Appends the frontier `f` (strictly ascending in tf and length, as `pareto_frontier` leaves it)
/// as FORMAT.md §5's `frontier` bytes: the first pair in full, each later one as its two increases
/// minus one. A frontier of one pair is written as nothing (the reader takes it from the bounds).
inline void put_frontier(std::string& out, std::span<const impact> f) {
    if (f.size() < 2) return;
    put_varint(out, f[0].tf);
    put_varint(out, f[0].length);
    for (std::size_t i = 1; i < f.size(); ++i) {
        put_varint(out, f[i].tf - f[i - 1].tf - 1);
        put_varint(out, f[i].length - f[i - 1].length - 1);
    }
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

/// Encodes one term's postings (and positions) in `layout` (FORMAT.md §5), appending them to
/// `postings_out` and `positions_out`, and returns the term's `term_info`: offsets are the buffers'
/// sizes before the call, lengths the bytes appended, plus df, total_tf, max_tf and min_length. With
/// no postings it appends nothing and returns df = 0 (and zero bounds).
/// `position_offsets` delimits each posting's positions in `positions` ([offsets[i], offsets[i+1]));
/// it may be empty (and `positions` then too) when the term has no positions at all.
/// `lengths` holds the segment's passage lengths in the term's field, indexed by docid; when it is
/// empty every recorded length is 0 (the trivially safe bound).
/// Requires: nothing beyond what is checked below.
/// Throws: `invalid_argument` (appending nothing) when docids are not strictly ascending or equal
/// `end_docid`, sizes disagree, a frequency is 0, a docid has no length (when `lengths` is not
/// empty), a posting's positions descend, or a format limit is exceeded; std::bad_alloc. On any
/// exception both buffers are left as they were.
/// Complexity: O(df log 128 + number of positions).
inline term_info write_postings(std::span<const docid_t> docids, std::span<const std::uint32_t> freqs,
                                std::span<const std::uint32_t> position_offsets,
                                std::span<const std::uint32_t> positions, std::span<const std::uint32_t> lengths,
                                std::string& postings_out, std::string& positions_out,
                                postings_layout layout = postings_layout::impacts) {
    detail::validate_postings(docids, freqs, position_offsets, positions, lengths);

    term_info info;
    info.postings_offset = postings_out.size();
    info.positions_offset = positions_out.size();
    const std::size_t df = docids.size();
    info.df = static_cast<std::uint32_t>(df);
    if (df == 0) return info;

    bool has_positions = false;
    if (!position_offsets.empty()) has_positions = position_offsets.back() != position_offsets.front();
    const auto length_of = [&](docid_t d) { return lengths.empty() ? 0u : lengths[d]; };

    const std::size_t postings_start = postings_out.size();
    const std::size_t positions_start = positions_out.size();
    try {
        const std::size_t blocks = static_cast<std::size_t>(postings_block_count(df));
        const bool with_table = blocks >= 2;
        const bool with_impacts = layout == postings_layout::impacts;
        const std::size_t entry_bytes = skip_entry_bytes(layout);

        // Layout 3: the frontier of every block (frontiers[begin[b], begin[b + 1]), when there are
        // several) and of the list, which is the frontier of the blocks' frontiers. A single-block
        // list (most terms) needs neither vector: its frontier is computed in place.
        std::vector<impact> frontiers;
        std::vector<std::size_t> frontier_begin;
        if (with_impacts) {
            impact pairs[block_size];
            std::vector<impact> list;
            std::span<const impact> term;
            if (!with_table) {
                for (std::size_t i = 0; i < df; ++i) pairs[i] = {freqs[i], length_of(docids[i])};
                term = {pairs, pareto_frontier({pairs, df})};
            } else {
                frontier_begin.reserve(blocks + 1);
                for (std::size_t b = 0; b < blocks; ++b) {
                    const std::size_t lo = b * block_size;
                    const std::size_t n = std::min(block_size, df - lo);
                    for (std::size_t i = 0; i < n; ++i) pairs[i] = {freqs[lo + i], length_of(docids[lo + i])};
                    const std::size_t kept = pareto_frontier({pairs, n});
                    frontier_begin.push_back(frontiers.size());
                    frontiers.insert(frontiers.end(), pairs, pairs + kept);
                }
                frontier_begin.push_back(frontiers.size());
                list = frontiers;
                list.resize(pareto_frontier(list));
                term = list;
            }
            std::string bytes;  // empty (no allocation) for a frontier of one pair
            put_frontier(bytes, term);
            put_varint(postings_out, static_cast<std::uint32_t>(bytes.size()));
            postings_out += bytes;
        }
        const std::size_t table_start = postings_out.size();
        if (with_table) postings_out.append(blocks * entry_bytes, '\0');
        const std::size_t data_start = postings_out.size();
        if (with_impacts && with_table) {
            for (std::size_t b = 0; b < blocks; ++b) {
                const std::size_t offset = postings_out.size() - data_start;
                if (offset > 0xFFFFFFFFu) throw invalid_argument("write_postings: postings of one term exceed 4 GiB");
                detail::store_fixed32(postings_out.data() + table_start + b * entry_bytes + 20,
                                      static_cast<std::uint32_t>(offset));
                put_frontier(postings_out, std::span<const impact>(frontiers).subspan(
                                               frontier_begin[b], frontier_begin[b + 1] - frontier_begin[b]));
            }
        }

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
                block_min_length = std::min(block_min_length, length_of(d));
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
                char* e = postings_out.data() + table_start + b * entry_bytes;
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

}  // namespace rapport::codec
