// SPDX-License-Identifier: MIT
// The in-memory immutable segment: a sorted term dictionary, postings (docids, term frequencies,
// positions), exact passage lengths and stored passages. `segment_writer` builds one; cursors read it.
// Thread safety: a finished segment is immutable and may be read from any number of threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/core/assert.hpp"
#include "rapport/core/types.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/index/value_columns.hpp"

namespace rapport::index {

/// The postings of one term, laid out as parallel arrays so that a block codec can encode them
/// 128 entries at a time (docids ascending, one frequency per docid, positions per posting).
struct postings_list {
    std::vector<docid_t> docids;                  ///< strictly ascending
    std::vector<std::uint32_t> freqs;             ///< freqs[i] = occurrences in docids[i], ≥ 1
    std::vector<std::uint32_t> position_offsets;  ///< positions of posting i: [offsets[i], offsets[i+1])
    std::vector<std::uint32_t> positions;         ///< token positions, ascending within a posting
};

/// An article as the index knows it: the caller's id and the title shown in results.
struct article_record {
    article_id id;
    std::string title;
    /// Its values of the schema's fields besides title and body (empty: none): in schema order when given to
    /// `segment_writer::add_article`; `disk_segment::article` fills them from the segment's value
    /// columns in the columns' order (`value_columns::values` gives a schema's order).
    field_values values{};
};

/// A stored passage: which article it came from, where, and its text.
struct passage_record {
    std::uint32_t article;  ///< index into `segment::articles()`
    std::uint32_t ordinal;  ///< passage number within the article, from 0
    std::uint32_t begin;    ///< byte range of the passage in the article body
    std::uint32_t end;
    std::string text;       ///< the passage text, exactly body[begin, end)
};

/// A word as written in the indexed text (NFKC_Casefold-ed when the index folds case), with the
/// passages it occurs in and its occurrences: one entry of a segment's surface-word dictionary,
/// which fuzzy and prefix queries and spelling suggestions match against (as Xapian's spelling
/// table), mapping each word to its index term through the analyzer.
struct surface_word {
    std::string word;
    std::uint32_t df = 0;     ///< passages whose body (or, for the first passage, title) holds it
    std::uint64_t count = 0;  ///< occurrences
    friend bool operator==(const surface_word&, const surface_word&) = default;
};

/// Reads one postings list in docid order; the in-memory implementation of the `Cursor` vocabulary
/// (`docid()`, `next()`, `seek()`, `freq()`, `positions()`).
class postings_cursor {
public:
    /// An exhausted cursor (what a term absent from the segment gets).
    postings_cursor() noexcept = default;
    /// Requires: `list` outlives the cursor.
    explicit postings_cursor(const postings_list& list) noexcept : list_(&list) {}

    /// The current docid, or `end_docid` once exhausted.
    [[nodiscard]] docid_t docid() const noexcept {
        return list_ != nullptr && i_ < list_->docids.size() ? list_->docids[i_] : end_docid;
    }
    /// Moves to the next posting. Requires: not exhausted.
    void next() noexcept { ++i_; }
    /// Moves to the first posting with docid ≥ `target`; never moves backwards.
    /// Complexity: galloping search, O(log distance).
    void seek(docid_t target) noexcept {
        if (list_ == nullptr) return;
        const auto& d = list_->docids;
        if (i_ >= d.size() || d[i_] >= target) return;
        std::size_t step = 1;
        std::size_t lo = i_;
        std::size_t hi = i_ + 1;
        while (hi < d.size() && d[hi] < target) {
            lo = hi;
            step *= 2;
            hi = lo + step;
        }
        hi = std::min(hi, d.size());
        i_ = static_cast<std::size_t>(std::lower_bound(d.begin() + static_cast<std::ptrdiff_t>(lo),
                                                       d.begin() + static_cast<std::ptrdiff_t>(hi), target) -
                                      d.begin());
    }
    /// Term frequency in the current passage. Requires: not exhausted.
    [[nodiscard]] std::uint32_t freq() const noexcept {
        RAPPORT_ASSERT(i_ < list_->freqs.size());
        return list_->freqs[i_];
    }
    /// Positions of the term in the current passage, ascending. Requires: not exhausted.
    [[nodiscard]] std::span<const std::uint32_t> positions() const noexcept {
        const auto b = list_->position_offsets[i_];
        const auto e = list_->position_offsets[i_ + 1];
        return {list_->positions.data() + b, e - b};
    }
    /// Number of postings in the list (the term's document frequency in this segment).
    [[nodiscard]] std::size_t size() const noexcept { return list_ != nullptr ? list_->docids.size() : 0; }

private:
    const postings_list* list_ = nullptr;
    std::size_t i_ = 0;
};

/// An immutable in-memory segment.
class segment {
public:
    segment() = default;
    /// Assembles a segment from its parts; `segment_writer::finish` is the usual way to get one.
    /// Requires: `terms` sorted and unique, `postings.size() == terms.size()`,
    /// `lengths.size() == passages.size()`, every passage's `article` < `articles.size()`.
    segment(std::vector<std::string> terms, std::vector<postings_list> postings, std::vector<std::uint32_t> lengths,
            std::vector<passage_record> passages, std::vector<article_record> articles,
            std::vector<std::uint32_t> title_lengths = {}, std::vector<surface_word> words = {})
        : terms_(std::move(terms)),
          postings_(std::move(postings)),
          lengths_(std::move(lengths)),
          title_lengths_(std::move(title_lengths)),
          passages_(std::move(passages)),
          articles_(std::move(articles)),
          words_(std::move(words)) {
        RAPPORT_ASSERT(std::is_sorted(terms_.begin(), terms_.end()));
        RAPPORT_ASSERT(postings_.size() == terms_.size());
        RAPPORT_ASSERT(lengths_.size() == passages_.size());
        if (title_lengths_.empty()) title_lengths_.assign(lengths_.size(), 0);
        RAPPORT_ASSERT(title_lengths_.size() == lengths_.size());
        for (auto l : lengths_) total_length_ += l;
    }

