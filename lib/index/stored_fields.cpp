// SPDX-License-Identifier: MIT
// Stored fields: zstd-compressed blocks of passage and article records (format in
// lib/index/stored_fields.hpp and FORMAT.md §7).
// Thread safety: the reader keeps one zstd decompression context per thread and nothing else mutable.
#include "index/stored_fields.hpp"

#include <zstd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <limits>
#include <utility>
#include <vector>

#include "rapport/core/error.hpp"
#include "rapport/core/varint.hpp"

namespace rapport::index {

namespace {

constexpr std::uint64_t max32 = std::numeric_limits<std::uint32_t>::max();

struct index_entry {
    std::uint32_t first;
    std::uint32_t raw_size;
    std::uint64_t offset;  // relative to the start of this kind's blocks while writing
};

// The blocks of one kind (passages or articles) while they are being written.
struct block_builder {
    std::string pending;  // raw records of the open block
    std::uint32_t pending_first = 0;
    std::uint32_t count = 0;  // records added
    std::string compressed;   // closed blocks, back to back
    std::uint64_t taken = 0;  // bytes of closed blocks handed out before `compressed` (take_passage_blocks)
    std::vector<index_entry> entries;

    void add(ZSTD_CCtx* cctx, const std::string& record) {
        if (count == max32) throw invalid_argument("stored fields: too many records (2^32 - 1)");
        if (!pending.empty() && pending.size() + record.size() > max32) flush(cctx);
        if (record.size() > max32) throw invalid_argument("stored fields: a record of 4 GiB or more");
        if (pending.empty()) pending_first = count;
        pending.append(record);
        ++count;
        if (pending.size() >= stored_block_bytes) flush(cctx);
    }

    void flush(ZSTD_CCtx* cctx) {
        if (pending.empty()) return;
        const std::size_t at = compressed.size();
        compressed.resize(at + ZSTD_compressBound(pending.size()));
        const std::size_t n =
            ZSTD_compress2(cctx, compressed.data() + at, compressed.size() - at, pending.data(), pending.size());
        if (ZSTD_isError(n) != 0) {
            compressed.resize(at);
            throw error(std::string("stored fields: zstd compression failed: ") + ZSTD_getErrorName(n));
        }
        compressed.resize(at + n);
        entries.push_back({pending_first, static_cast<std::uint32_t>(pending.size()), taken + at});
        pending.clear();
    }
};

// One zstd decompression context per thread, created on first use: contexts are not thread-safe, and
// making one per call would cost an allocation of ~100 KiB each time.
ZSTD_DCtx* thread_dctx() {
    struct holder {
        ZSTD_DCtx* ctx = ZSTD_createDCtx();
        holder() = default;
        holder(const holder&) = delete;
        holder& operator=(const holder&) = delete;
        ~holder() { ZSTD_freeDCtx(ctx); }
    };
    thread_local holder h;
    if (h.ctx == nullptr) throw error("stored fields: cannot create a zstd decompression context");
    return h.ctx;
}

}  // namespace

struct stored_fields_writer::impl {
    struct cctx_deleter {
        void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
    };
    std::unique_ptr<ZSTD_CCtx, cctx_deleter> cctx;
    block_builder passages;
    block_builder articles;
    std::uint64_t max_article = 0;  // largest article number a passage names, plus one
    std::string scratch;

    impl() : cctx(ZSTD_createCCtx()) {
        if (cctx == nullptr) throw error("stored fields: cannot create a zstd compression context");
        // The frame checksum (4 bytes per block) lets a fetch detect damage in the text itself, which
        // the file's CRC only catches when the whole file is verified.
        if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, stored_zstd_level)) != 0 ||
            ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1)) != 0 ||
            ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_contentSizeFlag, 1)) != 0) {
            throw error("stored fields: cannot configure zstd");
        }
    }
};

stored_fields_writer::stored_fields_writer() : impl_(std::make_unique<impl>()) {}
stored_fields_writer::stored_fields_writer(stored_fields_writer&&) noexcept = default;
stored_fields_writer& stored_fields_writer::operator=(stored_fields_writer&&) noexcept = default;
stored_fields_writer::~stored_fields_writer() = default;

void stored_fields_writer::add_article(const article_record& article) {
    auto& s = impl_->scratch;
    s.clear();
    put_varint(s, article.id.value.size());
    s.append(article.id.value);
    put_varint(s, article.title.size());
    s.append(article.title);
    impl_->articles.add(impl_->cctx.get(), s);
}

