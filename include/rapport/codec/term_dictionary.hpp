// SPDX-License-Identifier: MIT
// The term dictionary of an on-disk segment: sorted terms mapped to their `term_info`, stored as
// front-coded blocks with a sparse index that the reader binary-searches in place (zero-copy, nothing
// loaded to the heap at open). Answers exact lookups and ordered enumeration from a prefix, which
// prefix and fuzzy queries build on. The byte layout is specified below and in FORMAT.md §4.
//
// Thread safety: a `term_dictionary_writer` is used by one thread at a time. A `term_dictionary` is
// immutable once constructed and may be shared by any number of threads; each
// `term_dictionary_cursor` belongs to one thread at a time (independent cursors over one dictionary
// may run in parallel).
//
// Layout (all fixed-width integers little-endian, varints unsigned LEB128 as in core/varint.hpp;
// offsets are relative to the first byte of the dictionary):
//
//   dictionary := block[0] ... block[B-1]  block_offset[0] ... block_offset[B-1]  trailer
//   trailer    := terms_per_block:fixed32  term_count:fixed32  block_count:fixed32      (12 bytes)
//   block_offset[i] := fixed32, the offset of block[i]; block_offset[0] = 0, strictly increasing.
//
// The blocks area is [0, A) with A = size - 12 - 4·B. Block i spans [block_offset[i], block_offset[i+1])
// (the last one [block_offset[B-1], A)) and holds terms i·K .. min((i+1)·K, N) - 1, where K =
// terms_per_block (32 when written by this code), N = term_count and B = ⌈N / K⌉. A block is a
// sequence of entries and nothing else:
//
//   entry := shared:varint  suffix_length:varint  suffix:bytes[suffix_length]
//            df:varint  total_tf:varint
//            postings_delta:varint  postings_length:varint
//            positions_delta:varint  positions_length:varint
//            max_tf:varint  min_length:varint
//
// The term is the first `shared` bytes of the previous term of the same block followed by `suffix`.
// The first entry of a block has shared = 0, so it holds its term in full: that is what the reader
// binary-searches. `postings_delta` is zigzag(postings_offset - P) where P is the previous entry's
// postings_offset + postings_length in the same block (0 for the first entry of a block), computed
// modulo 2^64; with contiguous postings it is 0, one byte. `positions_delta` is the same for the
// positions offset. df, max_tf and min_length must fit 32 bits. Terms are strictly increasing
// byte strings (compared as unsigned bytes, as std::string_view does); the empty string is a valid term.
// An empty dictionary is just the trailer: K, 0, 0.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rapport/codec/term_info.hpp"
#include "rapport/core/assert.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/varint.hpp"

