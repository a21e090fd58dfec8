// SPDX-License-Identifier: MIT
// Synonym rules in Solr's synonyms.txt format, for query-time expansion
// (`search::searcher::expand_synonyms`):
//   couch, sofa, settee       equivalent words: each is expanded to all of them
//   tv => television          explicit: "tv" is replaced by "television"
//   lift, elevator => lift    several words on the left, several on the right
//   # a comment               (also after a rule); blank lines are ignored
// A comma or `=>` inside a word is written `\,` or `\=>`. Words are as typed: the searcher analyses
// them as the index analyses text, and skips entries that analyse to no term or to several.
// Thread safety: values; immutable after parsing.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/core/export.hpp"

namespace rapport::query {

/// One rule: the words `from` (each) expand to the words `to`. For an equivalence line both hold
/// the same words; for `a => b` from = {a}, to = {b}.
struct synonym_rule {
    std::vector<std::string> from;
    std::vector<std::string> to;
    /// Memberwise equality.
    friend bool operator==(const synonym_rule&, const synonym_rule&) = default;
};

/// Parses a synonym file's text (UTF-8; a leading byte order mark is skipped). `name` starts error
/// messages.
/// Throws: `invalid_argument` naming `name` and the line for a rule with an empty side, an empty
/// entry (", ,"), more than one `=>`, or invalid UTF-8.
/// Complexity: linear in `text.size()`.
[[nodiscard]] RAPPORT_API std::vector<synonym_rule> parse_synonyms(std::string_view text,
                                                                    std::string_view name = "synonyms");

/// Reads the synonym file at `path` and parses it as `parse_synonyms` does.
/// Throws: `io_error` naming `path` when it cannot be read; `invalid_argument` as above.
[[nodiscard]] RAPPORT_API std::vector<synonym_rule> read_synonyms(const std::filesystem::path& path);

}  // namespace rapport::query
