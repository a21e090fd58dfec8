// SPDX-License-Identifier: MIT
// Compile-only (lib/, never installed; tests include it through lib/): accumulates analysed passages into postings buffers and finishes them into an immutable `segment`.
// Thread safety: a writer is used by one thread at a time; independent writers may run in parallel.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <memory>
#include <utility>
#include <vector>

#include "core/heap_size.hpp"
#include "core/name_order.hpp"
#include "index/word_counter.hpp"
#include "rapport/analysis/token.hpp"
#include "rapport/core/assert.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/export.hpp"
#include "rapport/core/types.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/index/segment.hpp"

namespace rapport::index {

/// Builds one segment in memory: term table → postings buffers, exact passage lengths,
/// stored passages. Docids are assigned densely in the order passages are added.
class RAPPORT_API segment_writer {
public:
    /// Creates an empty writer; `fold_words` says whether surface words are NFKC_Casefold-ed
    /// (as the index's analyzer folds case) before they are counted.
    /// `values` is the schema whose non-text fields articles carry (`add_article`'s `values`).
    explicit segment_writer(bool fold_words = true, schema values = default_schema());
    ~segment_writer();
    segment_writer(segment_writer&&) noexcept;
    segment_writer& operator=(segment_writer&&) noexcept;

    /// Registers an article; its passages refer to the returned number.
    /// Complexity: amortised O(1).
    [[nodiscard]] std::uint32_t add_article(article_id id, std::string title, field_values values = {}) {
        RAPPORT_ASSERT(values.empty() || values.size() == schema_.fields.size());
        memory_ += rapport::detail::heap_size(id.value) + rapport::detail::heap_size(title) +
                   rapport::detail::heap_size(values);
        for (const auto& v : values) {
            memory_ += rapport::detail::heap_size(v.stored) + rapport::detail::heap_size(v.keywords);
            for (const auto& k : v.keywords) memory_ += rapport::detail::heap_size(k);
        }
        articles_.push_back({std::move(id), std::move(title), std::move(values)});
        return static_cast<std::uint32_t>(articles_.size() - 1);
    }
    /// The schema of the articles' values.
    [[nodiscard]] const schema& values_schema() const noexcept { return schema_; }

