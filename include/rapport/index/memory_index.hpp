// SPDX-License-Identifier: MIT
// An in-memory index of articles split into passages, and the builder that makes one:
// article → normalised UTF-8 → passages → analysed tokens → segment.
// Thread safety: `index_builder` is single-threaded. A finished `memory_index` is immutable
// and may be searched by many threads at once (each with its own `search::searcher`).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/core/export.hpp"
#include "rapport/index/segment.hpp"
#include "rapport/index/segment_writer.hpp"
#include "rapport/ingest/article.hpp"
#include "rapport/ingest/passage.hpp"

namespace rapport::index {

/// How articles are split and analysed. Queries are analysed with the same `analyzer` options.
struct index_options {
    analysis::analyzer_options analyzer{};  ///< default: English, stopwords, Snowball stemming
    ingest::passage_options passages{};     ///< default: paragraphs, long ones split on sentences
};

/// An immutable in-memory index: one segment plus the options it was built with.
class memory_index {
public:
    /// Requires: `seg` was built with `options`.
    memory_index(segment seg, index_options options) : segment_(std::move(seg)), options_(std::move(options)) {}

    /// The passages, postings and stored fields.
    [[nodiscard]] const segment& passages() const noexcept { return segment_; }
    /// The options the index was built with (queries must be analysed the same way).
    [[nodiscard]] const index_options& options() const noexcept { return options_; }

private:
    segment segment_;
    index_options options_;
};

/// Builds a `memory_index` from articles.
class RAPPORT_API index_builder {
public:
    /// Throws: `invalid_argument` for an unknown stemmer language or inconsistent passage options.
    explicit index_builder(index_options options = {});
    ~index_builder();
    index_builder(index_builder&&) noexcept;
    index_builder& operator=(index_builder&&) noexcept;

    /// Normalises the article (UTF-8 policy of the analyzer options, NFC), splits its body into
    /// passages and indexes each passage. The title is stored, not indexed (issue: fields).
    /// An article whose body holds no text adds no passage but is still counted.
    /// Throws: `invalid_argument` for an empty or duplicate article id or invalid UTF-8 (with the
    /// article id and byte offset); the builder is unchanged when it throws.
    /// Complexity: linear in the article's size.
    void add(ingest::article article);

    /// Indexes one passage given as plain text (no splitting), e.g. for callers that split
    /// documents themselves. Same errors as `add`.
    void add_passage(article_id id, std::string title, std::string text);

    /// Passages indexed so far.
    [[nodiscard]] std::size_t passage_count() const noexcept;
    /// Articles added so far.
    [[nodiscard]] std::size_t article_count() const noexcept;

    /// Finishes the index; the builder is left empty with the same options.
    [[nodiscard]] memory_index finish();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace rapport::index
