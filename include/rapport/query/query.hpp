// SPDX-License-Identifier: MIT
// The query tree: a value type that the parser builds from text, that `analyze` rewrites into index
// terms and that an evaluator walks. Five node kinds, as Lucene has them: term, phrase (terms at
// relative positions, with a slop), prefix, fuzzy (Damerau-Levenshtein distance 1 or 2) and boolean
// (clauses that should / must / must not match, with an optional minimum number of should clauses).
// Every node carries a boost (a score multiplier, default 1) and a field restriction (empty: the
// default fields).
//
// Walking the tree: `kind()` says which node a query holds and `node()` returns the
// `std::variant` of node structs, so an evaluator either switches on `kind()` and calls
// `get_if<term_node>()`, or `std::visit`s `node()`. Boolean clauses hold full queries, so the
// recursion is on `boolean_node::clauses[i].query`. A field restriction applies to the node and to
// every descendant that has no field of its own (the innermost field wins); evaluators pass the
// effective field down as they recurse.
//
// Thread safety: a plain value; copies are deep and independent, const access may be shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "rapport/core/assert.hpp"
#include "rapport/core/export.hpp"

namespace rapport::query {

class query;
struct clause;

/// How a boolean clause takes part in a match (Lucene's BooleanClause.Occur).
enum class occur : std::uint8_t {
    should,    ///< optional; matching it raises the score (at least one must match when no clause is `must`)
    must,      ///< required, and scored
    must_not,  ///< excluded: a passage matching it does not match; never scored
};

/// The kind of node a `query` holds; the value equals the index in `query::node_type`.
enum class node_kind : std::uint8_t {
    term,     ///< `term_node`
    phrase,   ///< `phrase_node`
    prefix,   ///< `prefix_node`
    fuzzy,    ///< `fuzzy_node`
    boolean,  ///< `boolean_node`
};

/// A single term. Before analysis `text` is the word as typed (unescaped); after, an index term.
/// Invariant: `text` is not empty.
struct term_node {
    /// The word or index term.
    std::string text;
    /// Index terms scored together with `text` as one term (Lucene's SynonymQuery: the frequencies
    /// of all of them summed, one idf from the largest df), set by `search::searcher::expand_synonyms`;
    /// empty for a plain term. Distinct, and never `text`.
    std::vector<std::string> synonyms{};

    /// Memberwise equality.
    friend bool operator==(const term_node&, const term_node&) = default;
};

/// Terms that must occur at given relative positions, within `slop` moves (Lucene's PhraseQuery:
/// slop is the edit distance allowed between the query's and a passage's positions).
/// Invariant: `positions.size() == terms.size()`; positions strictly increase; no term is empty.
/// A position gap (e.g. 0, 2) is a word the phrase skips, such as a stopword removed by analysis.
/// Before analysis each entry of `terms` is a whitespace-separated word of the quoted text; a
/// raw phrase may have no terms or a single one (`"trust"` stays a phrase so that analysis knows
/// it was quoted).
struct phrase_node {
    /// The words or index terms, in order.
    std::vector<std::string> terms;
    /// The position of each term; usually starts at 0.
    std::vector<std::uint32_t> positions;
    /// Allowed positional edit distance; 0 is an exact phrase.
    std::uint32_t slop = 0;

    /// Memberwise equality.
    friend bool operator==(const phrase_node&, const phrase_node&) = default;
};

/// Every index term that starts with `text` (expanded by `expand_prefix`).
/// Invariant: `text` is not empty.
struct prefix_node {
    /// The prefix; case-folded but never stemmed by analysis.
    std::string text;

    /// Memberwise equality.
    friend bool operator==(const prefix_node&, const prefix_node&) = default;
};

/// Every index term within `max_edits` of `text` (expanded by `expand_fuzzy`); distances count
/// insertions, deletions, substitutions and transpositions of adjacent code points (optimal
/// string alignment), each as one edit.
/// Invariant: `text` is not empty; `max_edits` is 1 or 2.
struct fuzzy_node {
    /// The term; case-folded but never stemmed by analysis.
    std::string text;
    /// Largest edit distance accepted (1 or 2).
    std::uint32_t max_edits = 2;
    /// Code points at the start of `text` that matching terms must share exactly; nullopt
    /// defers to `expansion_options::fuzzy_prefix_length`. The query syntax cannot express a
    /// value, so the parser leaves it unset and `to_string` does not print it.
    std::optional<std::uint32_t> prefix_length;