    /// Adds one passage with its analysed tokens and returns its docid.
    /// The passage length is the number of positions its tokens take: removed stopwords do not
    /// count, and tokens stacked on one position (CJK bigrams over their first character, synonyms
    /// a filter adds) count once, as Lucene's discountOverlaps does.
    /// `title_tokens` are the analysed title of its article, indexed as the passage's `title` field
    /// (terms behind `title_term_prefix`, with their own positions and length); `fields` the
    /// analysed text of its article's other text fields (terms behind `field_term`'s prefix).
    /// Requires: `passage.article` was returned by `add_article`; token positions ascend.
    /// Throws: `invalid_argument` when the segment already holds 2^32 - 1 passages.
    /// Complexity: O(t log t) for t tokens.
    docid_t add_passage(passage_record passage, std::span<const analysis::token> tokens,
                        std::span<const analysis::token> title_tokens = {},
                        std::span<const std::pair<field, std::vector<analysis::token>>> fields = {}) {
        if (passages_.size() >= end_docid - 1) throw invalid_argument("segment is full (2^32 - 1 passages)");
        const auto doc = static_cast<docid_t>(passages_.size());
        touched_.clear();
        std::size_t grown = 0;  // heap bytes the postings buffers take on (kept local: a register)
        // Each occurrence goes straight to its term's buffer: the first one in this passage opens
        // the posting (`last_doc_`), the others add a position and count. (Sorting (term, position)
        // pairs per passage instead was 5 % of the instructions of a bulk load.)
        const auto occur = [&](termid_t t, std::uint32_t position) {
            auto& list = buffers_[t];
            if (last_doc_[t] != doc + 1) {
                last_doc_[t] = doc + 1;
                touched_.push_back(t);
                if (list.position_offsets.empty()) rapport::detail::push_counted(list.position_offsets, 0u, grown);
                rapport::detail::push_counted(list.docids, doc, grown);
                rapport::detail::push_counted(list.freqs, 0u, grown);
            }
            ++list.freqs.back();
            rapport::detail::push_counted(list.positions, position, grown);
        };
        for (const auto& tok : tokens) occur(intern(tok.term), tok.position);
        for (const auto& tok : title_tokens) {
            title_key_.resize(1);
            title_key_.append(tok.term);
            occur(intern(title_key_), tok.position);
        }
        for (const auto& [f, field_tokens] : fields) {
            const auto k = static_cast<std::size_t>(f) - 2;
            RAPPORT_ASSERT(static_cast<std::size_t>(f) >= 2 && static_cast<std::size_t>(f) < max_text_fields);
            if (field_lengths_.size() <= k) field_lengths_.resize(k + 1);
            field_lengths_[k].resize(doc + std::size_t{1}, 0);
            field_lengths_[k][doc] = positions_of(field_tokens);
            for (const auto& tok : field_tokens) {
                field_key_.resize(1);
                field_key_.push_back(static_cast<char>(f));
                field_key_.append(tok.term);
                occur(intern(field_key_), tok.position);
            }
        }
        for (const termid_t t : touched_) {
            auto& list = buffers_[t];
            // Positions ascend within a posting; the analyzers emit them in order, but a caller's
            // tokens need not come so.
            const auto begin = list.positions.end() - list.freqs.back();
            if (!std::is_sorted(begin, list.positions.end())) std::sort(begin, list.positions.end());
            rapport::detail::push_counted(list.position_offsets, static_cast<std::uint32_t>(list.positions.size()),
                                          grown);
        }
        count_words(passage.text, tokens, doc);
        if (passage.ordinal == 0) count_words(articles_[passage.article].title, title_tokens, doc);
        lengths_.push_back(positions_of(tokens));
        title_lengths_.push_back(positions_of(title_tokens));
        memory_ += rapport::detail::heap_size(passage.text);
        postings_memory_ += grown;
        passages_.push_back(std::move(passage));
        return doc;
    }

    void add_key(docid_t doc, std::string_view key) {
        auto& list = buffers_[intern(key)];
        if (list.position_offsets.empty()) rapport::detail::push_counted(list.position_offsets, 0u, postings_memory_);
        RAPPORT_ASSERT(list.docids.empty() || list.docids.back() < doc);
        rapport::detail::push_counted(list.docids, doc, postings_memory_);
        rapport::detail::push_counted(list.freqs, 1u, postings_memory_);
        rapport::detail::push_counted(list.position_offsets, static_cast<std::uint32_t>(list.positions.size()),
                                      postings_memory_);
    }

    /// The heap bytes this writer holds (postings buffers, term table, passages and their text,
    /// articles, surface words), counted from the containers' capacities with the allocator's
    /// overhead, so that it follows what the process really takes. Complexity: O(1).
    [[nodiscard]] std::size_t memory_usage() const noexcept;
    /// The heap bytes `finish` and writing the segment take on top of `memory_usage` at their peak:
    /// the sorted term order, the segment's term and postings tables, and the encoded postings and
    /// positions (at most half of their buffers: measured 0.2-0.3 on Wikipedia passages), so that a
    /// flush started at the budget stays within it. The RAM budget of `index_writer` is checked
    /// against the sum of the two.
    [[nodiscard]] std::size_t flush_memory() const noexcept;

    /// Number of passages added so far.
    [[nodiscard]] std::size_t size() const noexcept { return passages_.size(); }
    /// Number of articles registered so far.
    [[nodiscard]] std::size_t article_count() const noexcept { return articles_.size(); }

