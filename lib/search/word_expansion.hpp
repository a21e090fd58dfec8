// SPDX-License-Identifier: MIT
// Compile-only (lib/, never installed): prefix and fuzzy terms matched against the words as
// written (each segment's surface-word dictionary, FORMAT.md §9), then mapped to index terms by
// the index's analyzer, as Xapian's spelling table serves its corrections; and the spelling
// suggestions ("did you mean") built on the same dictionaries.
// Thread safety: pure functions over an immutable snapshot; the analyzer is the caller's.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/query/expand.hpp"
#include "rapport/query/query.hpp"
#include "rapport/search/searcher.hpp"

namespace rapport::search::detail {

/// Expands prefix or fuzzy node `q` within `options.field`: the surface words of the segments
/// that have them (format 4 and later) within the node's edit distance or with its prefix, each
/// analysed by `a` into one index term (a word that analyses to none or to several is skipped),
/// together with the index terms of older segments matched directly (of every segment for a text
/// field numbered 2 or more, whose words are not among the surface words). Each term keeps its
/// smallest distance and the surface word that gave it (`expanded_term::word`), and its df summed over all
/// segments in that field; terms absent from the field are dropped; the caps of `options` apply.
/// Throws: `invalid_argument` when `q` is neither prefix nor fuzzy; `corruption_error`.
[[nodiscard]] query::expansion expand_words(const index::index_reader& reader, const query::query& q,
                                            const query::expansion_options& options, analysis::analyzer& a);

/// `searcher::suggest` (rules there); `fold`: whether query words are case-folded as the index's words are.
[[nodiscard]] std::optional<std::string> suggest(const index::index_reader& reader, std::string_view text,
                                                 analysis::analyzer& a, bool fold, const suggest_options& options);

}  // namespace rapport::search::detail
