// SPDX-License-Identifier: MIT
// The schema of an index: the fields its articles carry besides the two text fields (a title and a
// body), each with a type, declared when the index is created and stored with every commit (as the
// analysis options are). Keyword fields are exact values, multi-valued, for filters and facets;
// integer, float and date fields are one number per article (doc values) for range filters,
// sorting and range facets; stored fields are JSON returned with hits. Every passage inherits its
// article's values. Also here: the typed value of one field of one article, and the conversion of
// an article's JSON fields to them.
// Thread safety: plain values and free functions without shared state.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/ingest/article.hpp"

namespace rapport::index {

/// The type of a schema field.
enum class field_type : std::uint8_t {
    text = 0,      ///< analysed, positions, scored: "title", "body" (the passage text) and up to 6 more
    keyword = 1,   ///< exact strings, any number per article (tags): filters and facets
    integer = 2,   ///< one signed 64-bit integer per article: ranges, sorting, range facets
    floating = 3,  ///< one finite double per article ("float" in JSON schemas)
    date = 4,      ///< an ISO 8601 date or date-time in JSON, kept as milliseconds since 1970-01-01 UTC
    stored = 5,    ///< any JSON value, kept as written (minified) and returned with hits only
};

/// "text", "keyword", "integer", "float", "date" or "stored".
[[nodiscard]] RAPPORT_API std::string_view field_type_name(field_type t) noexcept;
/// Whether values of `t` are numbers (integer, float, date): one per article, orderable.
[[nodiscard]] constexpr bool is_numeric(field_type t) noexcept {
    return t == field_type::integer || t == field_type::floating || t == field_type::date;
}

/// How a text field other than title and body is analysed, over the index's own analysis options
/// (`index_options::analyzer`): each member set replaces that option; unset ones keep the index's
/// (a new `language` brings its own stopwords, accent folding and elision unless those are set
/// too, as an article's language does). `custom` instead names an analyzer registered in code
/// (`analysis::register_analyzer`), which every writer and searcher of the index must register.
struct text_analysis {
    std::optional<std::string> language;                ///< a Snowball language, or "none": no stemming
    std::optional<std::vector<std::string>> stopwords;  ///< the list (empty: none); unset: the language's
    std::optional<bool> case_fold;
    std::optional<bool> fold_accents;
    std::string custom;  ///< a registered analyzer's name (nothing else may be set with it)
    /// Whether nothing is set: the field is analysed exactly as the body.
    [[nodiscard]] bool empty() const noexcept {
        return !language && !stopwords && !case_fold && !fold_accents && custom.empty();
    }
    friend bool operator==(const text_analysis&, const text_analysis&) = default;
};

/// One declared field.
struct field_def {
    std::string name;  ///< 1–64 bytes of [A-Za-z0-9_-], starting with a letter; unique in a schema
    field_type type = field_type::keyword;
    text_analysis analysis{};  ///< text fields besides title and body only
    friend bool operator==(const field_def&, const field_def&) = default;
};

/// The order of the passages inside every segment of an index (Lucene's index sorting): articles by
/// the value of one keyword, integer, float or date field, ascending or descending, each article's
/// passages together and in their order. A keyword field orders by an article's smallest value
/// ascending and its largest descending (as `search_request::sort` does); articles without a value
/// come last either way; equal values keep the order the articles were added (or merged) in.
/// A filter on the field then admits runs of consecutive passages, which every evaluation skips
/// to through the postings' skip tables rather than visiting each list block by block.
struct index_sort {
    std::string field;
    bool descending = false;
    friend bool operator==(const index_sort&, const index_sort&) = default;
};

/// The fields of an index. The default schema is the two text fields, "title" and "body"; a
/// schema always holds both (added if a declaration omits them, first), and at most six other text
/// fields (`max_text_fields`), numbered 2, 3, … in declaration order (`text_field_number`).
struct schema {
    std::vector<field_def> fields;  ///< in declaration order; "title" and "body" among them
    /// The order of passages within segments; none: the order articles were added in.
    std::optional<index_sort> sort{};

