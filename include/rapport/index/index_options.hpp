// SPDX-License-Identifier: MIT
// How an index splits and analyses articles; stored in every commit so that queries are analysed
// exactly as the indexed text was.
// Thread safety: a plain value.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/core/export.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/ingest/passage.hpp"

namespace rapport::index {

/// How articles are split and analysed. Queries are analysed with the same `analyzer` options.
struct index_options {
    analysis::analyzer_options analyzer{};  ///< default: English, stopwords, Snowball stemming
    ingest::passage_options passages{};     ///< default: paragraphs, long ones split on sentences
    /// A pipeline of your own (custom `token_filter`s, including ones that stack several terms on a
    /// position) that indexes every article in place of the standard one `analyzer` describes;
    /// `analyzer.invalid_utf8` still says how input is validated. Code cannot be stored, so only
    /// `custom_analyzer_name` is kept with the index: a writer that adds to it and a searcher
    /// that reads it must be given the same pipeline under that name (`search::searcher`'s
    /// constructor taking an analyzer). Articles with their own language are rejected with it.
    std::shared_ptr<const analysis::analyzer> custom_analyzer{};
    /// The name stored for `custom_analyzer` (required with it, at most 255 bytes); empty: the
    /// standard pipeline.
    std::string custom_analyzer_name{};
    /// The fields articles carry (index/schema.hpp): by default the two text fields only. Stored
    /// with every commit; a writer opening an index must give the same schema, or one that only
    /// appends new fields, text fields included (`schema_change_problem`). Empty: the default schema; writers and
    /// manifests keep it as `validate_schema` completes it.
    index::schema schema{};
};

/// The standard pipeline's options for an article in `language` of an index with `options`:
/// `options.analyzer` with that language, and the language's own defaults for stopwords (unless
/// the index gave an explicit list, which is kept), accent folding and elision; empty `language`
/// or the index's own gives `options.analyzer` unchanged.
/// Throws: `invalid_argument` when libstemmer does not know `language`.
[[nodiscard]] RAPPORT_API analysis::analyzer_options analyzer_options_for(const index_options& options,
                                                                         std::string_view language);

/// The analyzer of text field `field` (a text field besides title and body) of an index with
/// `options`: the registered custom analyzer it names, or the standard pipeline with
/// `options.analyzer` changed as its `text_analysis` says (a language as `analyzer_options_for`,
/// then the explicit settings). Nothing when the field sets nothing: it is analysed as the body
/// (the index's analyzer, or an article's language's).
/// Throws: `invalid_argument` naming the field when its custom analyzer is not registered or its
/// language unknown.
[[nodiscard]] RAPPORT_API std::optional<analysis::analyzer> field_analyzer(const index_options& options,
                                                                          const field_def& field);

}  // namespace rapport::index