namespace rapport::codec {

/// Terms per front-coded block written by `term_dictionary_writer` (the reader accepts any value the
/// trailer states). Larger blocks compress better and make `find` scan longer.
inline constexpr std::uint32_t term_dictionary_block_terms = 32;

/// Size in bytes of the dictionary trailer (terms per block, term count, block count).
inline constexpr std::size_t term_dictionary_trailer_size = 12;

namespace detail {

[[nodiscard]] inline std::uint64_t zigzag_encode(std::uint64_t delta) noexcept {
    return (delta << 1) ^ (0 - (delta >> 63));
}

[[nodiscard]] inline std::uint64_t zigzag_decode(std::uint64_t v) noexcept { return (v >> 1) ^ (0 - (v & 1)); }

}  // namespace detail

/// Builds a term dictionary from terms given in strictly increasing byte order.
class term_dictionary_writer {
public:
    /// Appends `term` with its metadata.
    /// Requires: `term` is greater than every term added before (byte order); fewer than 2^32 terms.
    /// Throws: `invalid_argument` when `term` is not greater than the previous term, when the
    /// dictionary would hold 2^32 terms, or when its blocks would reach 4 GiB.
    /// Complexity: O(|term|) amortised.
    void add(std::string_view term, const term_info& info) {
        if (count_ > 0 && !(term > std::string_view(last_term_))) {
            RAPPORT_ASSERT(false && "term_dictionary_writer::add: terms must be strictly increasing");
            throw invalid_argument("term dictionary: terms must be added in strictly increasing byte order");
        }
        if (count_ == 0xFFFFFFFFu) throw invalid_argument("term dictionary: too many terms (2^32)");
        std::size_t shared = 0;
        if (count_ % term_dictionary_block_terms == 0) {
            if (taken_ + blocks_.size() > 0xFFFFFFFFu) throw invalid_argument("term dictionary: blocks exceed 4 GiB");
            offsets_.push_back(static_cast<std::uint32_t>(taken_ + blocks_.size()));
            prev_postings_end_ = 0;
            prev_positions_end_ = 0;
        } else {
            const std::size_t limit = std::min(term.size(), last_term_.size());
            while (shared < limit && term[shared] == last_term_[shared]) ++shared;
        }
        put_varint(blocks_, shared);
        put_varint(blocks_, term.size() - shared);
        blocks_.append(term.substr(shared));
        put_varint(blocks_, info.df);
        put_varint(blocks_, info.total_tf);
        put_varint(blocks_, detail::zigzag_encode(info.postings_offset - prev_postings_end_));
        put_varint(blocks_, info.postings_length);
        put_varint(blocks_, detail::zigzag_encode(info.positions_offset - prev_positions_end_));
        put_varint(blocks_, info.positions_length);
        put_varint(blocks_, info.max_tf);
        put_varint(blocks_, info.min_length);
        prev_postings_end_ = info.postings_offset + info.postings_length;
        prev_positions_end_ = info.positions_offset + info.positions_length;
        last_term_.assign(term);
        ++count_;
    }

    /// Number of terms added so far.
    [[nodiscard]] std::size_t size() const noexcept { return count_; }

    /// Appends the entries added since the last call to `out` and lets go of them, so that a large
    /// dictionary can be written as it grows (a merge streams it): the dictionary is then what every
    /// `take_blocks` appended followed by what `finish` appends. Complexity: O(bytes appended).
    void take_blocks(std::string& out) {
        out.append(blocks_);
        taken_ += blocks_.size();
        blocks_.clear();
    }

    /// Appends the whole dictionary (what `take_blocks` has not taken) to `out` and leaves the
    /// writer empty, ready for another one.
    /// Throws: `invalid_argument` when the blocks reach 4 GiB.
    /// Complexity: O(size of the dictionary).
    void finish(std::string& out) {
        if (taken_ + blocks_.size() > 0xFFFFFFFFu) throw invalid_argument("term dictionary: blocks exceed 4 GiB");
        out.reserve(out.size() + blocks_.size() + 4 * offsets_.size() + term_dictionary_trailer_size);
        out.append(blocks_);
        for (const auto off : offsets_) put_fixed32(out, off);
        put_fixed32(out, term_dictionary_block_terms);
        put_fixed32(out, count_);
        put_fixed32(out, static_cast<std::uint32_t>(offsets_.size()));
        *this = term_dictionary_writer();
    }

private:
    std::string blocks_;
    std::uint64_t taken_ = 0;  // bytes of blocks handed out by take_blocks
    std::vector<std::uint32_t> offsets_;
    std::string last_term_;
    std::uint32_t count_ = 0;
    std::uint64_t prev_postings_end_ = 0;
    std::uint64_t prev_positions_end_ = 0;
};

class term_dictionary_cursor;

/// A read-only view of a serialized term dictionary. Zero-copy: it keeps a `std::string_view` of the
/// bytes, which must outlive it and every cursor made from it.
class term_dictionary {
public:
    /// An empty dictionary.
    term_dictionary() = default;

