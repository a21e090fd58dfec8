// SPDX-License-Identifier: MIT
// Compile-only helpers shared by the qrels and run readers: line iteration with 1-based line
// numbers, whitespace field splitting as trec_eval does it (isspace in the C locale), strict
// number parsing, and "name:line:" error messages. Never installed.
// Thread safety: stateless functions.
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "rapport/core/detail/text.hpp"
#include "rapport/core/error.hpp"

namespace rapport::eval::detail {

/// True for the bytes C's isspace accepts in the "C" locale (rapport::detail::is_ascii_space).
using rapport::detail::is_ascii_space;

/// Replaces `fields` with the whitespace-separated fields of `line`.
inline void split_fields(std::string_view line, std::vector<std::string_view>& fields) {
    fields.clear();
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_ascii_space(line[i])) ++i;
        const std::size_t start = i;
        while (i < line.size() && !is_ascii_space(line[i])) ++i;
        if (i > start) fields.push_back(line.substr(start, i - start));
    }
}

/// True if the line has no fields or its first field starts with '#'.
[[nodiscard]] inline bool is_blank_or_comment(const std::vector<std::string_view>& fields) noexcept {
    return fields.empty() || fields.front().front() == '#';
}

/// Builds the invalid_argument thrown for a bad line: "<name>:<line>: <message>".
[[nodiscard]] inline invalid_argument line_error(std::string_view name, std::size_t line,
                                                 const std::string& message) {
    return invalid_argument(std::string(name) + ":" + std::to_string(line) + ": " + message);
}

/// Parses a whole field as a decimal int; a leading '+' is accepted as atol accepts it.
[[nodiscard]] inline std::optional<int> parse_int(std::string_view text) noexcept {
    if (text.size() > 1 && text.front() == '+' && text[1] != '-') text.remove_prefix(1);
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

/// Parses a whole field as a double (decimal, exponent or inf; a leading '+' is accepted);
/// rejects NaN because no ranking can order it.
[[nodiscard]] inline std::optional<double> parse_score(std::string_view text) noexcept {
    if (text.size() > 1 && text.front() == '+' && text[1] != '-') text.remove_prefix(1);
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    // result_out_of_range (e.g. 1e999) is refused: atof would give inf or 0, silently.
    if (ec != std::errc() || end != text.data() + text.size() || std::isnan(value)) {
        return std::nullopt;
    }
    return value;
}

/// Calls `on_line(line_number, fields)` for each non-blank, non-comment line of `in`.
/// Throws: `io_error` naming `name` if the stream fails other than by reaching its end.
template <class OnLine>
void for_each_line(std::istream& in, std::string_view name, OnLine&& on_line) {
    std::string line;
    std::vector<std::string_view> fields;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        split_fields(line, fields);
        if (!is_blank_or_comment(fields)) on_line(number, fields);
    }
    if (in.bad()) throw io_error(std::string(name), "read failed after line " + std::to_string(number));
}

}  // namespace rapport::eval::detail