    /// Memberwise equality.
    friend bool operator==(const fuzzy_node&, const fuzzy_node&) = default;
};

/// Clauses combined as Lucene's BooleanQuery combines them. A passage matches when it matches
/// every `must` clause, no `must_not` clause, and at least `minimum_should_match` `should` clauses
/// (at least one when that is 0 and there is no `must` clause). A boolean without clauses (the
/// empty query) matches nothing; one with only `must_not` clauses matches nothing either.
struct boolean_node {
    /// The clauses, in query order.
    std::vector<clause> clauses;
    /// Minimum number of `should` clauses that must match; 0 is the default rule above.
    std::uint32_t minimum_should_match = 0;

    /// Memberwise equality (defined after `clause`).
    friend bool operator==(const boolean_node&, const boolean_node&);
};

/// The largest boost a query may carry, counted along each path from the root (nested boosts
/// multiply: `(a b^1000)^1000000` gives b 1e9): beyond it scores could overflow to infinity.
/// Searching rejects a larger product (`invalid_argument`); the strict parser rejects a larger
/// boost on one node, the lenient one keeps it for searching to report, so a boost is never
/// silently dropped.
inline constexpr double max_boost = 1e9;

/// A node of the query tree with its boost and field restriction. A value type: copies are deep.
class query {
public:
    /// The node alternatives, in `node_kind` order.
    using node_type = std::variant<term_node, phrase_node, prefix_node, fuzzy_node, boolean_node>;

    /// The empty query: a boolean without clauses, which matches nothing.
    query();
    /// A query holding `node` (one of the node structs), with boost 1 and no field restriction.
    template <class Node>
        requires(std::is_same_v<Node, term_node> || std::is_same_v<Node, phrase_node> ||
                 std::is_same_v<Node, prefix_node> || std::is_same_v<Node, fuzzy_node> ||
                 std::is_same_v<Node, boolean_node>)
    /* implicit */ query(Node node) : node_(std::in_place_type<Node>, std::move(node)) {}
    /// A query holding `node`, with boost 1 and no field restriction.
    explicit query(node_type node);
    /// Copies the tree (deep).
    query(const query&) = default;
    /// Moves the tree.
    query(query&&) noexcept = default;
    /// Replaces the tree with a deep copy of another.
    query& operator=(const query&) = default;
    /// Moves another tree in.
    query& operator=(query&&) noexcept = default;
    /// Destroys the tree.
    ~query() = default;

    /// Which node this query holds.
    [[nodiscard]] node_kind kind() const noexcept { return static_cast<node_kind>(node_.index()); }
    /// The node, for `std::visit`.
    [[nodiscard]] const node_type& node() const noexcept { return node_; }
    /// The node, for in-place edits.
    [[nodiscard]] node_type& node() noexcept { return node_; }
    /// The node as a `Node` (one of the node structs), or null when it holds another kind.
    template <class Node>
    [[nodiscard]] const Node* get_if() const noexcept {
        return std::get_if<Node>(&node_);
    }
    /// The node as a mutable `Node`, or null when it holds another kind.
    template <class Node>
    [[nodiscard]] Node* get_if() noexcept {
        return std::get_if<Node>(&node_);
    }

    /// True for a boolean without clauses (the empty query, which matches nothing).
    [[nodiscard]] bool empty() const noexcept;

    /// The score multiplier (default 1).
    [[nodiscard]] double boost() const noexcept { return boost_; }
    /// Sets the boost and returns `*this`.
    /// Requires: `b` is finite and not negative.
    query& boost(double b) & noexcept {
        RAPPORT_ASSERT(b >= 0 && b <= 1.7976931348623157e308);
        boost_ = b;
        return *this;
    }
    /// Sets the boost of a temporary and returns it by value: `term("trust").boost(2)`.
    /// Requires: `b` is finite and not negative.
    [[nodiscard]] query boost(double b) && noexcept;

    /// The field restriction; empty means the field inherited from the enclosing boolean, or the
    /// default fields at the root.
    [[nodiscard]] const std::string& field() const noexcept { return field_; }
    /// Sets the field restriction and returns `*this`.
    query& field(std::string name) & {
        field_ = std::move(name);
        return *this;
    }
    /// Sets the field restriction of a temporary and returns it by value:
    /// `term("trust").field("title")`.
    [[nodiscard]] query field(std::string name) &&;

    /// Deep equality: same node kinds, texts, positions, slops, clauses, boosts (compared exactly)
    /// and fields. `a == b` implies `to_string(a) == to_string(b)`.
    /// Complexity: linear in the size of the trees; recursion as deep as the trees.
    friend bool operator==(const query& a, const query& b);

private:
    node_type node_;
    double boost_ = 1.0;
    std::string field_;
};

/// One clause of a boolean: a sub-query and how it must occur.
struct clause {
    /// How the sub-query takes part in a match.
    rapport::query::occur occur = rapport::query::occur::should;
    /// The sub-query.
    rapport::query::query query;

