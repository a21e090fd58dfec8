// SPDX-License-Identifier: MIT
// Compile-only: turns an article into analysed passages ready for a segment_writer (normalise,
// split, analyse), and files them with the hidden article-id key term. Shared by index_builder and
// each of index_writer's per-thread builders. Thread safety: one pipeline per thread.
#pragma once

#include <string>
#include <vector>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/index/index_options.hpp"
#include "index/segment_writer.hpp"
#include "rapport/ingest/article.hpp"

namespace rapport::index::detail {

// Every passage of an article is filed under its key term (index::article_key, index/fields.hpp),
// for delete and update by id.
using index::article_key;

/// An article after normalisation, splitting and analysis, not yet in any segment.
struct prepared_article {
    article_id id;
    std::string title;
    std::vector<passage_record> passages;  ///< `article` field unset until added
    std::vector<std::vector<analysis::token>> tokens;
    std::vector<analysis::token> title_tokens;  ///< the analysed title: every passage's title field
};

class passage_pipeline {
public:
    /// Throws: `invalid_argument` for an unknown language or inconsistent passage options.
    explicit passage_pipeline(index_options options);

    /// Normalises, splits and analyses; does not touch any writer, so a failure changes nothing.
    /// `split` false indexes the whole body as one passage. Throws: `invalid_argument` (empty id,
    /// invalid UTF-8 under the reject policy).
    [[nodiscard]] prepared_article prepare(ingest::article article, bool split = true);

    [[nodiscard]] const index_options& options() const noexcept { return options_; }

private:
    index_options options_;
    analysis::analyzer analyzer_;
};

/// Adds a prepared article to `writer`; returns the docid of its first passage (or the next docid
/// when it has none). Complexity: linear in its tokens.
docid_t add_prepared(segment_writer& writer, prepared_article&& article);

}  // namespace rapport::index::detail
