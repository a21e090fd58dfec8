// SPDX-License-Identifier: MIT
#include "index/segment_merger.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string>
#include <utility>
#include <vector>
#include <optional>
#include <queue>

#include "codec/postings_writer.hpp"
#include "index/index_sort.hpp"
#include "index/stored_fields.hpp"
#include "index/word_counter.hpp"
#include "rapport/analysis/tokenizer.hpp"
#include "rapport/codec/term_dictionary.hpp"
#include "rapport/core/error.hpp"
#include "rapport/storage/directory.hpp"

namespace rapport::index::detail {

namespace {
// Encoded bytes are handed to the file once this many have accumulated.
// (256 KiB: each buffer's capacity can reach twice this, and a merge holds five of them; at 1 MiB
// they were 8 MB of a 16 MB budget's peak.)
constexpr std::size_t flush_bytes = std::size_t{256} << 10;

// An output payload written in pieces; `offset()` is the payload offset of the next byte.
class streamed_payload {
public:
    streamed_payload(storage::directory& dir, const std::string& file, storage::file_kind kind)
        : writer_(dir.create(file, kind, segment_format_version)) {}
    std::string& buffer() noexcept { return buffer_; }
    [[nodiscard]] std::uint64_t flushed() const noexcept { return flushed_; }
    void maybe_flush() {
        if (buffer_.size() >= flush_bytes) flush();
    }
    file_seal finish() {
        flush();
        writer_->finish();
        return {writer_->file_size(), writer_->checksum()};
    }

private:
    void flush() {
        writer_->append(buffer_);
        flushed_ += buffer_.size();
        buffer_.clear();
    }
    std::unique_ptr<storage::file_writer> writer_;
    std::string buffer_;
    std::uint64_t flushed_ = 0;
};

// A k-way merge of sorted dictionaries: for each distinct term in ascending order, `begin(term)`,
// then `take(term, s, info)` for every source s holding it, in source order (so that renumbered
// docids ascend), then `end(term)`.
template <class Begin, class Take, class End>
void merge_dictionaries(std::vector<codec::term_dictionary_cursor> at, Begin begin, Take take, End end) {
    struct head {
        std::string term;
        std::size_t source;
        bool operator>(const head& o) const { return term != o.term ? term > o.term : source > o.source; }
    };
    std::priority_queue<head, std::vector<head>, std::greater<>> heap;
    for (std::size_t s = 0; s < at.size(); ++s)
        if (at[s].valid()) heap.push({std::string(at[s].term()), s});
    while (!heap.empty()) {
        const std::string term = heap.top().term;
        begin(term);
        while (!heap.empty() && heap.top().term == term) {
            const std::size_t s = heap.top().source;
            heap.pop();
            take(term, s, at[s].info());
            at[s].next();
            if (at[s].valid()) heap.push({std::string(at[s].term()), s});
        }
        end(term);
    }
}
}  // namespace

merged_segment merge_segments(storage::directory& dir, const std::string& name,
                              const std::vector<std::shared_ptr<const disk_segment>>& sources, bool fold_words,
                              const schema& values_schema) {
    const bool with_values = values_schema.has_values();
    std::vector<field_values> values;  // by new article number
    // Renumber live passages, collect lengths and article numbers, copy stored fields.
    std::vector<std::vector<docid_t>> renumber(sources.size());
    std::vector<std::uint32_t> lengths;
    std::vector<std::uint32_t> title_lengths;
    // The other text fields' lengths, by field number − 2 (what their postings' block bounds read).
    std::vector<std::vector<std::uint32_t>> field_lengths(values_schema.text_field_count() - 2);
    std::vector<std::uint32_t> article_of;
    article_ids ids;  // by new article number
    // Stored passages go to the file as their blocks close: a merge holds one block's worth.
    streamed_payload stored_out(dir, name + "." + segment_files::stored, storage::kinds::stored);
    stored_fields_writer stored;
    std::uint32_t articles = 0;
    docid_t next = 0;
    // Surface words: when every source has its dictionary of them, a k-way merge of those (below)
    // holds nothing; a source from before format 4 has its passages counted again.
    const bool merge_words = std::all_of(sources.begin(), sources.end(), [](const auto& s) { return s->has_words(); });
    word_counter words(fold_words);
    std::optional<analysis::tokenizer> tokenizer;  // for sources without surface words
    std::vector<analysis::token> tokens;
    // The merge copies runs of one article's passages: in source order, or in the index sort's.
    struct run {
        std::uint32_t source;
        std::uint32_t article;
        docid_t begin;
        docid_t end;
    };
    std::vector<run> runs;
    const bool sorting = values_schema.sort.has_value();
    // A source without deletions, merged in source order, keeps every passage and article in its
    // order: its stored blocks are copied as they are (no byte in them depends on where they sit,
    // FORMAT.md §7), which saves decompressing and compressing its text again (a third of a merge).
    const auto copied_whole = [&](const disk_segment& seg) {
        return !sorting && seg.deleted_count() == 0 && seg.has_words() && seg.stored_fields().relative_articles();
    };
    for (std::size_t s = 0; s < sources.size(); ++s) {
        const auto& seg = *sources[s];
        renumber[s].assign(seg.size(), end_docid);
        if (!merge_words)
            for (auto w = seg.words().begin(); w.valid(); w.next()) words.add(w.term(), w.info().df, w.info().total_tf);
        if (copied_whole(seg)) {  // one run for the whole source
            runs.push_back({static_cast<std::uint32_t>(s), 0, 0, seg.size()});
            continue;
        }
        const auto of = seg.article_numbers();
        for (docid_t d = 0; d < seg.size();) {
            docid_t e = d + 1;
            while (e < seg.size() && of[e] == of[d]) ++e;
            runs.push_back({static_cast<std::uint32_t>(s), of[d], d, e});
            d = e;
        }
    }
    // Under a sort, each run's values are decoded once: for its key, then for the merged columns.
    std::vector<field_values> run_values;
    if (sorting) {
        std::vector<sort_key> keys;
        keys.reserve(runs.size());
        run_values.reserve(runs.size());
        for (const auto& r : runs) {
            run_values.push_back(sources[r.source]->values().values(values_schema, r.article));
            keys.push_back(sort_key_of(values_schema, run_values.back()));
        }
        const auto order = sorted_articles(values_schema, keys);
        std::vector<run> sorted;
        std::vector<field_values> sorted_values;
        sorted.reserve(runs.size());
        sorted_values.reserve(runs.size());
        for (const auto i : order) {
            sorted.push_back(runs[i]);
            sorted_values.push_back(std::move(run_values[i]));
        }
        runs = std::move(sorted);
        run_values = std::move(sorted_values);
    }
    std::vector<std::vector<std::uint32_t>> article_maps(sources.size());
    for (std::size_t s = 0; s < sources.size(); ++s) article_maps[s].assign(sources[s]->article_count(), 0xFFFFFFFFu);
    const auto hand_on_blocks = [&] {
        if (stored.closed_passage_bytes() >= flush_bytes) {
            stored.take_passage_blocks(stored_out.buffer());
            stored_out.maybe_flush();
        }
    };
    for (std::size_t ri = 0; ri < runs.size(); ++ri) {
        const auto& r = runs[ri];
        const auto& seg = *sources[r.source];
        if (copied_whole(seg)) {
            const std::uint32_t base = articles;
            stored.append(seg.stored_fields(), hand_on_blocks);
            auto& article_map = article_maps[r.source];
            for (std::uint32_t a = 0; a < seg.article_count(); ++a) {
                article_map[a] = articles++;
                ids.add(seg.article_id(a));
                if (with_values) values.push_back(seg.values().values(values_schema, a));
            }
            const auto of = seg.article_numbers();
            auto& map = renumber[r.source];
            for (docid_t d = 0; d < seg.size(); ++d) {
                map[d] = next++;
                lengths.push_back(seg.lengths()[d]);
                title_lengths.push_back(seg.lengths(field::title)[d]);
                for (std::size_t k = 0; k < field_lengths.size(); ++k)
                    field_lengths[k].push_back(seg.lengths(static_cast<field>(k + 2))[d]);
                article_of.push_back(base + of[d]);
            }
            continue;
        }
        const bool recount = !seg.has_words();
        if (recount && !tokenizer) tokenizer.emplace();
        auto& map = renumber[r.source];
        auto& article_map = article_maps[r.source];
        for (docid_t d = r.begin; d < r.end; ++d) {
            if (seg.is_deleted(d)) continue;
            map[d] = next++;
            lengths.push_back(seg.lengths()[d]);
            title_lengths.push_back(seg.lengths(field::title)[d]);
            for (std::size_t k = 0; k < field_lengths.size(); ++k)
                field_lengths[k].push_back(seg.lengths(static_cast<field>(k + 2))[d]);
            auto p = seg.passage(d);
            if (recount) {
                tokens.clear();
                tokenizer->tokenize(p.text, tokens);
                words.count(p.text, tokens, map[d]);
            }
            // Only articles with a live passage survive the merge.
            if (article_map[p.article] == 0xFFFFFFFFu) {
                article_map[p.article] = articles++;
                auto a = seg.article(p.article);
                if (recount) {
                    tokens.clear();
                    tokenizer->tokenize(a.title, tokens);
                    words.count(a.title, tokens, map[d]);
                }
                ids.add(a.id.value);
                if (with_values)
                    values.push_back(sorting ? std::move(run_values[ri]) : seg.values().values(values_schema, p.article));
                stored.add_article(std::move(a));
            }
            p.article = article_map[p.article];
            article_of.push_back(p.article);
            stored.add_passage(p);
            hand_on_blocks();
        }
    }

    std::vector<codec::term_dictionary_cursor> cursors;
    for (const auto& src : sources) cursors.push_back(src->dictionary().begin());
    streamed_payload postings(dir, name + "." + segment_files::postings, storage::kinds::postings);
    streamed_payload positions(dir, name + "." + segment_files::positions, storage::kinds::positions);
    // The dictionaries go to their files as they grow too.
    streamed_payload dictionary_out(dir, name + "." + segment_files::dictionary, storage::kinds::dictionary);
    codec::term_dictionary_writer dictionary;
    postings_list list;
    const auto begin_term = [&](const std::string&) {
        list.docids.clear();
        list.freqs.clear();
        list.positions.clear();
        list.position_offsets.assign(1, 0);
    };
    const auto take_term = [&](const std::string& term, std::size_t s, const codec::term_info& held) {
        const auto& seg = *sources[s];
        auto c = seg.cursor(held);
        for (; c.docid() != end_docid; c.next()) {
            const docid_t doc = renumber[s][c.docid()];
            if (doc == end_docid) continue;
            list.docids.push_back(doc);
            list.freqs.push_back(c.freq());
            const auto pos = c.positions();
            list.positions.insert(list.positions.end(), pos.begin(), pos.end());
            list.position_offsets.push_back(static_cast<std::uint32_t>(list.positions.size()));
        }
        if (c.corrupt())
            throw corruption_error(seg.postings_path(), std::nullopt, "postings of '" + term + "' fail to decode");
    };
    const auto end_term = [&](const std::string& term) {
        if (list.docids.empty()) return;  // every passage holding the term was deleted
        if (sorting) sort_postings(list);
        const auto f = field_of_key(term);
        const auto k = static_cast<std::size_t>(f) - 2;
        if (f != field::body && f != field::title && k >= field_lengths.size())
            throw corruption_error(sources.front()->postings_path(), std::nullopt,
                                   "a term of a text field the schema does not declare");
        auto info = codec::write_postings(list.docids, list.freqs, list.position_offsets, list.positions,
                                          f == field::title  ? std::span<const std::uint32_t>(title_lengths)
                                          : f == field::body ? std::span<const std::uint32_t>(lengths)
                                                             : std::span<const std::uint32_t>(field_lengths[k]),
                                          postings.buffer(), positions.buffer());
        info.postings_offset += postings.flushed();
        info.positions_offset += positions.flushed();
        dictionary.add(term, info);
        postings.maybe_flush();
        positions.maybe_flush();
        if (dictionary.size() % 4096 == 0) {
            dictionary.take_blocks(dictionary_out.buffer());
            dictionary_out.maybe_flush();
        }
    };
    merge_dictionaries(std::move(cursors), begin_term, take_term, end_term);
    std::vector<std::vector<docid_t>>().swap(renumber);  // what is left is written from the arrays below
    std::vector<run>().swap(runs);
    std::vector<std::vector<std::uint32_t>>().swap(article_maps);
    merged_segment out{next, articles, std::vector<file_seal>(std::size(segment_files::all))};
    // The seals follow segment_files::all: dictionary, postings, positions, lengths, stored, words, values.
    out.files[1] = postings.finish();
    out.files[2] = positions.finish();

    auto write_whole = [&](const char* ext, storage::file_kind kind, std::string_view payload) {
        auto w = dir.create(name + "." + ext, kind, segment_format_version);
        w->append(payload);
        w->finish();
        return file_seal{w->file_size(), w->checksum()};
    };
    dictionary.finish(dictionary_out.buffer());
    out.files[0] = dictionary_out.finish();
    out.files[3] = write_lengths(dir, name + "." + segment_files::lengths, lengths, article_of, title_lengths, ids);
    stored.finish(stored_out.buffer());
    out.files[4] = stored_out.finish();
    ids = article_ids();
    std::vector<std::uint32_t>().swap(lengths);
    std::vector<std::uint32_t>().swap(title_lengths);
    std::vector<std::uint32_t>().swap(article_of);
    streamed_payload words_out(dir, name + "." + segment_files::words, storage::kinds::words);
    codec::term_dictionary_writer word_dict;
    if (merge_words) {
        std::vector<codec::term_dictionary_cursor> at;
        for (const auto& src : sources) at.push_back(src->words().begin());
        std::uint64_t df = 0;
        std::uint64_t count = 0;
        merge_dictionaries(
            std::move(at), [&](const std::string&) { df = count = 0; },
            [&](const std::string&, std::size_t, const codec::term_info& held) {
                df += held.df;
                count += held.total_tf;
            },
            [&](const std::string& word) {
                add_word(word_dict, word, static_cast<std::uint32_t>(std::min<std::uint64_t>(df, 0xFFFFFFFFu)), count);
                if (word_dict.size() % 4096 == 0) {
                    word_dict.take_blocks(words_out.buffer());
                    words_out.maybe_flush();
                }
            });
    } else {
        for (const auto& w : words.finish()) add_word(word_dict, w.word, w.df, w.count);
    }
    word_dict.finish(words_out.buffer());
    out.files[5] = words_out.finish();
    const value_columns columns = with_values ? value_columns(values_schema, values) : value_columns();
    out.files[6] = write_whole(segment_files::values, storage::kinds::values, columns.encode(articles, next));
    return out;
}

}  // namespace rapport::index::detail
