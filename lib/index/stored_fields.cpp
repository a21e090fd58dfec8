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

#include "rapport/core/crc32c.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/varint.hpp"

namespace rapport::index {

namespace {

constexpr std::uint64_t max32 = std::numeric_limits<std::uint32_t>::max();

struct index_entry {
    std::uint32_t first;
    std::uint32_t raw_size;
    std::uint64_t offset;  // relative to the start of this kind's blocks while writing
    std::uint32_t article_base;  // passage blocks: the article their records are relative to
};

// Zigzag: a signed difference as an unsigned varint (0, -1, 1, -2 … as 0, 1, 2, 3 …).
std::uint64_t zigzag(std::int64_t v) noexcept {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) noexcept {
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

// The blocks of one kind (passages or articles) while they are being written.
struct block_builder {
    std::string pending;  // raw records of the open block
    std::uint32_t pending_first = 0;
    std::uint32_t pending_base = 0;  // passage blocks: the article_base of the open block
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
        entries.push_back({pending_first, static_cast<std::uint32_t>(pending.size()), taken + at, pending_base});
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

// Where the blocks and the index entries of one kind of record lie.
struct stored_fields_reader::block_kind {
    const char* label;            // "passage" or "article", for messages
    std::uint64_t area_begin;     // first byte of the kind's blocks
    std::uint64_t area_end;       // one past their last byte
    std::uint64_t index_begin;    // first byte of the kind's index entries
    std::uint32_t block_count;
    std::uint32_t record_count;
    std::size_t entry_size;       // bytes of one index entry
    bool relative;                // entries hold article_base (passage blocks, version 6 on)
};

stored_fields_reader::block_kind stored_fields_reader::passage_kind() const noexcept {
    return {"passage", 0, article_blocks_, index_, passage_blocks_, passage_count_,
            relative_ ? stored_passage_entry_size : stored_index_entry_size, relative_};
}

stored_fields_reader::block_kind stored_fields_reader::article_kind() const noexcept {
    const std::uint64_t index = index_ + passage_kind().entry_size * std::uint64_t{passage_blocks_};
    return {"article", article_blocks_, index_, index, article_blocks_count_, article_count_, stored_index_entry_size, false};
}

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
    auto& b = impl_->passages;
    // The record's article is relative to its block's first passage's, so it depends on whether it
    // opens a block: re-encoded in the rare case that it does not fit the open one.
    const auto encode = [&](std::uint32_t base) {
        s.clear();
        put_varint(s, zigzag(std::int64_t{passage.article} - std::int64_t{base}));
        put_varint(s, passage.ordinal);
        put_varint(s, passage.begin);
        put_varint(s, passage.end);
        put_varint(s, passage.text.size());
        s.append(passage.text);
    };
    std::uint32_t base = b.pending.empty() ? passage.article : b.pending_base;
    encode(base);
    if (!b.pending.empty() && b.pending.size() + s.size() > max32) {
        b.flush(impl_->cctx.get());
        base = passage.article;
        encode(base);
    }
    if (b.pending.empty()) b.pending_base = base;
    b.add(impl_->cctx.get(), s);
    impl_->max_article = std::max<std::uint64_t>(impl_->max_article, std::uint64_t{passage.article} + 1);
}

void stored_fields_writer::append(const stored_fields_reader& source, const std::function<void()>& closed) {
    auto& im = *impl_;
    if (!source.relative_articles())
        throw invalid_argument("stored fields: only a payload of version 6 or later can be appended as it is");
    if (std::uint64_t{im.passages.count} + source.passage_count() > max32 ||
        std::uint64_t{im.articles.count} + source.article_count() > max32)
        throw invalid_argument("stored fields: too many records (2^32 - 1)");
    // Every entry is checked before anything is closed or copied, so a damaged source leaves the
    // writer as it was.
    const auto passage_kind = source.passage_kind();
    const auto article_kind = source.article_kind();
    const auto entries = [&](const stored_fields_reader::block_kind& kind) {
        std::vector<stored_fields_reader::block_entry> out;
        out.reserve(kind.block_count);
        for (std::uint32_t i = 0; i < kind.block_count; ++i) out.push_back(source.entry_of(kind, i));
        return out;
    };
    const auto passage_blocks = entries(passage_kind);
    const auto article_blocks = entries(article_kind);
    im.passages.flush(im.cctx.get());
    im.articles.flush(im.cctx.get());
    const std::uint32_t article_base = im.articles.count;
    const auto copy = [&](const std::vector<stored_fields_reader::block_entry>& blocks, std::uint32_t records,
                          block_builder& to, bool passages) {
        for (const auto& e : blocks) {
            const std::size_t at = to.compressed.size();
            to.compressed.append(source.data_.data() + e.begin, static_cast<std::size_t>(e.end - e.begin));
            to.entries.push_back(
                {to.count + e.first, e.raw_size, to.taken + at, passages ? article_base + e.article_base : 0});
            if (passages && closed) closed();
        }
        to.count += records;
    };
    copy(passage_blocks, passage_kind.record_count, im.passages, true);
    copy(article_blocks, article_kind.record_count, im.articles, false);
    if (source.passage_count() != 0)
        im.max_article = std::max<std::uint64_t>(im.max_article, std::uint64_t{article_base} + source.article_count());
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
                stored_passage_entry_size * im.passages.entries.size() +
                stored_index_entry_size * im.articles.entries.size() + stored_trailer_size);
    out.append(im.passages.compressed);
    out.append(im.articles.compressed);
    for (const auto& e : im.passages.entries) {
        put_fixed32(out, e.first);
        put_fixed32(out, e.raw_size);
        put_fixed64(out, e.offset);
        put_fixed32(out, e.article_base);
    }
    for (const auto& e : im.articles.entries) {
        put_fixed32(out, e.first);
        put_fixed32(out, e.raw_size);
        put_fixed64(out, article_blocks + e.offset);
    }
    const std::size_t entry_bytes = stored_passage_entry_size * im.passages.entries.size() +
                                    stored_index_entry_size * im.articles.entries.size();
    const std::uint32_t index_crc = crc32c(std::string_view(out).substr(out.size() - entry_bytes));
    put_fixed64(out, article_blocks);
    put_fixed64(out, index);
    put_fixed32(out, im.passages.count);
    put_fixed32(out, static_cast<std::uint32_t>(im.passages.entries.size()));
    put_fixed32(out, im.articles.count);
    put_fixed32(out, static_cast<std::uint32_t>(im.articles.entries.size()));
    put_fixed32(out, index_crc);
    im.passages = block_builder();
    im.articles = block_builder();
    im.max_article = 0;
}

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

// Where this thread's last read of a kind of record stopped in its block: reading records in order
// (a merge of a segment with deletions, or under an index sort) resumes there instead of scanning
// the block from its first record each time, which made such a merge quadratic in a block's records.
struct scan_point {
    std::uint64_t id = 0;     // cache_id_ of the reader, 0 = none
    std::uint64_t begin = 0;  // offset of the compressed block
    std::uint32_t next = 0;   // the record that starts at `offset`
    std::size_t offset = 0;   // in the decompressed block
};
thread_local scan_point passage_scan;
thread_local scan_point article_scan;

// Where to start scanning `raw` (block `begin` of reader `id`, first record `first`) for record `want`.
std::pair<std::uint32_t, std::size_t> scan_start(const scan_point& at, std::uint64_t id, std::uint64_t begin,
                                                 std::uint32_t first, std::uint32_t want) noexcept {
    if (at.id == id && at.begin == begin && at.next >= first && at.next <= want) return {at.next, at.offset};
    return {first, 0};
}
}  // namespace

stored_fields_reader::stored_fields_reader(std::string_view data, std::string name, std::uint64_t base_offset,
                                           std::uint32_t version)
    : data_(data), name_(std::move(name)), base_(base_offset), cache_id_(next_cache_id++),
      relative_(version >= stored_relative_articles_version) {
    const std::size_t trailer_size = relative_ ? stored_trailer_size : stored_trailer_size_v5;
    if (data_.size() < trailer_size) fail(0, "shorter than its trailer");
    const std::uint64_t trailer = data_.size() - trailer_size;
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
    const std::uint64_t passage_entry = relative_ ? stored_passage_entry_size : stored_index_entry_size;
    const std::uint64_t index_size =
        passage_entry * std::uint64_t{passage_blocks_} + stored_index_entry_size * std::uint64_t{article_blocks_count_};
    if (index_ > trailer || trailer - index_ != index_size) fail(trailer + 8, "block index size disagrees");
    if (article_blocks_ > index_) fail(trailer, "article blocks start past the block index");
    if (relative_ && crc32c(data_.substr(index_, trailer - index_)) != load_fixed32(t + 32))
        fail(trailer + 32, "the block indexes fail their checksum");
    // O(1) checks of each kind's first and last index entries, so that a damaged count or area
    // boundary is caught at open even when the records read later happen to decode.
    auto check_ends = [&](const block_kind& k) {
        if (k.block_count == 0) return;
        const char* first = data_.data() + k.index_begin;
        const char* last = first + k.entry_size * (k.block_count - 1);
        if (load_fixed32(first) != 0 || load_fixed64(first + 8) != k.area_begin) {
            fail(k.index_begin, std::string("first ") + k.label + " block index entry is wrong");
        }
        if (load_fixed32(last) >= k.record_count || load_fixed64(last + 8) >= k.area_end) {
            fail(k.index_begin + k.entry_size * (k.block_count - 1),
                 std::string("last ") + k.label + " block index entry is out of range");
        }
    };
    check_ends(passage_kind());
    check_ends(article_kind());
}

void stored_fields_reader::fail(std::uint64_t offset, const std::string& message) const {
    throw corruption_error(name_, base_ + offset, "stored fields: " + message);
}

stored_fields_reader::block_entry stored_fields_reader::entry_of(const block_kind& kind, std::uint32_t i) const {
    const char* base = data_.data();
    auto entry = [&](std::uint32_t j) { return base + kind.index_begin + kind.entry_size * j; };
    const std::uint64_t at = kind.index_begin + kind.entry_size * i;
    block_entry e;
    e.first = load_fixed32(entry(i));
    e.raw_size = load_fixed32(entry(i) + 4);
    e.begin = load_fixed64(entry(i) + 8);
    if (kind.relative) e.article_base = load_fixed32(entry(i) + 16);
    const bool last = i + 1 == kind.block_count;
    e.last = last ? kind.record_count : load_fixed32(entry(i + 1));
    e.end = last ? kind.area_end : load_fixed64(entry(i + 1) + 8);
    if ((i == 0 && e.first != 0) || e.first >= e.last || e.last > kind.record_count) {
        fail(at, std::string(kind.label) + " block index entries out of order");
    }
    if (e.begin < kind.area_begin || e.begin >= e.end || e.end > kind.area_end) {
        fail(at, std::string(kind.label) + " block offsets out of range");
    }
    if (kind.relative && e.article_base >= article_count_) fail(at, "passage block's article base out of range");
    return e;
}

stored_fields_reader::loaded_block stored_fields_reader::load_block(const block_kind& kind, std::uint32_t id) const {
    const char* base = data_.data();
    auto entry = [&](std::uint32_t i) { return base + kind.index_begin + kind.entry_size * i; };
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
    const auto e = entry_of(kind, i);
    if (id >= e.last) fail(kind.index_begin + kind.entry_size * i, std::string(kind.label) + " block index entries out of order");
    const std::uint32_t first = e.first;
    const std::uint32_t raw_size = e.raw_size;
    const std::uint64_t begin = e.begin;
    const std::uint64_t end = e.end;
    const std::uint64_t next_first = e.last;
    for (const auto& c : block_cache) {
        if (c.id == cache_id_ && c.begin == begin) return {first, next_first, begin, c.raw, e.article_base};
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
    return {first, next_first, begin, raw, e.article_base};
}

passage_record stored_fields_reader::passage(docid_t d) const {
    if (d >= passage_count_) {
        throw invalid_argument("stored fields: docid " + std::to_string(d) + " out of range (" +
                               std::to_string(passage_count_) + " passages)");
    }
    const auto block = load_block(passage_kind(), d);
    const std::uint64_t at = block.offset;
    const auto [start, skip] = scan_start(passage_scan, cache_id_, block.offset, block.first, d);
    const char* p = block.raw.data() + skip;
    const char* limit = block.raw.data() + block.raw.size();
    passage_record out{};
    std::uint64_t article = 0;
    for (std::uint32_t id = start;; ++id) {
        std::uint64_t length = 0;
        p = get_varint(p, limit, article);
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
            passage_scan = {cache_id_, block.offset, d + 1, static_cast<std::size_t>(p + length - block.raw.data())};
            break;
        }
        p += length;
    }
    // Relative (version 6 on): the block's article_base plus the signed difference. The
    // difference is range-checked before the sum (which therefore cannot overflow) and the
    // sum before it is narrowed, so that a damaged difference cannot wrap into range.
    std::int64_t number = -1;
    if (relative_) {
        const std::int64_t delta = unzigzag(article);
        if (delta >= -std::int64_t{block.article_base} && delta < std::int64_t{article_count_}) {
            number = std::int64_t{block.article_base} + delta;
        }
    } else if (article <= max32) {
        number = static_cast<std::int64_t>(article);
    }
    if (number < 0 || number >= std::int64_t{article_count_}) fail(at, "passage names an article out of range");
    out.article = static_cast<std::uint32_t>(number);
    return out;
}

article_record stored_fields_reader::article(std::uint32_t a) const {
    if (a >= article_count_) {
        throw invalid_argument("stored fields: article " + std::to_string(a) + " out of range (" +
                               std::to_string(article_count_) + " articles)");
    }
    const auto block = load_block(article_kind(), a);
    const std::uint64_t at = block.offset;
    const auto [start, skip] = scan_start(article_scan, cache_id_, block.offset, block.first, a);
    const char* p = block.raw.data() + skip;
    const char* limit = block.raw.data() + block.raw.size();
    for (std::uint32_t id = start;; ++id) {
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
            article_scan = {cache_id_, block.offset, a + 1, static_cast<std::size_t>(p + title_length - block.raw.data())};
            return {article_id{std::string(id_bytes, static_cast<std::size_t>(id_length))},
                    std::string(p, static_cast<std::size_t>(title_length))};
        }
        p += title_length;
    }
}

}  // namespace rapport::index
