// SPDX-License-Identifier: MIT
// The query language parser: text as users type it -> raw query tree (surface words, not yet
// analysed; run `analyze` next). The syntax, with its grammar and precedence, is in QUERY.md:
// bare words, "phrases"~slop, +required, -excluded, AND / OR / NOT, parentheses, field:restriction,
// prefix*, fuzzy~N, boost^N, backslash escapes.
//
// Two modes. Lenient (the default, for text typed into a search box) never throws: invalid UTF-8
// becomes U+FFFD, stray quotes, lone operators, unbalanced parentheses and unknown fields degrade
// to plain words, and nesting beyond `max_depth` is flattened. Strict throws `query::syntax_error`
// at the first fault, with its byte offset and what was expected.
//
// Thread safety: `parse` is a pure function; any number of threads may call it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/query/query.hpp"

namespace rapport::query {

/// How the parser treats malformed input.
enum class parse_mode : std::uint8_t {
    lenient,  ///< never throws; repairs (see QUERY.md, "Lenient and strict"); a shouted query's AND/OR/NOT are words
    strict,   ///< throws `syntax_error` at the first fault
    plain,    ///< no syntax at all: every character is text (natural-language topics), words joined by the default operator
};

/// How clauses written one after another, without AND or OR between them, combine.
enum class default_operator : std::uint8_t {
    or_,   ///< as if joined by OR: `should` clauses (Lucene's default)
    and_,  ///< as if joined by AND: `must` clauses
};

/// Parser configuration.
struct parser_options {
    /// Lenient (never throws) or strict.
    parse_mode mode = parse_mode::lenient;
    /// Meaning of juxtaposed clauses; it also sets their precedence (that of the operator).
    default_operator op = default_operator::or_;
    /// Names accepted before ':' as field restrictions (exact, case-sensitive). Anything else
    /// followed by ':' is an unknown field: a plain word in lenient mode, an error in strict mode.
    std::vector<std::string> fields = {"title", "body"};
    /// Deepest nesting of parentheses plus prefix operators (+, -, NOT) stacked on one clause.
    /// Deeper input is an error in strict mode and flattened in lenient mode; it bounds the
    /// recursion of the parser and of everything that walks the tree.
    std::size_t max_depth = 256;
    /// Longest query text accepted, in bytes (1 MiB): a longer one is a `syntax_error` in every
    /// mode, lenient and plain included, naming this limit. 0: no limit.
    std::size_t max_bytes = std::size_t{1} << 20;
};

/// Parses `text` into a raw query tree. Empty or blank text gives the empty query.
/// Throws: `syntax_error` (a `rapport::query_syntax_error`) in strict mode, with the byte offset
/// of the fault; in every mode for text longer than `options.max_bytes`; never otherwise in
/// lenient mode (except `std::bad_alloc`).
/// Complexity: linear in `text.size()`; recursion bounded by `options.max_depth`.
[[nodiscard]] RAPPORT_API query parse(std::string_view text, const parser_options& options = {});

}  // namespace rapport::query
