// SPDX-License-Identifier: MIT
// The searchable (text) fields of a passage. Every passage has two: its `body` (the passage text)
// and its `title` (the title of its article, indexed once per passage, so a title match ranks every
// passage of the article). A schema may declare more text fields of the article (a summary, an
// author's name), each with its own analyzer, indexed for every passage of the article as the
// title is. All live in one term dictionary per segment: body terms are stored as they are
// analysed, title terms behind the byte 0x02, the terms of text field number n ≥ 2 behind the
// bytes 0x04 n (article keys use 0x01, keyword keys 0x03; analysed terms never start with a
// control byte). Each field has its own exact length per passage (FORMAT.md §6 and §10).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rapport::index {

/// A text field by number: body 0, title 1, then a schema's other text fields in declaration
/// order from 2 (`text_field_number`); values up to `max_text_fields - 1` name those.
enum class field : std::uint8_t {
    body = 0,   ///< the passage text
    title = 1,  ///< the article's title, repeated for each of its passages
};

/// The most text fields a schema holds, title and body included (arrays indexed by field number).
inline constexpr std::size_t max_text_fields = 8;
inline constexpr std::size_t field_count = max_text_fields;
/// The two fields every passage has.
inline constexpr std::array<field, 2> base_fields{field::body, field::title};

/// The byte that starts every term of a text field numbered 2 or more (followed by the number).
inline constexpr char text_field_term_prefix = '\x04';

/// The byte that starts every title term in a dictionary.
inline constexpr char title_term_prefix = '\x02';
/// The byte that starts the writer's hidden article keys (one posting per passage of the article,
/// no positions): U+0001, which the analyzer never emits, so no query matches a key.
inline constexpr char article_key_prefix = '\x01';

/// The byte that starts every keyword term (`keyword_key`): one posting per passage of each article
/// holding the value, no positions; never emitted by the analyzer, so no text query matches one.
inline constexpr char keyword_key_prefix = '\x03';

/// The dictionary key of value `value` of keyword field `name`: 0x03, the name, 0x00, the value
/// (every value of a field shares the prefix `keyword_key(name, "")`, so they sort together).
[[nodiscard]] inline std::string keyword_key(std::string_view name, std::string_view value) {
    std::string key;
    key.reserve(name.size() + value.size() + 2);
    key.push_back(keyword_key_prefix);
    key.append(name);
    key.push_back('\0');
    key.append(value);
    return key;
}

/// The dictionary key of the article with external id `id`.
[[nodiscard]] inline std::string article_key(std::string_view id) {
    // Built by append rather than operator+, which trips GCC 12's false -Wrestrict at -O3.
    std::string key;
    key.reserve(id.size() + 1);
    key.push_back(article_key_prefix);
    key.append(id);
    return key;
}

/// "body" or "title" (a field numbered 2 or more is named by its schema: `text_field_name`).
[[nodiscard]] constexpr std::string_view field_name(field f) noexcept { return f == field::title ? "title" : "body"; }

/// The field called `name` ("body" or "title", exact), if any.
[[nodiscard]] constexpr std::optional<field> field_named(std::string_view name) noexcept {
    if (name == "body") return field::body;
    if (name == "title") return field::title;
    return std::nullopt;
}

/// The dictionary key of the analysed `term` in field `f`.
[[nodiscard]] inline std::string field_term(field f, std::string_view term) {
    if (f == field::body) return std::string(term);
    std::string key;
    key.reserve(term.size() + 2);
    if (f == field::title) {
        key.push_back(title_term_prefix);
    } else {
        key.push_back(text_field_term_prefix);
        key.push_back(static_cast<char>(f));
    }
    key.append(term);
    return key;
}

/// The field a dictionary key belongs to (article and keyword keys count as body: they carry no
/// length).
[[nodiscard]] constexpr field field_of_key(std::string_view key) noexcept {
    if (key.empty()) return field::body;
    if (key.front() == title_term_prefix) return field::title;
    if (key.front() == text_field_term_prefix && key.size() >= 2 && static_cast<unsigned char>(key[1]) >= 2 &&
        static_cast<unsigned char>(key[1]) < max_text_fields)
        return static_cast<field>(key[1]);
    return field::body;
}

}  // namespace rapport::index