void stored_fields_writer::add_passage(const passage_record& passage) {
    auto& s = impl_->scratch;
    s.clear();
    put_varint(s, passage.article);
    put_varint(s, passage.ordinal);
    put_varint(s, passage.begin);
    put_varint(s, passage.end);
    put_varint(s, passage.text.size());
    s.append(passage.text);
    impl_->passages.add(impl_->cctx.get(), s);
    impl_->max_article = std::max<std::uint64_t>(impl_->max_article, std::uint64_t{passage.article} + 1);
}

std::size_t stored_fields_writer::passage_count() const noexcept { return impl_->passages.count; }

std::size_t stored_fields_writer::closed_passage_bytes() const noexcept { return impl_->passages.compressed.size(); }

void stored_fields_writer::take_passage_blocks(std::string& out) {
    auto& p = impl_->passages;
    out.append(p.compressed);
    p.taken += p.compressed.size();
    p.compressed.clear();
}
std::size_t stored_fields_writer::article_count() const noexcept { return impl_->articles.count; }

void stored_fields_writer::finish(std::string& out) {
    auto& im = *impl_;
    if (im.max_article > im.articles.count) {
        throw invalid_argument("stored fields: a passage names article " + std::to_string(im.max_article - 1) +
                               " but only " + std::to_string(im.articles.count) + " articles were added");
    }
    im.passages.flush(im.cctx.get());
    im.articles.flush(im.cctx.get());
    const std::uint64_t article_blocks = im.passages.taken + im.passages.compressed.size();
    const std::uint64_t index = article_blocks + im.articles.compressed.size();
    out.reserve(out.size() + im.passages.compressed.size() + im.articles.compressed.size() +
                stored_index_entry_size * (im.passages.entries.size() + im.articles.entries.size()) +
                stored_trailer_size);
    out.append(im.passages.compressed);
    out.append(im.articles.compressed);
    for (const auto& e : im.passages.entries) {
        put_fixed32(out, e.first);
        put_fixed32(out, e.raw_size);
        put_fixed64(out, e.offset);
    }
    for (const auto& e : im.articles.entries) {
        put_fixed32(out, e.first);
        put_fixed32(out, e.raw_size);
        put_fixed64(out, article_blocks + e.offset);
    }
    put_fixed64(out, article_blocks);
    put_fixed64(out, index);
    put_fixed32(out, im.passages.count);
    put_fixed32(out, static_cast<std::uint32_t>(im.passages.entries.size()));
    put_fixed32(out, im.articles.count);
    put_fixed32(out, static_cast<std::uint32_t>(im.articles.entries.size()));
    im.passages = block_builder();
    im.articles = block_builder();
    im.max_article = 0;
}

// Where the blocks and the index entries of one kind of record lie.
struct stored_fields_reader::block_kind {
    const char* label;            // "passage" or "article", for messages
    std::uint64_t area_begin;     // first byte of the kind's blocks
    std::uint64_t area_end;       // one past their last byte
    std::uint64_t index_begin;    // first byte of the kind's index entries
    std::uint32_t block_count;
    std::uint32_t record_count;
};

namespace {
// Ids for the block cache: never reused, so a cached block can never be mistaken for a block of
// another payload that happens to be mapped at the same address later.
std::atomic<std::uint64_t> next_cache_id{1};

// A small per-thread cache of decompressed blocks. Showing k hits, or evaluating a run, fetches
// neighbouring passages and their articles from the same few blocks; decompressing 16 KiB for each
// fetch would dominate. Per thread, so readers stay lock-free.
struct cached_block {
    std::uint64_t id = 0;     // cache_id_ of the reader, 0 = empty
    std::uint64_t begin = 0;  // offset of the compressed block
    std::string raw;
};
constexpr std::size_t cache_slots = 8;
thread_local std::array<cached_block, cache_slots> block_cache;
thread_local std::size_t block_cache_next = 0;
}  // namespace

