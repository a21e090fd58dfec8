// SPDX-License-Identifier: MIT
// The values of a segment's fields besides title and body, one column per field, by article number (doc values):
// keyword columns hold each article's value ordinals into the segment's sorted values; numeric
// columns (integer, float, date) one number or none per article, frame-of-reference bit-packed on
// disk; stored columns the JSON text. Encoded as the `FVAL` file of a segment (FORMAT.md §10) and
// decoded whole when the segment opens, so that filters, facets and sorting read a value in O(1).
// Thread safety: immutable after construction; any number of threads may read one.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/core/bitset.hpp"
#include "rapport/core/export.hpp"
#include "rapport/index/schema.hpp"

namespace rapport::index {

/// One field's values over a segment's articles.
struct value_column {
    field_def field;  ///< its name and type (text only for a text field besides title and body)
    /// A text field's number (`schema::text_field`, 2 or more); its column holds each article's
    /// indexed length in `numbers` and its JSON text in `text`.
    std::uint8_t text_field = 0;
    // keyword: article a holds dictionary[ordinals[k]] for k in [offsets[a], offsets[a + 1]), ascending
    std::vector<std::string> dictionary;  ///< the values of the segment, sorted, unique
    std::vector<std::uint32_t> offsets;   ///< articles + 1 entries
    std::vector<std::uint32_t> ordinals;
    // numeric: article a has numbers[a] when bit a of `present` is set
    std::vector<std::int64_t> numbers;
    std::vector<std::uint64_t> present;
    // stored: article a's JSON is text.substr(offsets[a], offsets[a + 1] - offsets[a]) (offsets shared)
    std::string text;

    /// Whether article `a` has a value. Requires: a < articles.
    [[nodiscard]] bool has(std::uint32_t a) const noexcept {
        if (is_numeric(field.type) || field.type == field_type::text) return test_bit(present, a);
        return offsets[a + 1] != offsets[a];
    }
    /// The ordinals of article `a`'s keyword values. Requires: a keyword column, a < articles.
    [[nodiscard]] std::span<const std::uint32_t> ordinals_of(std::uint32_t a) const noexcept {
        return {ordinals.data() + offsets[a], offsets[a + 1] - offsets[a]};
    }
    /// Article `a`'s number (a text field's length), if any. Requires: a numeric or text column, a < articles.
    [[nodiscard]] std::optional<std::int64_t> number(std::uint32_t a) const noexcept {
        return test_bit(present, a) ? std::optional<std::int64_t>(numbers[a]) : std::nullopt;
    }
    /// Article `a`'s stored JSON (empty when absent). Requires: a stored or text column, a < articles.
    [[nodiscard]] std::string_view stored(std::uint32_t a) const noexcept {
        return std::string_view(text).substr(offsets[a], offsets[a + 1] - offsets[a]);
    }
    /// Article `a`'s value as `convert_fields` made it.
    [[nodiscard]] RAPPORT_API field_value value(std::uint32_t a) const;
};

/// The value columns of one segment.
class RAPPORT_API value_columns {
public:
    /// No columns, no articles (a segment of the default schema, or older than format 5).
    value_columns() = default;
    /// Columns for every non-text field of `s`, over `articles.size()` articles: `articles[a]` is
    /// article a's values in schema order (empty: none at all).
    /// Throws: `invalid_argument` when an article's values do not follow `s`.
    value_columns(const schema& s, std::span<const field_values> articles);

    /// The `FVAL` payload (FORMAT.md §10) of a segment with `articles` articles and `passages`
    /// passages (recorded, so that the file belongs to one segment even without columns).
    /// Requires: no columns, or `articles == articles()`.
    [[nodiscard]] std::string encode(std::uint32_t articles, std::uint32_t passages) const;
    /// Decodes an `FVAL` payload of a segment with `articles` articles and `passages` passages.
    /// Throws: `corruption_error` naming `file` and the offset of what is wrong.
    [[nodiscard]] static value_columns decode(std::string_view payload, std::uint32_t articles, std::uint32_t passages,
                                              const std::string& file);

    /// Number of articles.
    [[nodiscard]] std::uint32_t articles() const noexcept { return articles_; }
    /// Every column, in schema order.
    [[nodiscard]] std::span<const value_column> columns() const noexcept { return columns_; }
    /// The column of field `name`; nullptr when the segment has none (the field was added to the
    /// schema after the segment was written: its articles have no value).
    [[nodiscard]] const value_column* find(std::string_view name) const noexcept {
        for (const auto& c : columns_)
            if (c.field.name == name) return &c;
        return nullptr;
    }
    /// Article `a`'s values in the order of `s` (text fields and fields without a column empty).
    /// Requires: a < articles().
    [[nodiscard]] field_values values(const schema& s, std::uint32_t a) const;
    /// Bytes held in memory (for reports).
    [[nodiscard]] std::size_t memory_usage() const noexcept;

private:
    std::vector<value_column> columns_;
    std::uint32_t articles_ = 0;
};

}  // namespace rapport::index
