// SPDX-License-Identifier: MIT
#include "index/segment_writer.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include "index/index_sort.hpp"

namespace rapport::index {

namespace {
// Transparent hashing lets the table be probed with a string_view, without a std::string per token.
struct term_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return boost::hash<std::string_view>{}(s); }
};
struct term_equal {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};
}  // namespace

struct segment_writer::term_table {
    // Keys view `term_names_` (stable: a deque), so each term is stored once.
    boost::unordered_flat_map<std::string_view, termid_t, term_hash, term_equal> ids;
};

segment_writer::segment_writer(bool fold_words, schema values)
    : ids_(std::make_unique<term_table>()), words_(fold_words), fold_words_(fold_words), schema_(std::move(values)) {}
segment_writer::~segment_writer() = default;
segment_writer::segment_writer(segment_writer&&) noexcept = default;
segment_writer& segment_writer::operator=(segment_writer&&) noexcept = default;

termid_t segment_writer::intern(std::string_view term) {
    if (const auto it = ids_->ids.find(term); it != ids_->ids.end()) return it->second;
    const auto id = static_cast<termid_t>(term_names_.size());
    const std::string& name = term_names_.emplace_back(term);
    buffers_.emplace_back();
    last_doc_.push_back(0);
    ids_->ids.emplace(std::string_view(name), id);
    memory_ += rapport::detail::heap_size(name);
    return id;
}

void segment_writer::count_words(std::string_view text, std::span<const analysis::token> tokens, docid_t doc) {
    words_.count(text, tokens, doc);
}

std::size_t segment_writer::memory_usage() const noexcept {
    using rapport::detail::heap_size;
    std::size_t bytes = memory_ + postings_memory_ + words_.memory_usage() + rapport::detail::flat_table_heap_size(ids_->ids);
    bytes += term_names_.size() * sizeof(std::string) * 17 / 16;  // the deque's blocks and map
    bytes += heap_size(buffers_) + heap_size(last_doc_) + heap_size(lengths_) + heap_size(title_lengths_) +
             heap_size(passages_) + heap_size(articles_) + heap_size(touched_) + heap_size(field_lengths_);
    for (const auto& f : field_lengths_) bytes += heap_size(f);
    return bytes;
}

std::size_t segment_writer::flush_memory() const noexcept {
    // The order, the views sorted and their 16-byte sort keys (`name_order`), the segment's tables.
    const std::size_t per_term =
        sizeof(termid_t) + sizeof(std::string_view) + 16 + sizeof(std::string) + sizeof(postings_list);
    // An index sort renumbers first: two docid maps and a copy of the passages, a list at a time.
    const std::size_t sorting = schema_.sort ? passages_.size() * (2 * sizeof(docid_t) + sizeof(passage_record)) : 0;
    return term_names_.size() * per_term + postings_memory_ / 2 + sorting;
}

std::vector<surface_word> segment_writer::finish_words() { return words_.finish(); }

std::vector<docid_t> segment_writer::apply_index_sort() {
    const std::size_t n = passages_.size();
    std::vector<detail::sort_key> keys;
    keys.reserve(articles_.size());
    for (const auto& a : articles_) keys.push_back(detail::sort_key_of(schema_, a.values));
    const auto articles = detail::sorted_articles(schema_, keys);
    std::vector<std::uint32_t> new_article(articles.size());
    for (std::uint32_t i = 0; i < articles.size(); ++i) new_article[articles[i]] = i;
    // Passages grouped by article (a counting sort), each article's in the order they were added.
    std::vector<std::size_t> start(articles.size() + 1, 0);
    for (const auto& p : passages_) ++start[new_article[p.article] + 1];
    for (std::size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
    std::vector<docid_t> old_of(n);
    std::vector<docid_t> new_of(n);
    for (docid_t d = 0; d < n; ++d) {
        const auto at = static_cast<docid_t>(start[new_article[passages_[d].article]]++);
        old_of[at] = d;
        new_of[d] = at;
    }
    const auto permute = [&](auto& v) {
        if (v.size() != n) return;
        std::remove_reference_t<decltype(v)> out;
        out.reserve(n);
        for (const docid_t d : old_of) out.push_back(std::move(v[d]));
        v = std::move(out);
    };
    permute(passages_);
    for (auto& p : passages_) p.article = new_article[p.article];
    permute(lengths_);
    permute(title_lengths_);
    for (auto& f : field_lengths_) {
        f.resize(n, 0);
        permute(f);
    }
    std::vector<article_record> sorted;
    sorted.reserve(articles_.size());
    for (const auto a : articles) sorted.push_back(std::move(articles_[a]));
    articles_ = std::move(sorted);
    for (auto& list : buffers_) {
        for (auto& d : list.docids) d = new_of[d];
        detail::sort_postings(list);
    }
    return old_of;
}

}  // namespace rapport::index
