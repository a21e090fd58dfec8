// SPDX-License-Identifier: MIT
#include "rapport/query/synonyms.hpp"

#include <fstream>
#include <iterator>
#include <sstream>

#include "core/text.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/utf8.hpp"

namespace rapport::query {

namespace {

// The entries of one side of a rule, split on unescaped commas, trimmed; escapes resolved.
std::vector<std::string> split_entries(std::string_view side, const std::string& where) {
    std::vector<std::string> out;
    std::string entry;
    const auto finish = [&] {
        const auto [b, e] = rapport::detail::trim_white_space(entry, 0, entry.size());
        if (b == e) throw invalid_argument(where + ": an empty entry");
        out.push_back(entry.substr(b, e - b));
        entry.clear();
    };
    for (std::size_t i = 0; i < side.size(); ++i) {
        if (side[i] == '\\' && i + 1 < side.size()) {
            entry += side[++i];
        } else if (side[i] == ',') {
            finish();
        } else {
            entry += side[i];
        }
    }
    finish();
    return out;
}

// The position of the first unescaped `=>` at or after `from`, or npos.
std::size_t find_arrow(std::string_view line, std::size_t from) {
    for (std::size_t i = from; i + 1 < line.size(); ++i) {
        if (line[i] == '\\') {
            ++i;
            continue;
        }
        if (line[i] == '=' && line[i + 1] == '>') return i;
    }
    return std::string_view::npos;
}

}  // namespace

std::vector<synonym_rule> parse_synonyms(std::string_view text, std::string_view name) {
    if (const auto bad = find_invalid_utf8(text))
        throw invalid_argument(std::string(name) + ": invalid UTF-8 at byte " + std::to_string(*bad), *bad);
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    std::vector<synonym_rule> rules;
    std::size_t number = 0;
    for (std::size_t at = 0; at <= text.size();) {
        const auto end = std::min(text.find('\n', at), text.size());
        std::string_view line = text.substr(at, end - at);
        at = end + 1;
        ++number;
        // A comment runs from an unescaped '#' to the end of the line.
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '\\') {
                ++i;
            } else if (line[i] == '#') {
                line = line.substr(0, i);
                break;
            }
        }
        const auto [b, e] = rapport::detail::trim_white_space(line, 0, line.size());
        if (b == e) {
            if (end == text.size()) break;
            continue;
        }
        line = line.substr(b, e - b);
        const std::string where = std::string(name) + ":" + std::to_string(number);
        const auto arrow = find_arrow(line, 0);
        synonym_rule rule;
        if (arrow == std::string_view::npos) {
            rule.from = split_entries(line, where);
            rule.to = rule.from;
        } else {
            if (find_arrow(line, arrow + 2) != std::string_view::npos) throw invalid_argument(where + ": more than one '=>'");
            rule.from = split_entries(line.substr(0, arrow), where);
            rule.to = split_entries(line.substr(arrow + 2), where);
        }
        rules.push_back(std::move(rule));
        if (end == text.size()) break;
    }
    return rules;
}

std::vector<synonym_rule> read_synonyms(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error(path.string(), "cannot open the synonym file");
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) throw io_error(path.string(), "cannot read the synonym file");
    return parse_synonyms(s.str(), path.string());
}

}  // namespace rapport::query
