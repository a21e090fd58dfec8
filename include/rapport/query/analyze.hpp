// SPDX-License-Identifier: MIT
// Query analysis: rewrites a raw query tree (surface words from the parser or a C++ caller) into
// index terms by running it through the analyzer the index was built with.
//
// Rules (QUERY.md, "Analysis"):
//   - term: analysed; no token -> dropped (a stopword, punctuation); one token -> that term; several
//     ("wi-fi" -> wi, fi) -> a boolean of `should` clauses, one per token (Lucene's behaviour with
//     autoGeneratePhraseQueries=false), carrying the term's boost and field;
//   - phrase: each word analysed in turn; positions come from the analyzer, so removed words
//     (stopwords) leave gaps; positions are shifted to start at 0; no token -> dropped; one
//     token -> a term; a quoted word with several tokens ("wi-fi") is a phrase;
//   - prefix and fuzzy: case-folded (NFKC_Casefold, as the standard pipeline folds) and never
//     stemmed or split, as Lucene normalises multi-term queries; folded to nothing -> dropped;
//   - boolean: clauses analysed, dropped ones removed, `minimum_should_match` clamped to the
//     should clauses left; no clause left -> dropped; a single should or must clause left (and
//     minimum_should_match at most 1) -> replaced by that clause's query, its boost multiplied by
//     the boolean's and the boolean's field inherited when it has none.
// A root that is dropped becomes the empty query.
//
// Thread safety: `analyze` uses the analyzer, which is not thread-safe: one analyzer per thread.
#pragma once

#include <functional>
#include <string_view>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/core/export.hpp"
#include "rapport/query/query.hpp"

namespace rapport::query {

/// Options of `analyze`.
struct analyze_options {
    /// Whether prefix and fuzzy terms are case-folded. Turn it off for an analyzer without the
    /// case-fold step (`analyzer_options::case_fold = false`), so that they stay as typed.
    bool fold_multi_term = true;
};

/// Returns `q` rewritten into index terms by `a` (rules above); the input is not modified.
/// Throws: what `a.analyze` throws (`invalid_argument` for invalid UTF-8 under the analyzer's
/// `reject` policy; a tree from the lenient parser is always valid UTF-8); the same for prefix
/// and fuzzy texts, which follow the analyzer's invalid-UTF-8 policy.
/// Complexity: linear in the text of the tree, plus the analyzer's cost.
[[nodiscard]] RAPPORT_API query analyze(const query& q, analysis::analyzer& a, const analyze_options& options = {});

/// As above, each leaf analysed by `for_field(its field)` (its own field, else the nearest
/// ancestor's; "" when none), or by `a` where that returns nullptr: a schema's text fields
/// with their own analyzers (`index::text_analysis`).
[[nodiscard]] RAPPORT_API query analyze(const query& q, analysis::analyzer& a, const analyze_options& options,
                                        const std::function<analysis::analyzer*(std::string_view field)>& for_field);

}  // namespace rapport::query