    /// Memberwise equality.
    friend bool operator==(const clause&, const clause&) = default;
};

inline bool operator==(const boolean_node& a, const boolean_node& b) {
    return a.minimum_should_match == b.minimum_should_match && a.clauses == b.clauses;
}

inline query::query() : node_(boolean_node{}) {}
// Defined here, where `clause` is complete: moving the variant moves a vector of clauses.
inline query::query(node_type node) : node_(std::move(node)) {}
inline query query::boost(double b) && noexcept { return std::move(boost(b)); }
inline query query::field(std::string name) && { return std::move(field(std::move(name))); }

inline bool query::empty() const noexcept {
    const auto* b = std::get_if<boolean_node>(&node_);
    return b != nullptr && b->clauses.empty();
}

inline bool operator==(const query& a, const query& b) {
    return a.boost_ == b.boost_ && a.field_ == b.field_ && a.node_ == b.node_;
}

// ---- Factories ---------------------------------------------------------------------------

/// A term query: `term("trust")`.
/// Requires: `text` is not empty.
[[nodiscard]] RAPPORT_API query term(std::string text);

/// A phrase of consecutive words (positions 0, 1, ...) with `slop`: `phrase({"building", "trust"}, 3)`.
/// Requires: no word is empty.
[[nodiscard]] RAPPORT_API query phrase(std::vector<std::string> terms, std::uint32_t slop = 0);

/// A phrase with explicit positions (gaps stand for skipped words).
/// Requires: `positions.size() == terms.size()`, positions strictly increasing, no empty term.
[[nodiscard]] RAPPORT_API query phrase(std::vector<std::string> terms, std::vector<std::uint32_t> positions,
                                       std::uint32_t slop);

/// A prefix query: `prefix("cust")` matches "customer", "custom", ...
/// Requires: `text` is not empty.
[[nodiscard]] RAPPORT_API query prefix(std::string text);

/// A fuzzy query: `fuzzy("custmer", 1)`.
/// Requires: `text` is not empty; `max_edits` is 1 or 2.
[[nodiscard]] RAPPORT_API query fuzzy(std::string text, std::uint32_t max_edits = 2,
                                      std::optional<std::uint32_t> prefix_length = std::nullopt);

/// A boolean query from explicit clauses: `boolean({must(term("a")), must_not(term("b"))})`.
[[nodiscard]] RAPPORT_API query boolean(std::vector<clause> clauses, std::uint32_t minimum_should_match = 0);

/// Every sub-query must match (AND): a boolean of `must` clauses.
[[nodiscard]] RAPPORT_API query all_of(std::vector<query> subs);

/// Any sub-query may match (OR), at least `minimum_should_match` of them when that is above 0:
/// a boolean of `should` clauses.
[[nodiscard]] RAPPORT_API query any_of(std::vector<query> subs, std::uint32_t minimum_should_match = 0);

/// No sub-query may match: a boolean of `must_not` clauses (which alone matches nothing; combine
/// it with positive clauses through `boolean`).
[[nodiscard]] RAPPORT_API query none_of(std::vector<query> subs);

/// A `should` clause holding `q`.
[[nodiscard]] inline clause should(query q) { return clause{occur::should, std::move(q)}; }
/// A `must` clause holding `q`.
[[nodiscard]] inline clause must(query q) { return clause{occur::must, std::move(q)}; }
/// A `must_not` clause holding `q`.
[[nodiscard]] inline clause must_not(query q) { return clause{occur::must_not, std::move(q)}; }

// ---- Printing ----------------------------------------------------------------------------

/// Prints `q` in the query syntax (QUERY.md), escaping special characters, so that
/// `parse(to_string(q)) == q` with default parser options (default operator OR) whenever `q`
/// satisfies the node invariants, its fields are among the parser's known fields, and `q` has
///   - no boolean whose only clause is a `should` clause with `minimum_should_match` 0: it prints
///     as its clause (`(a)` reads back as `a`), which is equivalent;
///   - no fuzzy node with `prefix_length` set (the syntax cannot express it).
/// The empty query prints as "" at the root and as "()" inside a boolean. Phrase gaps print as
/// `?` ("building ? trust"), so a phrase at position 1000 prints 1000 of them.
/// Complexity: linear in the size of the tree; recursion as deep as the tree.
[[nodiscard]] RAPPORT_API std::string to_string(const query& q);

/// Writes `to_string(q)` to `out` (handy in test failure messages).
RAPPORT_API std::ostream& operator<<(std::ostream& out, const query& q);

}  // namespace rapport::query