stored_fields_reader::stored_fields_reader(std::string_view data, std::string name, std::uint64_t base_offset)
    : data_(data), name_(std::move(name)), base_(base_offset), cache_id_(next_cache_id++) {
    if (data_.size() < stored_trailer_size) fail(0, "shorter than its trailer");
    const std::uint64_t trailer = data_.size() - stored_trailer_size;
    const char* t = data_.data() + trailer;
    article_blocks_ = load_fixed64(t);
    index_ = load_fixed64(t + 8);
    passage_count_ = load_fixed32(t + 16);
    passage_blocks_ = load_fixed32(t + 20);
    article_count_ = load_fixed32(t + 24);
    article_blocks_count_ = load_fixed32(t + 28);
    if ((passage_count_ == 0) != (passage_blocks_ == 0) || passage_blocks_ > passage_count_) {
        fail(trailer + 16, "passage block count disagrees with the passage count");
    }
    if ((article_count_ == 0) != (article_blocks_count_ == 0) || article_blocks_count_ > article_count_) {
        fail(trailer + 24, "article block count disagrees with the article count");
    }
    const std::uint64_t index_size =
        stored_index_entry_size * (std::uint64_t{passage_blocks_} + std::uint64_t{article_blocks_count_});
    if (index_ > trailer || trailer - index_ != index_size) fail(trailer + 8, "block index size disagrees");
    if (article_blocks_ > index_) fail(trailer, "article blocks start past the block index");
    // O(1) checks of each kind's first and last index entries, so that a damaged count or area
    // boundary is caught at open even when the records read later happen to decode.
    auto check_ends = [&](const char* label, std::uint64_t entries, std::uint32_t blocks, std::uint32_t count,
                          std::uint64_t area_begin, std::uint64_t area_end) {
        if (blocks == 0) return;
        const char* first = data_.data() + entries;
        const char* last = first + stored_index_entry_size * (blocks - 1);
        if (load_fixed32(first) != 0 || load_fixed64(first + 8) != area_begin) {
            fail(entries, std::string("first ") + label + " block index entry is wrong");
        }
        if (load_fixed32(last) >= count || load_fixed64(last + 8) >= area_end) {
            fail(entries + stored_index_entry_size * (blocks - 1),
                 std::string("last ") + label + " block index entry is out of range");
        }
    };
    check_ends("passage", index_, passage_blocks_, passage_count_, 0, article_blocks_);
    check_ends("article", index_ + stored_index_entry_size * std::uint64_t{passage_blocks_}, article_blocks_count_,
               article_count_, article_blocks_, index_);
}

void stored_fields_reader::fail(std::uint64_t offset, const std::string& message) const {
    throw corruption_error(name_, base_ + offset, "stored fields: " + message);
}

