// SPDX-License-Identifier: MIT
// Compile-only: turns an article into analysed passages ready for a segment_writer (normalise,
// split, analyse), and files them with the hidden article-id key term. Shared by index_builder and
// each of index_writer's per-thread builders. Thread safety: one pipeline per thread.
#pragma once

#include <map>
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
    field_values values;  ///< the article's typed field values (schema order; empty: none)
    /// The keys of its keyword values (`keyword_key`), filed for each of its passages.
    std::vector<std::string> keyword_keys;
    /// The analysed text of its other text fields (number 2 and up), indexed for each passage.
    std::vector<std::pair<field, std::vector<analysis::token>>> field_tokens;
};

class passage_pipeline {
public:
    /// Throws: `invalid_argument` for an unknown language, inconsistent passage options, or a
    /// custom analyzer without a name (or a name without the analyzer, as an index built with a
    /// custom analyzer reopened without it is).
    explicit passage_pipeline(index_options options);

    /// Normalises, splits and analyses (with the analyzer of the article's language, see
    /// `analyzer_options_for`); does not touch any writer, so a failure changes nothing.
    /// `split` false indexes the whole body as one passage. Throws: `invalid_argument` (empty id,
    /// invalid UTF-8 under the reject policy, an unknown language, a language with a custom analyzer,
    /// a field the schema does not declare or a value of the wrong type: `convert_fields`).
    [[nodiscard]] prepared_article prepare(ingest::article article, bool split = true);

    [[nodiscard]] const index_options& options() const noexcept { return options_; }

    /// Bounds the word cache of every analyzer of the pipeline, those made later included
    /// (`analysis::analyzer::set_word_cache_words`).
    void set_word_cache_words(std::size_t words) noexcept;

private:
    analysis::analyzer& analyzer_for(const ingest::article& article);

    index_options options_;
    analysis::analyzer analyzer_;
    // The analyzer of each text field numbered 2 and up (by number − 2); nothing: the body's.
    std::vector<std::optional<analysis::analyzer>> field_analyzers_;
    std::map<std::string, analysis::analyzer, std::less<>> by_language_;  // articles in other languages
    std::size_t cache_words_ = analysis::analyzer::default_word_cache_words;
};

/// Adds a prepared article to `writer`; returns the docid of its first passage (or the next docid
/// when it has none). Complexity: linear in its tokens.
docid_t add_prepared(segment_writer& writer, prepared_article&& article);

}  // namespace rapport::index::detail
