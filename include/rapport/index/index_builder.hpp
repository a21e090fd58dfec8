// SPDX-License-Identifier: MIT
// The shortest way to an index: add articles, call finish(), search the returned snapshot. The
// index lives in a `storage::memory_directory` (the same format as on disk, held in memory); use
// `index_writer` over an `fs_directory` for a durable index.
// Thread safety: single-threaded. The returned `index_reader` may be searched from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "rapport/core/export.hpp"
#include "rapport/index/index_options.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/ingest/article.hpp"

namespace rapport::index {

/// Builds an in-memory index from articles.
class RAPPORT_API index_builder {
public:
    /// Throws: `invalid_argument` for an unknown stemmer language or inconsistent passage options.
    explicit index_builder(index_options options = {});
    ~index_builder();
    index_builder(index_builder&&) noexcept;
    index_builder& operator=(index_builder&&) noexcept;

    /// Normalises the article (UTF-8 policy of the analyzer options, NFC), splits its body into
    /// passages and indexes each passage. The title is stored, not indexed.
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

    /// Finishes the index and returns a reader of it; the builder starts over, empty, with the
    /// same options.
    [[nodiscard]] index_reader finish();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace rapport::index