    /// Sorts the term dictionary and hands everything over to an immutable segment, its passages in
    /// the schema's index sort (`schema::sort`) when it has one; then `*moved`, when given, receives
    /// for each new docid the docid `add_passage` returned (identity without a sort).
    /// The writer is left empty. Complexity: O(T log T) for T distinct terms, plus O(P log P) and
    /// the postings' size to sort P passages.
    [[nodiscard]] segment finish(std::vector<docid_t>* moved = nullptr) {
        if (schema_.sort) {
            auto old_of = apply_index_sort();
            if (moved != nullptr) *moved = std::move(old_of);
        } else if (moved != nullptr) {
            moved->resize(passages_.size());
            std::iota(moved->begin(), moved->end(), docid_t{0});
        }
        // Through a flat array of views: indexing the deque on every comparison costs more.
        const std::vector<termid_t> order =
            rapport::detail::name_order(std::vector<std::string_view>(term_names_.begin(), term_names_.end()));
        std::vector<std::string> terms;
        std::vector<postings_list> postings;
        terms.reserve(order.size());
        postings.reserve(order.size());
        for (const auto t : order) {
            terms.push_back(std::move(term_names_[t]));
            postings.push_back(std::move(buffers_[t]));
        }
        std::vector<field_values> values;
        if (schema_.has_values()) {
            values.reserve(articles_.size());
            for (auto& a : articles_) values.push_back(std::move(a.values));
        }
        value_columns columns = schema_.has_values() ? value_columns(schema_, values) : value_columns();
        const auto passages = passages_.size();
        segment out(std::move(terms), std::move(postings), std::move(lengths_), std::move(passages_),
                    std::move(articles_), std::move(title_lengths_), finish_words());
        out.set_values(std::move(columns));
        // Every text field of the schema gets its lengths (0 for passages without it).
        field_lengths_.resize(schema_.text_field_count() - 2);
        for (std::size_t k = 0; k < field_lengths_.size(); ++k) {
            field_lengths_[k].resize(passages, 0);
            out.set_field_lengths(static_cast<field>(k + 2), std::move(field_lengths_[k]));
        }
        field_lengths_.clear();
        *this = segment_writer(fold_words_, std::move(schema_));
        return out;
    }

private:
    // The distinct positions of `tokens` (their positions do not descend).
    static std::uint32_t positions_of(std::span<const analysis::token> tokens) noexcept {
        std::uint32_t n = 0;
        for (std::size_t i = 0; i < tokens.size(); ++i) n += i == 0 || tokens[i].position != tokens[i - 1].position;
        return n;
    }
    // The term's id, registering it on first sight. Compiled (lib/index/segment_writer.cpp): the
    // term table is an open-addressing hash map from Boost, kept out of public headers.
    termid_t intern(std::string_view term);
    // Counts the surface word (the bytes of `text` it spans) of each token that opens a position
    // (stacked tokens share their position's word) toward passage `doc`.
    void count_words(std::string_view text, std::span<const analysis::token> tokens, docid_t doc);
    // The counted words, folded and sorted; empties the counts.
    std::vector<surface_word> finish_words();
    // Reorders the articles and passages added so far by `schema_.sort` (lib/index/index_sort.hpp),
    // renumbering every postings list; returns the old docid of each new one.
    std::vector<docid_t> apply_index_sort();

    struct term_table;
    std::unique_ptr<term_table> ids_;
    // By termid. A deque never moves its elements, so the term table's keys can view these
    // strings instead of holding a second copy of every term.
    std::deque<std::string> term_names_;
    std::vector<postings_list> buffers_;
    std::vector<std::uint32_t> lengths_;
    std::vector<std::uint32_t> title_lengths_;
    std::vector<passage_record> passages_;
    std::vector<article_record> articles_;
    std::vector<docid_t> last_doc_;  ///< by termid: 1 + the last passage holding the term, 0: none
    std::vector<termid_t> touched_;  ///< the terms of the passage being added
    std::string title_key_ = std::string(1, title_term_prefix);  ///< title_term_prefix + the current title term
    std::string field_key_ = std::string(1, text_field_term_prefix);  ///< the same for the other text fields
    std::vector<std::vector<std::uint32_t>> field_lengths_;  ///< by text field number − 2, by docid
    detail::word_counter words_;
    std::size_t memory_ = 0;           ///< heap bytes of strings (terms, passage text, articles)
    std::size_t postings_memory_ = 0;  ///< heap bytes of the postings buffers
    bool fold_words_ = true;
    schema schema_;
};

}  // namespace rapport::index