    /// Opens the dictionary held in `data`. `name` (usually the file's path) and `base_offset` (where
    /// `data` starts in that file) only serve error messages.
    /// Throws: `corruption_error` when the trailer or the block index is inconsistent. Blocks are
    /// checked when read: lookups and cursors throw `corruption_error` on malformed blocks.
    /// Complexity: O(1).
    term_dictionary(std::string_view data, std::string name, std::uint64_t base_offset = 0)
        : data_(data), name_(std::move(name)), base_(base_offset) {
        if (data_.size() < term_dictionary_trailer_size) fail(0, "shorter than its trailer");
        const std::size_t trailer = data_.size() - term_dictionary_trailer_size;
        const char* t = data_.data() + trailer;
        block_terms_ = load_fixed32(t);
        count_ = load_fixed32(t + 4);
        blocks_ = load_fixed32(t + 8);
        if (block_terms_ == 0) fail(trailer, "zero terms per block");
        const std::uint64_t expected_blocks = (std::uint64_t{count_} + block_terms_ - 1) / block_terms_;
        if (blocks_ != expected_blocks) fail(trailer + 8, "block count disagrees with term count");
        if (std::uint64_t{blocks_} * 4 > trailer) fail(trailer + 8, "block index larger than the dictionary");
        area_ = trailer - std::size_t{blocks_} * 4;
        if (blocks_ > 0) {
            if (block_offset(0) != 0) fail(area_, "first block does not start at byte 0");
            if (block_offset(blocks_ - 1) >= area_) fail(area_ + 4 * (blocks_ - 1), "block offset out of range");
        } else if (area_ != 0) {
            fail(0, "bytes before the trailer of an empty dictionary");
        }
    }