    /// The field called `name`, if declared.
    [[nodiscard]] const field_def* find(std::string_view name) const noexcept {
        for (const auto& f : fields)
            if (f.name == name) return &f;
        return nullptr;
    }
    /// The position of `name` in `fields`, if declared.
    [[nodiscard]] std::optional<std::size_t> index_of(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < fields.size(); ++i)
            if (fields[i].name == name) return i;
        return std::nullopt;
    }
    /// Whether the schema declares anything besides the two text fields (whose values a segment
    /// keeps in columns: extra text fields keep their text and lengths there).
    [[nodiscard]] bool has_values() const noexcept {
        for (const auto& f : fields)
            if (f.type != field_type::text || is_extra_text(f)) return true;
        return false;
    }
    /// The number of the text field called `name` (body 0, title 1, the others from 2 in
    /// declaration order), if it is a declared text field.
    [[nodiscard]] std::optional<field> text_field(std::string_view name) const noexcept {
        if (name == "body") return field::body;
        if (name == "title") return field::title;
        std::uint8_t n = 2;
        for (const auto& f : fields) {
            if (f.type != field_type::text || f.name == "title" || f.name == "body") continue;
            if (f.name == name) return static_cast<field>(n);
            ++n;
        }
        return std::nullopt;
    }
    /// The declaration of text field `f`; nullptr when the schema has no such field.
    [[nodiscard]] const field_def* text_field_def(field f) const noexcept {
        if (f == field::body) return find("body");
        if (f == field::title) return find("title");
        std::size_t n = 2;
        for (const auto& d : fields) {
            if (d.type != field_type::text || d.name == "title" || d.name == "body") continue;
            if (n == static_cast<std::size_t>(f)) return &d;
            ++n;
        }
        return nullptr;
    }
    /// The number of text fields (2 and more).
    [[nodiscard]] std::size_t text_field_count() const noexcept {
        std::size_t n = 0;
        for (const auto& f : fields) n += f.type == field_type::text;
        return std::max<std::size_t>(n, 2);
    }
    /// The names of the text fields by number, for messages: "body, title, summary".
    [[nodiscard]] std::string text_field_names() const {
        std::string out;
        for (std::size_t n = 0; n < text_field_count(); ++n)
            if (const auto* def = text_field_def(static_cast<field>(n))) out += (n == 0 ? "" : ", ") + def->name;
        return out;
    }
    /// Whether `f` is a text field besides title and body (article-level, kept with the values).
    [[nodiscard]] static bool is_extra_text(const field_def& f) noexcept {
        return f.type == field_type::text && f.name != "title" && f.name != "body";
    }
    friend bool operator==(const schema&, const schema&) = default;
};

/// The default schema: "title" and "body", both text.
[[nodiscard]] RAPPORT_API schema default_schema();

/// `s` checked and completed: names valid and unique, "title" and "body" added as text fields when
/// missing (first, in that order), at most `max_text_fields` text fields, analysis options only on
/// text fields besides title and body (a `custom` one alone, a `language` libstemmer knows), at
/// most 250 fields, a `sort` field declared with type keyword, integer, float or date.
/// Throws: `invalid_argument` naming the field at fault.
[[nodiscard]] RAPPORT_API schema validate_schema(schema s);

/// Parses a schema from JSON: `{"fields": [{"name": "topic", "type": "keyword"}, ...]}` (types as
/// `field_type_name`; a text field may add `"analyzer": {"language": "french", "stopwords": [...]
/// or false, "case_fold": bool, "fold_accents": bool}` or `"analyzer": {"custom": "name"}`), and
/// optionally `"sort": "field"` or `"sort": "-field"` (descending; `index_sort`), then
/// `validate_schema`. Throws: `invalid_argument` naming what is wrong.
[[nodiscard]] RAPPORT_API schema parse_schema(std::string_view json);
/// The schema as the JSON `parse_schema` reads (one line, fields in order).
[[nodiscard]] RAPPORT_API std::string to_json(const schema& s);

