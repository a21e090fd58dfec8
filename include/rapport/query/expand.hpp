// SPDX-License-Identifier: MIT
// Expansion of prefix and fuzzy queries into the index terms they match, over the term
// dictionaries of one or more segments.
//
// Prefix: an ordered walk from `seek(prefix)` while terms start with the prefix.
// Fuzzy: a Levenshtein automaton run as dynamic-programming rows intersected with the sorted
// dictionary (the dictionary walk of Schulz & Mihov 2002, "Fast string correction with
// Levenshtein automata", with the automaton state kept as the DP row of Wagner & Fischer 1974).
// Rows are computed incrementally, reusing those of the prefix shared with the previous term; when
// a row's minimum exceeds max_edits no extension of that prefix can match, so the walk seeks past
// every term with that prefix instead of reading them. Distances are counted in code points
// with transpositions of adjacent code points as one edit (optimal string alignment, Damerau
// 1964 restricted as by Boytsov 2011).
//
// Caps: a prefix keeps at most `max_prefix_terms` terms (default 128), the highest-df ones; a fuzzy
// query keeps `max_fuzzy_terms` (default 64), the closest then highest-df ones; ties by term
// bytes. When a cap drops terms, `expansion::truncated` is set. Expansion runs within one field
// (`expansion_options::field`, or the node's field): body terms are the keys that do not start with
// 0x01 (the writer's hidden article keys) or 0x02 (title terms, index/fields.hpp); title terms are
// the keys after 0x02. Returned terms never carry the field's mark.
//
// Thread safety: pure functions over immutable dictionaries; any number of threads may call them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/codec/term_dictionary.hpp"
#include "rapport/core/export.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/query/query.hpp"

namespace rapport::index {
class index_reader;
}

namespace rapport::query {

/// Default cap on the terms a prefix expands to.
inline constexpr std::size_t default_max_prefix_terms = 128;
/// Default cap on the terms a fuzzy term expands to.
inline constexpr std::size_t default_max_fuzzy_terms = 64;

/// Expansion settings.
struct expansion_options {
    /// Most terms a prefix expands to; the highest-df ones are kept.
    std::size_t max_prefix_terms = default_max_prefix_terms;
    /// Most terms a fuzzy term expands to; the closest, then highest-df ones are kept.
    std::size_t max_fuzzy_terms = default_max_fuzzy_terms;
    /// Leading code points a fuzzy match must share exactly with the query term, unless the node
    /// sets its own `prefix_length`. Larger values examine far fewer terms.
    std::uint32_t fuzzy_prefix_length = 0;
    /// Whether a transposition of adjacent code points counts as one edit (Damerau, optimal
    /// string alignment) rather than two (plain Levenshtein).
    bool transpositions = true;
    /// The field whose terms are expanded (`expand` of a node with a known field uses the node's).
    index::field field = index::field::body;
};

/// One index term an expansion produced.
struct expanded_term {
    /// The index term.
    std::string term;
    /// Its edit distance from the fuzzy term (0 for prefix expansions).
    std::uint32_t distance = 0;
    /// Its document frequency summed over the dictionaries searched (deleted passages included).
    std::uint64_t df = 0;
    /// The surface word it was reached from when the expansion ran over words as written (the
    /// searcher's, see `search_options::expansion`); empty when it matched index terms directly.
    std::string word{};
    /// The df of `word` in the surface-word dictionaries (0 without a word): which word a term is
    /// credited to when several reach it at the same distance (the more frequent).
    std::uint64_t word_df = 0;

    /// Memberwise equality.
    friend bool operator==(const expanded_term&, const expanded_term&) = default;
};

/// The result of an expansion.
struct expansion {
    /// The matching terms in increasing byte order, at most the cap.
    std::vector<expanded_term> terms;
    /// True when the cap dropped matching terms.
    bool truncated = false;
    /// Dictionary terms the walk read and tested, summed over dictionaries (terms the
    /// dictionary decodes internally while seeking are not counted): the work done, to compare
    /// with the dictionaries' sizes.
    std::uint64_t examined = 0;

    /// Memberwise equality.
    friend bool operator==(const expansion&, const expansion&) = default;
};

/// Expands `prefix` over `dictionaries` (null entries are skipped). An empty prefix matches every
/// term that is not internal.
/// Complexity: O(log B) per dictionary plus the matching terms; O(matches · log cap) to cap.
[[nodiscard]] RAPPORT_API expansion expand_prefix(std::span<const codec::term_dictionary* const> dictionaries,
                                                  std::string_view prefix, const expansion_options& options = {});

/// Expands `prefix` over one dictionary.
[[nodiscard]] RAPPORT_API expansion expand_prefix(const codec::term_dictionary& dictionary, std::string_view prefix,
                                                  const expansion_options& options = {});

/// Expands fuzzy `term` over `dictionaries` (null entries are skipped): every term within
/// `max_edits` of it that starts with its first `prefix_length` code points (nullopt:
/// `options.fuzzy_prefix_length`; clamped to the term's length).
/// Complexity: proportional to the dictionary prefixes the automaton keeps alive (far fewer
/// than the dictionary for max_edits ≤ 2 on natural vocabularies), each costing O(|term|) per
/// code point plus an O(log B) seek.
[[nodiscard]] RAPPORT_API expansion expand_fuzzy(std::span<const codec::term_dictionary* const> dictionaries,
                                                 std::string_view term, std::uint32_t max_edits,
                                                 std::optional<std::uint32_t> prefix_length = std::nullopt,
                                                 const expansion_options& options = {});

/// Expands fuzzy `term` over one dictionary.
[[nodiscard]] RAPPORT_API expansion expand_fuzzy(const codec::term_dictionary& dictionary, std::string_view term,
                                                 std::uint32_t max_edits,
                                                 std::optional<std::uint32_t> prefix_length = std::nullopt,
                                                 const expansion_options& options = {});

/// Expands a prefix or fuzzy node (its text, max_edits and prefix_length) over `dictionaries`.
/// The node should be analysed (`analyze`) so that its text is folded as the index terms are.
/// Throws: `invalid_argument` when `q` is neither a prefix nor a fuzzy node.
[[nodiscard]] RAPPORT_API expansion expand(std::span<const codec::term_dictionary* const> dictionaries,
                                           const query& q, const expansion_options& options = {});

/// Expands a prefix or fuzzy node over every segment of `reader` (dfs summed over segments).
/// Throws: `invalid_argument` when `q` is neither a prefix nor a fuzzy node; `corruption_error`
/// on a damaged dictionary block.
[[nodiscard]] RAPPORT_API expansion expand(const index::index_reader& reader, const query& q,
                                           const expansion_options& options = {});

/// The edit distance between `a` and `b` counted in code points (invalid UTF-8 bytes count one
/// each): insertions, deletions, substitutions and, when `transpositions`, swaps of adjacent
/// code points (optimal string alignment: no substring is edited twice).
/// Complexity: O(|a| · |b|) time, O(|b|) memory.
[[nodiscard]] RAPPORT_API std::uint32_t edit_distance(std::string_view a, std::string_view b,
                                                      bool transpositions = true);

}  // namespace rapport::query
