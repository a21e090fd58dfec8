// SPDX-License-Identifier: MIT
// The searchable fields of a passage. A passage has two: its `body` (the passage text) and its
// `title` (the title of its article, indexed once per passage, so a title match ranks every
// passage of the article). Both live in one term dictionary per segment: body terms are stored as
// they are analysed, title terms behind the byte 0x02 (article keys use 0x01; analysed terms never
// start with a control byte). Each field has its own exact length per passage (FORMAT.md §6).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rapport::index {

enum class field : std::uint8_t {
    body = 0,   ///< the passage text
    title = 1,  ///< the article's title, repeated for each of its passages
};

inline constexpr std::size_t field_count = 2;
inline constexpr std::array<field, field_count> all_fields{field::body, field::title};

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

/// "body" or "title".
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
    key.reserve(term.size() + 1);
    key.push_back(title_term_prefix);
    key.append(term);
    return key;
}

/// The field a dictionary key belongs to (article keys, 0x01…, count as body: they carry no length).
[[nodiscard]] constexpr field field_of_key(std::string_view key) noexcept {
    return !key.empty() && key.front() == title_term_prefix ? field::title : field::body;
}

}  // namespace rapport::index