    /// Number of terms.
    [[nodiscard]] std::size_t size() const noexcept { return count_; }
    /// True when the dictionary holds no term.
    [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
    /// The name given at construction (for error messages).
    [[nodiscard]] const std::string& name() const noexcept { return name_; }

    /// The metadata of `term`, or nullopt when it is absent.
    /// Throws: `corruption_error` when the block it lies in is malformed (damaged data may also give a
    /// wrong answer; the storage layer's checksums catch that).
    /// Complexity: O(log B) block first-term comparisons, then a scan of at most one block.
    [[nodiscard]] std::optional<term_info> find(std::string_view term) const;

    /// A cursor on the first term ≥ `target` (invalid when there is none). Enumerating the terms that
    /// start with a prefix p: `for (auto c = dict.seek(p); c.valid() && c.term().starts_with(p); c.next())`.
    /// Throws: `corruption_error` on malformed blocks.
    /// Complexity: as `find`.
    [[nodiscard]] term_dictionary_cursor seek(std::string_view target) const;

    /// A cursor on the first (smallest) term, invalid when the dictionary is empty.
    /// Throws: `corruption_error` on a malformed first block.
    [[nodiscard]] term_dictionary_cursor begin() const;

private:
    friend class term_dictionary_cursor;

    [[noreturn]] void fail(std::uint64_t offset, const std::string& message) const {
        throw corruption_error(name_, base_ + offset, "term dictionary: " + message);
    }

    [[nodiscard]] std::uint32_t block_offset(std::uint32_t i) const noexcept {
        return load_fixed32(data_.data() + area_ + 4 * std::size_t{i});
    }

    // Bytes of block i, validated against its neighbours' offsets.
    [[nodiscard]] std::pair<std::size_t, std::size_t> block_range(std::uint32_t i) const {
        const std::size_t begin = block_offset(i);
        const std::size_t end = i + 1 < blocks_ ? block_offset(i + 1) : area_;
        if (begin >= end || end > area_) fail(area_ + 4 * std::size_t{i}, "block offsets out of order");
        return {begin, end};
    }

    // Number of terms in block i.
    [[nodiscard]] std::uint32_t block_size(std::uint32_t i) const noexcept {
        const std::uint64_t first = std::uint64_t{i} * block_terms_;
        return static_cast<std::uint32_t>(std::min<std::uint64_t>(block_terms_, count_ - first));
    }

    // The full first term of block i (a view into the data).
    [[nodiscard]] std::string_view first_term(std::uint32_t i) const {
        const auto [begin, end] = block_range(i);
        const char* p = data_.data() + begin;
        const char* limit = data_.data() + end;
        std::uint64_t shared = 0;
        std::uint64_t length = 0;
        p = get_varint(p, limit, shared);
        if (p != nullptr) p = get_varint(p, limit, length);
        if (p == nullptr || shared != 0 || length > static_cast<std::uint64_t>(limit - p)) {
            fail(begin, "malformed first term of a block");
        }
        return {p, static_cast<std::size_t>(length)};
    }

    // The block that would hold `target`: the last block whose first term is ≤ target, or B when
    // target precedes every term. Binary search over the block index, in place.
    [[nodiscard]] std::uint32_t locate(std::string_view target) const {
        std::uint32_t lo = 0;
        std::uint32_t hi = blocks_;  // first block whose first term is > target lies in [lo, hi]
        while (lo < hi) {
            const std::uint32_t mid = lo + (hi - lo) / 2;
            if (first_term(mid) <= target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo == 0 ? blocks_ : lo - 1;
    }

    std::string_view data_;
    std::string name_;
    std::uint64_t base_ = 0;
    std::size_t area_ = 0;  // size of the blocks area; the block index starts here
    std::uint32_t block_terms_ = term_dictionary_block_terms;
    std::uint32_t count_ = 0;
    std::uint32_t blocks_ = 0;
};

/// Walks a `term_dictionary` in increasing term order. Obtained from `term_dictionary::seek` or
/// `begin`; the dictionary (and its bytes) must outlive it.
class term_dictionary_cursor {
public:
    /// An invalid cursor over nothing.
    term_dictionary_cursor() = default;

    /// True while positioned on a term; false once past the last one.
    [[nodiscard]] bool valid() const noexcept { return valid_; }
    /// The current term; the view stays valid until the cursor moves. Requires: `valid()`.
    [[nodiscard]] std::string_view term() const noexcept {
        RAPPORT_ASSERT(valid_);
        return term_;
    }
    /// The current term's metadata. Requires: `valid()`.
    [[nodiscard]] const term_info& info() const noexcept {
        RAPPORT_ASSERT(valid_);
        return info_;
    }
    /// The rank of the current term in the dictionary (0 for the smallest). Requires: `valid()`.
    [[nodiscard]] std::uint32_t ordinal() const noexcept {
        RAPPORT_ASSERT(valid_);
        return block_ * dict_->block_terms_ + entry_;
    }

    /// Moves to the next term, or becomes invalid after the last one.
    /// Requires: `valid()`.
    /// Throws: `corruption_error` on a malformed block.
    /// Complexity: O(|term|), amortised.
    void next() {
        RAPPORT_ASSERT(valid_);
        if (entry_ + 1 < dict_->block_size(block_)) {
            ++entry_;
            decode();
            return;
        }
        if (p_ != limit_) dict_->fail(offset(), "block holds more bytes than its terms");
        if (block_ + 1 < dict_->blocks_) {
            load(block_ + 1);
        } else {
            valid_ = false;
        }
    }

    /// Moves to the first term ≥ `target` (forwards or backwards), or becomes invalid when there is none.
    /// Throws: `corruption_error` on a malformed block.
    /// Complexity: O(log B) comparisons plus a scan of at most one block.
    void seek(std::string_view target) {
        valid_ = false;
        if (dict_ == nullptr || dict_->blocks_ == 0) return;
        const std::uint32_t b = dict_->locate(target);
        load(b == dict_->blocks_ ? 0 : b);
        while (valid_ && term_ < target) next();
    }

private:
    friend class term_dictionary;

    explicit term_dictionary_cursor(const term_dictionary& dict) noexcept : dict_(&dict) {}

    [[nodiscard]] std::uint64_t offset() const noexcept {
        return static_cast<std::uint64_t>(p_ - dict_->data_.data());
    }

    void load(std::uint32_t block) {
        const auto [begin, end] = dict_->block_range(block);
        block_ = block;
        entry_ = 0;
        p_ = dict_->data_.data() + begin;
        limit_ = dict_->data_.data() + end;
        term_.clear();
        postings_end_ = 0;
        positions_end_ = 0;
        valid_ = true;
        decode();
    }

    // Decodes the entry at p_ into term_ and info_, advancing p_; never reads at or past limit_.
    void decode() {
        const std::uint64_t at = offset();
        std::uint64_t shared = 0;
        std::uint64_t length = 0;
        const char* p = get_varint(p_, limit_, shared);
        if (p != nullptr) p = get_varint(p, limit_, length);
        if (p == nullptr || shared > term_.size() || (entry_ == 0 && shared != 0) ||
            length > static_cast<std::uint64_t>(limit_ - p)) {
            valid_ = false;
            dict_->fail(at, "malformed term entry");
        }
        term_.resize(static_cast<std::size_t>(shared));
        term_.append(p, static_cast<std::size_t>(length));
        p += length;
        std::uint64_t total_tf = 0;
        std::uint64_t postings_delta = 0;
        std::uint64_t postings_length = 0;
        std::uint64_t positions_delta = 0;
        std::uint64_t positions_length = 0;
        std::uint32_t df = 0;
        std::uint32_t max_tf = 0;
        std::uint32_t min_length = 0;
        if (p != nullptr) p = get_varint32(p, limit_, df);
        if (p != nullptr) p = get_varint(p, limit_, total_tf);
        if (p != nullptr) p = get_varint(p, limit_, postings_delta);
        if (p != nullptr) p = get_varint(p, limit_, postings_length);
        if (p != nullptr) p = get_varint(p, limit_, positions_delta);
        if (p != nullptr) p = get_varint(p, limit_, positions_length);
        if (p != nullptr) p = get_varint32(p, limit_, max_tf);
        if (p != nullptr) p = get_varint32(p, limit_, min_length);
        if (p == nullptr) {
            valid_ = false;
            dict_->fail(at, "malformed term metadata");
        }
        info_.df = df;
        info_.total_tf = total_tf;
        info_.postings_offset = postings_end_ + detail::zigzag_decode(postings_delta);
        info_.postings_length = postings_length;
        info_.positions_offset = positions_end_ + detail::zigzag_decode(positions_delta);
        info_.positions_length = positions_length;
        info_.max_tf = max_tf;
        info_.min_length = min_length;
        postings_end_ = info_.postings_offset + postings_length;
        positions_end_ = info_.positions_offset + positions_length;
        p_ = p;
    }

    const term_dictionary* dict_ = nullptr;
    const char* p_ = nullptr;      // next entry of the current block
    const char* limit_ = nullptr;  // end of the current block
    std::string term_;
    term_info info_;
    std::uint64_t postings_end_ = 0;
    std::uint64_t positions_end_ = 0;
    std::uint32_t block_ = 0;
    std::uint32_t entry_ = 0;
    bool valid_ = false;
};

inline std::optional<term_info> term_dictionary::find(std::string_view term) const {
    const std::uint32_t b = locate(term);
    if (b == blocks_) return std::nullopt;
    term_dictionary_cursor c(*this);
    c.load(b);
    // Terms ascend within the block, so the scan stops at the first term ≥ the target.
    for (std::uint32_t i = 0;; ++i) {
        if (c.term_ >= term) break;
        if (i + 1 >= block_size(b)) return std::nullopt;
        ++c.entry_;
        c.decode();
    }
    if (c.term_ != term) return std::nullopt;
    return c.info_;
}

inline term_dictionary_cursor term_dictionary::seek(std::string_view target) const {
    term_dictionary_cursor c(*this);
    c.seek(target);
    return c;
}

inline term_dictionary_cursor term_dictionary::begin() const {
    term_dictionary_cursor c(*this);
    if (blocks_ > 0) c.load(0);
    return c;
}

}  // namespace rapport::codec