/// Whether an index with schema `before` may continue with `after`: the same fields with the same
/// types (and analysis) in the same order, followed by any number of new fields (which articles
/// indexed earlier lack), and the same `sort` (segments already written keep theirs). Returns the
/// reason when not, nothing when allowed.
[[nodiscard]] RAPPORT_API std::optional<std::string> schema_change_problem(const schema& before, const schema& after);

/// The value of one field of one article (title and body excepted). Which member holds it follows
/// the field's type; an absent value is an empty `keywords`, no `number`, an empty `stored`.
struct field_value {
    std::vector<std::string> keywords;   ///< keyword: the article's values, sorted, unique
    /// integer and date as they are; float as `float_key`; text: the field's indexed length (set
    /// when the article is analysed)
    std::optional<std::int64_t> number;
    std::string stored;  ///< stored and text: the JSON value, minified; empty when absent
    friend bool operator==(const field_value&, const field_value&) = default;
};

/// The values of an article's fields: one entry per schema field, in schema order (text fields'
/// entries stay empty). An empty vector: no values at all (what articles of the default schema
/// have).
using field_values = std::vector<field_value>;

/// One field of an article as it arrives (`ingest::article::fields`).
using raw_field = ingest::article_field;

/// Converts an article's raw fields to typed values under `s`: a keyword takes a string, a number
/// (written in decimal) or an array of them; integer an integral JSON number; float any finite
/// number; date an ISO 8601 string (`parse_date`); stored any value; a text field (not title or
/// body) a string of at most 1 MiB, kept in `stored` (its length is left to the analysis); JSON
/// null is absent.
/// Throws: `invalid_argument` naming the field (and the value, cut to 80 bytes) for a field the
/// schema does not declare (unless `ignore_unknown`), title or body given here, a value of the wrong
/// type, a repeated field, a keyword value that is empty, longer than 1,000 bytes or not valid
/// UTF-8, or a stored value over 1 MiB. Complexity: linear in the fields' JSON.
[[nodiscard]] RAPPORT_API field_values convert_fields(const schema& s, const std::vector<raw_field>& fields,
                                                      bool ignore_unknown = false);

/// The number a float field keeps for `v`: an integer ordered as the doubles are (−0 as +0).
/// Requires: `v` finite.
[[nodiscard]] RAPPORT_API std::int64_t float_key(double v) noexcept;
/// The double `float_key` was made from.
[[nodiscard]] RAPPORT_API double float_of_key(std::int64_t key) noexcept;

/// Milliseconds since 1970-01-01T00:00:00Z of an ISO 8601 date: `YYYY-MM-DD`, `YYYY-MM`, `YYYY`,
/// or a date-time `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z`, `±HH:MM` or nothing (UTC); years
/// 0000–9999. Nothing when `text` is not such a date (or names a day that does not exist).
[[nodiscard]] RAPPORT_API std::optional<std::int64_t> parse_date(std::string_view text) noexcept;
/// The ISO 8601 text of a date value: `YYYY-MM-DD` at midnight, else `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
[[nodiscard]] RAPPORT_API std::string format_date(std::int64_t ms);

/// A value of field type `t` as text for outputs: an integer in decimal, a float as the shortest
/// text that reads back the same, a date as `format_date`.
[[nodiscard]] RAPPORT_API std::string format_number(field_type t, std::int64_t value);

/// Parses a number of type `t` as a query writes it (`views:>=100`, `updated:[2020-01-01 TO *]`,
/// `price:<9.5`): integer digits for integer, any finite decimal for float (as its `float_key`),
/// an ISO 8601 date for date. Nothing when `text` is not one.
[[nodiscard]] RAPPORT_API std::optional<std::int64_t> parse_number(field_type t, std::string_view text) noexcept;

}  // namespace rapport::index