stored_fields_reader::loaded_block stored_fields_reader::load_block(const block_kind& kind, std::uint32_t id) const {
    const char* base = data_.data();
    auto entry = [&](std::uint32_t i) { return base + kind.index_begin + stored_index_entry_size * i; };
    // The last block whose first record is ≤ id, by binary search over the fixed-width index in place.
    std::uint32_t lo = 0;
    std::uint32_t hi = kind.block_count;
    while (lo < hi) {
        const std::uint32_t mid = lo + (hi - lo) / 2;
        if (load_fixed32(entry(mid)) <= id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) fail(kind.index_begin, std::string("first ") + kind.label + " block does not start at 0");
    const std::uint32_t i = lo - 1;
    const std::uint64_t at = kind.index_begin + stored_index_entry_size * i;
    const std::uint32_t first = load_fixed32(entry(i));
    const std::uint32_t raw_size = load_fixed32(entry(i) + 4);
    const std::uint64_t begin = load_fixed64(entry(i) + 8);
    const bool last = i + 1 == kind.block_count;
    const std::uint64_t next_first = last ? kind.record_count : load_fixed32(entry(i + 1));
    const std::uint64_t end = last ? kind.area_end : load_fixed64(entry(i + 1) + 8);
    if ((i == 0 && first != 0) || id >= next_first || next_first > kind.record_count) {
        fail(at, std::string(kind.label) + " block index entries out of order");
    }
    if (begin < kind.area_begin || begin >= end || end > kind.area_end) {
        fail(at, std::string(kind.label) + " block offsets out of range");
    }
    for (const auto& c : block_cache) {
        if (c.id == cache_id_ && c.begin == begin) return {first, next_first, begin, c.raw};
    }
    const char* src = base + begin;
    const auto src_size = static_cast<std::size_t>(end - begin);
    // The frame header must announce exactly the size the index records before anything is allocated.
    const unsigned long long content = ZSTD_getFrameContentSize(src, src_size);
    if (content != raw_size) fail(begin, std::string(kind.label) + " block size disagrees with its zstd frame");
    // And what the compressed bytes can hold, so that a damaged size (up to 4 GiB) allocates
    // nothing: every zstd block takes at least 4 bytes (a 3-byte header and one RLE byte) and
    // yields at most 128 KiB.
    if (raw_size > (std::uint64_t{src_size} / 4 + 1) * (std::uint64_t{1} << 17))
        fail(begin, std::string(kind.label) + " block size exceeds what its zstd frame can hold");
    // Decompressed straight into the next slot, which is marked empty until the bytes are checked.
    auto& slot = block_cache[block_cache_next];
    slot.id = 0;
    std::string& raw = slot.raw;
    raw.resize(raw_size);
    const std::size_t n = ZSTD_decompressDCtx(thread_dctx(), raw.data(), raw.size(), src, src_size);
    if (ZSTD_isError(n) != 0) {
        fail(begin, std::string(kind.label) + " block: zstd: " + ZSTD_getErrorName(n));
    }
    if (n != raw_size) fail(begin, std::string(kind.label) + " block decompresses to the wrong size");
    block_cache_next = (block_cache_next + 1) % cache_slots;
    slot.id = cache_id_;
    slot.begin = begin;
    return {first, next_first, begin, raw};
}

passage_record stored_fields_reader::passage(docid_t d) const {
    if (d >= passage_count_) {
        throw invalid_argument("stored fields: docid " + std::to_string(d) + " out of range (" +
                               std::to_string(passage_count_) + " passages)");
    }
    const block_kind kind{"passage", 0, article_blocks_, index_, passage_blocks_, passage_count_};
    const auto block = load_block(kind, d);
    const std::uint64_t at = block.offset;
    const char* p = block.raw.data();
    const char* limit = p + block.raw.size();
    passage_record out{};
    for (std::uint32_t id = block.first;; ++id) {
        std::uint64_t length = 0;
        p = get_varint32(p, limit, out.article);
        if (p != nullptr) p = get_varint32(p, limit, out.ordinal);
        if (p != nullptr) p = get_varint32(p, limit, out.begin);
        if (p != nullptr) p = get_varint32(p, limit, out.end);
        if (p != nullptr) p = get_varint(p, limit, length);
        if (p == nullptr || length > static_cast<std::uint64_t>(limit - p)) fail(at, "malformed passage record");
        if (id == d) {
            if (d + std::uint64_t{1} == block.end && length != static_cast<std::uint64_t>(limit - p)) {
                fail(at, "passage block holds bytes after its last record");
            }
            out.text.assign(p, static_cast<std::size_t>(length));
            break;
        }
        p += length;
    }
    if (out.article >= article_count_) fail(at, "passage names an article out of range");
    return out;
}

article_record stored_fields_reader::article(std::uint32_t a) const {
    if (a >= article_count_) {
        throw invalid_argument("stored fields: article " + std::to_string(a) + " out of range (" +
                               std::to_string(article_count_) + " articles)");
    }
    const std::uint64_t index = index_ + stored_index_entry_size * std::uint64_t{passage_blocks_};
    const block_kind kind{"article", article_blocks_, index_, index, article_blocks_count_, article_count_};
    const auto block = load_block(kind, a);
    const std::uint64_t at = block.offset;
    const char* p = block.raw.data();
    const char* limit = p + block.raw.size();
    for (std::uint32_t id = block.first;; ++id) {
        std::uint64_t id_length = 0;
        std::uint64_t title_length = 0;
        p = get_varint(p, limit, id_length);
        if (p == nullptr || id_length > static_cast<std::uint64_t>(limit - p)) fail(at, "malformed article record");
        const char* id_bytes = p;
        p += id_length;
        p = get_varint(p, limit, title_length);
        if (p == nullptr || title_length > static_cast<std::uint64_t>(limit - p)) {
            fail(at, "malformed article record");
        }
        if (id == a) {
            if (a + std::uint64_t{1} == block.end && title_length != static_cast<std::uint64_t>(limit - p)) {
                fail(at, "article block holds bytes after its last record");
            }
            return {article_id{std::string(id_bytes, static_cast<std::size_t>(id_length))},
                    std::string(p, static_cast<std::size_t>(title_length))};
        }
        p += title_length;
    }
}

}  // namespace rapport::index
