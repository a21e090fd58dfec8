// SPDX-License-Identifier: MIT
#include "rapport/index/disk_segment.hpp"

#include <roaring/roaring.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string_view>

#include "codec/postings_writer.hpp"
#include "index/stored_fields.hpp"
#include "rapport/core/bitset.hpp"
#include "rapport/core/error.hpp"
#include "rapport/storage/directory.hpp"

namespace rapport::index {

void detail::article_ids::add(std::string_view id) {
    if (id.size() > 0xFFFFFFFFu - bytes_.size()) throw invalid_argument("segment: the article ids of one segment exceed 4 GiB");
    bytes_.append(id);
    ends_.push_back(static_cast<std::uint32_t>(bytes_.size()));
}

file_seal detail::write_lengths(storage::directory& dir, const std::string& file, std::span<const std::uint32_t> body,
                                std::span<const std::uint32_t> articles, std::span<const std::uint32_t> title,
                                const article_ids& ids) {
    // Little-endian uint32 arrays mapped in place (scoring and result ids need no decompression):
    // body lengths, article numbers, title lengths, article id offsets; then the ids (FORMAT.md §6).
    RAPPORT_ASSERT(body.size() == articles.size() && body.size() == title.size());
    auto w = dir.create(file, storage::kinds::lengths, segment_format_version);
    for (const auto part : {body, articles, title, ids.ends()})
        w->append({reinterpret_cast<const char*>(part.data()), part.size_bytes()});
    w->append(ids.bytes());
    w->finish();
    return {w->file_size(), w->checksum()};
}

void detail::add_word(codec::term_dictionary_writer& out, std::string_view word, std::uint32_t df, std::uint64_t count) {
    codec::term_info info;
    info.df = df;
    info.total_tf = count;
    out.add(word, info);
}

static_assert(std::endian::native == std::endian::little,
              "passage lengths are mapped in place as little-endian uint32; big-endian hosts need a decode step");

namespace {
std::string file_of(const std::string& name, const char* ext) { return name + "." + ext; }

file_seal write_file(storage::directory& dir, const std::string& file, storage::file_kind kind, std::string_view payload) {
    auto w = dir.create(file, kind, segment_format_version);
    w->append(payload);
    w->finish();
    return {w->file_size(), w->checksum()};
}

// Opens the files of one segment, each checked against its seal when the commit recorded one.
class segment_opener {
public:
    segment_opener(const storage::directory& dir, const segment_entry* entry) : dir_(dir), entry_(entry) {}
    // The segment file with extension `ext`, one of segment_files::all (whose order the seals follow).
    std::shared_ptr<const storage::file_view> file(const std::string& name, const char* ext, storage::file_kind kind,
                                                   std::uint32_t min_version) const {
        // By content: the same extension's pointers may differ between translation units.
        const auto role = static_cast<std::size_t>(
            std::find_if(std::begin(segment_files::all), std::end(segment_files::all),
                         [&](const char* e) { return std::string_view(e) == ext; }) -
            std::begin(segment_files::all));
        RAPPORT_ASSERT(role < std::size(segment_files::all));
        const file_seal* seal = entry_ != nullptr && role < entry_->files.size() ? &entry_->files[role] : nullptr;
        return open(file_of(name, ext), kind, min_version, seal);
    }
    std::shared_ptr<const storage::file_view> deletions(const std::string& file) const {
        return open(file, storage::kinds::deletes, min_segment_format_version,
                    entry_ != nullptr && entry_->deletions ? &*entry_->deletions : nullptr);
    }

private:
    std::shared_ptr<const storage::file_view> open(const std::string& file, storage::file_kind kind,
                                                   std::uint32_t min_version, const file_seal* seal) const {
        storage::open_options o;
        if (seal != nullptr) o.expected_size = seal->size;
        auto view = dir_.open(file, kind, min_version, segment_format_version, o);
        if (seal != nullptr && view->checksum() != seal->checksum) {
            char buf[96];
            std::snprintf(buf, sizeof buf, "its checksum is %08x, the commit recorded %08x", view->checksum(),
                          seal->checksum);
            throw corruption_error(view->path(), std::nullopt,
                                   std::string("a sound file, but not the one the commit wrote (") + buf +
                                       "): copied from another segment, index or commit?");
        }
        return view;
    }
    const storage::directory& dir_;
    const segment_entry* entry_;
};
}  // namespace

std::vector<file_seal> write_segment(storage::directory& dir, const std::string& name, const segment& seg) {
    if (seg.values().articles() != 0 && seg.values().articles() != seg.article_count())
        throw invalid_argument("write_segment: the value columns do not cover the segment's articles");
    // Each file is written as soon as it is encoded and then freed, so that a flush holds one
    // encoded file at a time besides the segment (the RAM budget counts on it).
    file_seal dictionary_seal, postings_seal, positions_seal;
    {
        std::string postings, positions, dictionary;
        codec::term_dictionary_writer dict;
        const auto terms = seg.terms();
        for (termid_t t = 0; t < terms.size(); ++t) {
            // Block bounds of a term are taken against the lengths of its own field.
            const auto& list = seg.postings(t);
            const auto info = codec::write_postings(list.docids, list.freqs, list.position_offsets, list.positions,
                                                    seg.lengths(field_of_key(terms[t])), postings, positions);
            dict.add(terms[t], info);
        }
        postings_seal = write_file(dir, file_of(name, segment_files::postings), storage::kinds::postings, postings);
        positions_seal = write_file(dir, file_of(name, segment_files::positions), storage::kinds::positions, positions);
        std::string().swap(postings);
        std::string().swap(positions);
        dict.finish(dictionary);
        dictionary_seal = write_file(dir, file_of(name, segment_files::dictionary), storage::kinds::dictionary, dictionary);
    }
    file_seal lengths_seal;
    {
        std::vector<std::uint32_t> articles(seg.size());
        for (docid_t d = 0; d < seg.size(); ++d) articles[d] = seg.passage(d).article;
        detail::article_ids ids;
        for (std::uint32_t a = 0; a < seg.article_count(); ++a) ids.add(seg.article(a).id.value);
        lengths_seal = detail::write_lengths(dir, file_of(name, segment_files::lengths), seg.lengths(field::body), articles,
                                             seg.lengths(field::title), ids);
    }
    file_seal stored_seal;
    {
        std::string stored;
        stored_fields_writer store;
        for (std::uint32_t a = 0; a < seg.article_count(); ++a) store.add_article(seg.article(a));
        for (docid_t d = 0; d < seg.size(); ++d) store.add_passage(seg.passage(d));
        store.finish(stored);
        stored_seal = write_file(dir, file_of(name, segment_files::stored), storage::kinds::stored, stored);
    }
    file_seal words_seal;
    {
        std::string words;
        codec::term_dictionary_writer word_dict;
        for (const auto& w : seg.words()) detail::add_word(word_dict, w.word, w.df, w.count);
        word_dict.finish(words);
        words_seal = write_file(dir, file_of(name, segment_files::words), storage::kinds::words, words);
    }
    const auto values_seal =
        write_file(dir, file_of(name, segment_files::values), storage::kinds::values,
                   seg.values().encode(static_cast<std::uint32_t>(seg.article_count()), static_cast<std::uint32_t>(seg.size())));
    return {dictionary_seal, postings_seal, positions_seal, lengths_seal, stored_seal, words_seal, values_seal};
}

file_seal write_deletions(storage::directory& dir, const std::string& file, const std::vector<docid_t>& deleted) {
    roaring_bitmap_t* r = roaring_bitmap_of_ptr(deleted.size(), deleted.data());
    roaring_bitmap_run_optimize(r);
    std::string bytes(roaring_bitmap_portable_size_in_bytes(r), '\0');
    roaring_bitmap_portable_serialize(r, bytes.data());
    roaring_bitmap_free(r);
    return write_file(dir, file, storage::kinds::deletes, bytes);
}

struct disk_segment::impl {
    std::shared_ptr<const storage::file_view> dictionary, postings, positions, lengths, stored, words, values, deletions;
    stored_fields_reader store;
};

disk_segment::~disk_segment() = default;

std::shared_ptr<const disk_segment> disk_segment::open(const storage::directory& dir, const segment_entry& entry) {
    return open_sealed(dir, entry.name, entry.passages,
                       entry.deletion_gen == 0 ? std::string() : deletions_file_name(entry.name, entry.deletion_gen),
                       &entry);
}

std::shared_ptr<const disk_segment> disk_segment::open(const storage::directory& dir, const std::string& name,
                                                       std::uint32_t passages, const std::string& deletions_file) {
    return open_sealed(dir, name, passages, deletions_file, nullptr);
}

std::shared_ptr<const disk_segment> disk_segment::open_sealed(const storage::directory& dir, const std::string& name,
                                                              std::uint32_t passages, const std::string& deletions_file,
                                                              const segment_entry* seals) {
    const segment_opener opener(dir, seals);
    std::shared_ptr<disk_segment> s(new disk_segment());
    s->name_ = name;
    s->impl_ = std::make_shared<impl>();
    auto& f = *s->impl_;
    const auto lo = min_segment_format_version;
    f.dictionary = opener.file(name, segment_files::dictionary, storage::kinds::dictionary, lo);
    f.postings = opener.file(name, segment_files::postings, storage::kinds::postings, lo);
    f.positions = opener.file(name, segment_files::positions, storage::kinds::positions, lo);
    f.lengths = opener.file(name, segment_files::lengths, storage::kinds::lengths, lo);
    f.stored = opener.file(name, segment_files::stored, storage::kinds::stored, lo);

    if (f.dictionary->version() >= 4) {
        f.words = opener.file(name, segment_files::words, storage::kinds::words, 4);
        s->words_ = codec::term_dictionary(f.words->payload(), f.words->path(), storage::header_size);
        s->has_words_ = true;
    }

    s->dictionary_ = codec::term_dictionary(f.dictionary->payload(), f.dictionary->path(), storage::header_size);
    s->postings_ = f.postings->payload();
    s->positions_ = f.positions->payload();
    s->postings_layout_ = codec::postings_layout_of(f.postings->version());
    const auto lens = f.lengths->payload();
    f.store = stored_fields_reader(f.stored->payload(), f.stored->path(), storage::header_size, f.stored->version());
    if (f.store.passage_count() != passages)
        throw corruption_error(f.stored->path(), std::nullopt, "stored passage count disagrees with the manifest");
    // Version 1: body lengths and article numbers; version 2 adds title lengths; version 3 the
    // article ids after them.
    const std::size_t arrays = f.lengths->version() >= 2 ? 3 : 2;
    const bool with_ids = f.lengths->version() >= 3;
    const std::size_t articles = f.store.article_count();
    const std::size_t id_table = with_ids ? 4 * (articles + 1) : 0;
    const std::size_t fixed = std::size_t{passages} * 4 * arrays + id_table;
    if (with_ids && lens.size() < fixed)
        throw corruption_error(f.lengths->path(), storage::header_size,
                               "holds " + std::to_string(lens.size()) + " bytes, too few for " + std::to_string(passages) +
                                   " passages and " + std::to_string(articles) + " articles");
    if (!with_ids && lens.size() != fixed)
        throw corruption_error(f.lengths->path(), storage::header_size,
                               "holds " + std::to_string(lens.size() / (4 * arrays)) + " passages, the manifest says " +
                                   std::to_string(passages));
    // The payload starts 12 bytes into a page-aligned mapping (or a heap string), so it is 4-aligned.
    RAPPORT_ASSERT(reinterpret_cast<std::uintptr_t>(lens.data()) % alignof(std::uint32_t) == 0);
    s->lengths_ = {reinterpret_cast<const std::uint32_t*>(lens.data()), passages};
    s->articles_ = {reinterpret_cast<const std::uint32_t*>(lens.data()) + passages, passages};
    for (auto l : s->lengths_) s->total_length_ += l;
    if (arrays == 3) {
        s->title_lengths_ = {reinterpret_cast<const std::uint32_t*>(lens.data()) + 2 * std::size_t{passages}, passages};
    } else {
        s->no_titles_.assign(passages, 0);
        s->title_lengths_ = s->no_titles_;
    }
    for (auto l : s->title_lengths_) s->total_title_length_ += l;
    if (with_ids) {
        const auto at = std::size_t{passages} * 4 * arrays;
        s->id_offsets_ = {reinterpret_cast<const std::uint32_t*>(lens.data() + at), articles + 1};
        s->ids_ = lens.substr(fixed);
        if (s->id_offsets_[0] != 0 || s->id_offsets_[articles] != s->ids_.size())
            throw corruption_error(f.lengths->path(), storage::header_size + at, "article id offsets disagree with the ids");
        for (std::size_t a = 0; a < articles; ++a)
            if (s->id_offsets_[a + 1] < s->id_offsets_[a])
                throw corruption_error(f.lengths->path(), storage::header_size + at + 4 * (a + 1),
                                       "article id offsets descend");
    } else {
        s->legacy_id_offsets_.push_back(0);
        for (std::uint32_t a = 0; a < articles; ++a) {
            s->legacy_ids_ += f.store.article(a).id.value;
            s->legacy_id_offsets_.push_back(static_cast<std::uint32_t>(s->legacy_ids_.size()));
        }
        s->ids_ = s->legacy_ids_;
        s->id_offsets_ = s->legacy_id_offsets_;
    }
    for (docid_t d = 0; d < passages; ++d)
        if (s->articles_[d] >= f.store.article_count())
            throw corruption_error(f.lengths->path(), storage::header_size + (std::uint64_t{passages} + d) * 4,
                                   "passage names an article out of range");
    if (f.dictionary->version() >= 5) {
        f.values = opener.file(name, segment_files::values, storage::kinds::values, 5);
        s->values_ = value_columns::decode(f.values->payload(), static_cast<std::uint32_t>(articles), passages,
                                           f.values->path());
        for (const auto& c : s->values_.columns()) {
            if (c.field.type != field_type::text) continue;
            const std::size_t k = c.text_field - 2u;
            if (s->field_lengths_.size() <= k) {
                s->field_lengths_.resize(k + 1);
                s->field_totals_.resize(k + 1, 0);
            }
            auto& l = s->field_lengths_[k];
            l.resize(passages);
            for (docid_t d = 0; d < passages; ++d) {
                l[d] = static_cast<std::uint32_t>(c.numbers[s->articles_[d]]);
                s->field_totals_[k] += l[d];
            }
        }
    }

    if (!deletions_file.empty()) {
        f.deletions = opener.deletions(deletions_file);
        const auto bytes = f.deletions->payload();
        roaring_bitmap_t* r = roaring_bitmap_portable_deserialize_safe(bytes.data(), bytes.size());
        if (r == nullptr || roaring_bitmap_portable_size_in_bytes(r) != bytes.size()) {
            if (r != nullptr) roaring_bitmap_free(r);
            throw corruption_error(f.deletions->path(), storage::header_size, "malformed deletion bitmap");
        }
        // The range first, so that a bitmap claiming billions of ids costs nothing; then the ids
        // themselves, which must ascend strictly (a container holding a value twice would make the
        // cardinality overcount the passages deleted).
        if (!roaring_bitmap_is_empty(r) && roaring_bitmap_maximum(r) >= passages) {
            roaring_bitmap_free(r);
            throw corruption_error(f.deletions->path(), std::nullopt, "deleted docid out of range");
        }
        const auto count = roaring_bitmap_get_cardinality(r);
        std::vector<std::uint32_t> ids(count);
        roaring_bitmap_to_uint32_array(r, ids.data());
        roaring_bitmap_free(r);
        s->deleted_.assign(bitset_words(passages), 0);
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (ids[i] >= passages) throw corruption_error(f.deletions->path(), std::nullopt, "deleted docid out of range");
            if (i > 0 && ids[i] <= ids[i - 1])
                throw corruption_error(f.deletions->path(), std::nullopt, "malformed deletion bitmap (ids not ascending)");
            set_bit(s->deleted_, ids[i]);
        }
        s->deleted_count_ = static_cast<std::uint32_t>(count);
    }
    return s;
}