    /// Number of passages (documents) in the segment; docids are 0 .. size()-1.
    [[nodiscard]] std::size_t size() const noexcept { return lengths_.size(); }
    /// Number of distinct terms.
    [[nodiscard]] std::size_t term_count() const noexcept { return terms_.size(); }
    /// The sorted term dictionary.
    [[nodiscard]] std::span<const std::string> terms() const noexcept { return terms_; }
    /// Looks a term up. Complexity: O(log terms).
    [[nodiscard]] std::optional<termid_t> find_term(std::string_view term) const noexcept {
        const auto it = std::lower_bound(terms_.begin(), terms_.end(), term,
                                         [](const std::string& a, std::string_view b) { return a < b; });
        if (it == terms_.end() || *it != term) return std::nullopt;
        return static_cast<termid_t>(it - terms_.begin());
    }
    /// Postings of term `t`. Requires: t < term_count().
    [[nodiscard]] const postings_list& postings(termid_t t) const noexcept { return postings_[t]; }
    /// A cursor over `term`'s postings; exhausted when the term does not occur.
    [[nodiscard]] postings_cursor cursor(std::string_view term) const noexcept {
        const auto t = find_term(term);
        return t ? postings_cursor(postings_[*t]) : postings_cursor();
    }
    /// Document frequency of `term` (0 when absent).
    [[nodiscard]] std::size_t df(std::string_view term) const noexcept { return cursor(term).size(); }
    /// Exact length (number of indexed tokens) of passage `d`.
    [[nodiscard]] std::uint32_t length(docid_t d) const noexcept { return lengths_[d]; }
    /// All passage lengths, by docid.
    [[nodiscard]] std::span<const std::uint32_t> lengths() const noexcept { return lengths_; }
    /// The exact length of every passage in field `f` (body: `lengths()`).
    [[nodiscard]] std::span<const std::uint32_t> lengths(field f) const noexcept {
        if (f == field::title) return title_lengths_;
        if (f == field::body) return lengths();
        const auto k = static_cast<std::size_t>(f) - 2;
        return k < field_lengths_.size() ? std::span<const std::uint32_t>(field_lengths_[k]) : std::span<const std::uint32_t>();
    }
    /// Sets the lengths of text field `f` (numbered 2 or more), by docid.
    /// Requires: `l.size() == size()`.
    void set_field_lengths(field f, std::vector<std::uint32_t> l) {
        RAPPORT_ASSERT(static_cast<std::size_t>(f) >= 2 && l.size() == size());
        const auto k = static_cast<std::size_t>(f) - 2;
        if (field_lengths_.size() <= k) field_lengths_.resize(k + 1);
        field_lengths_[k] = std::move(l);
    }
    /// Sum of all passage lengths.
    [[nodiscard]] std::uint64_t total_length() const noexcept { return total_length_; }
    /// The stored passage `d`.
    [[nodiscard]] const passage_record& passage(docid_t d) const noexcept { return passages_[d]; }
    /// The article a passage belongs to.
    [[nodiscard]] const article_record& article(std::uint32_t a) const noexcept { return articles_[a]; }
    /// Number of articles.
    [[nodiscard]] std::size_t article_count() const noexcept { return articles_.size(); }
    /// The surface words of the segment's text, sorted by word (unique).
    [[nodiscard]] std::span<const surface_word> words() const noexcept { return words_; }
    /// The value columns of the articles' fields besides title and body (empty for the default schema).
    [[nodiscard]] const value_columns& values() const noexcept { return values_; }
    /// Sets the value columns. Requires: `v` covers `article_count()` articles (or is empty).
    void set_values(value_columns v) noexcept { values_ = std::move(v); }

private:
    std::vector<std::string> terms_;
    std::vector<postings_list> postings_;
    std::vector<std::uint32_t> lengths_;
    std::vector<std::uint32_t> title_lengths_;
    std::vector<std::vector<std::uint32_t>> field_lengths_;  ///< text fields from number 2, by docid
    std::vector<passage_record> passages_;
    std::vector<article_record> articles_;
    std::vector<surface_word> words_;
    value_columns values_;
    std::uint64_t total_length_ = 0;
};

}  // namespace rapport::index