std::span<const std::uint32_t> disk_segment::zeros() const {
    std::call_once(zeros_once_, [this] { zeros_.assign(size(), 0); });
    return zeros_;
}

std::string disk_segment::postings_path() const { return impl_->postings->path(); }
std::string disk_segment::positions_path() const { return impl_->positions->path(); }

passage_record disk_segment::passage(docid_t d) const { return impl_->store.passage(d); }
article_record disk_segment::article(std::uint32_t a) const {
    auto r = impl_->store.article(a);
    if (!values_.columns().empty()) {
        for (const auto& c : values_.columns()) r.values.push_back(c.value(a));
    }
    return r;
}
const stored_fields_reader& disk_segment::stored_fields() const noexcept { return impl_->store; }
std::uint32_t disk_segment::article_count() const noexcept {
    return static_cast<std::uint32_t>(impl_->store.article_count());
}

std::vector<std::shared_ptr<const storage::file_view>> disk_segment::files() const {
    std::vector<std::shared_ptr<const storage::file_view>> out{impl_->dictionary, impl_->postings, impl_->positions,
                                                               impl_->lengths, impl_->stored};
    if (impl_->words) out.push_back(impl_->words);
    if (impl_->values) out.push_back(impl_->values);
    if (impl_->deletions) out.push_back(impl_->deletions);
    return out;
}

}  // namespace rapport::index
