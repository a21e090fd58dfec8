// SPDX-License-Identifier: MIT
// Query tree factories and printing back to the query syntax.
// Thread safety: pure functions.
#include "rapport/query/query.hpp"

#include <charconv>
#include <ostream>
#include <string_view>
#include <system_error>

#include "query/syntax.hpp"

namespace rapport::query {

namespace {

bool strictly_increasing(const std::vector<std::uint32_t>& positions) noexcept {
    for (std::size_t i = 1; i < positions.size(); ++i)
        if (positions[i] <= positions[i - 1]) return false;
    return true;
}

bool no_empty(const std::vector<std::string>& terms) noexcept {
    for (const auto& t : terms)
        if (t.empty()) return false;
    return true;
}

query make_boolean(std::vector<query> subs, occur how, std::uint32_t minimum_should_match) {
    boolean_node b;
    b.minimum_should_match = minimum_should_match;
    b.clauses.reserve(subs.size());
    for (auto& s : subs) b.clauses.push_back(clause{how, std::move(s)});
    return query(std::move(b));
}

// A word outside quotes: every special character is escaped, as are a leading '+' or '-' (they
// would read as operators) and the first letter of a word spelled like a keyword.
void append_word(std::string& out, std::string_view text) {
    RAPPORT_ASSERT(!text.empty());
    const bool keyword = text == "AND" || text == "OR" || text == "NOT";
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp = 0;
        const std::size_t len = detail::decode_utf8(text, i, cp);
        if (detail::special_in_word(cp) || (i == 0 && (cp == '+' || cp == '-' || keyword))) out += '\\';
        out.append(text.substr(i, len));
        i += len;
    }
}

// A word inside quotes: blanks, '"' and '\' are escaped, and a lone "?" (which marks a gap).
void append_phrase_word(std::string& out, std::string_view text) {
    RAPPORT_ASSERT(!text.empty());
    if (text == "?") {
        out += "\\?";
        return;
    }
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp = 0;
        const std::size_t len = detail::decode_utf8(text, i, cp);
        if (detail::special_in_phrase(cp)) out += '\\';
        out.append(text.substr(i, len));
        i += len;
    }
}

void append_number(std::string& out, double v) {
    char buf[64];
    // Shortest representation that reads back to the same double (std::from_chars in the parser).
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void append_field(std::string& out, const query& q) {
    if (!q.field().empty()) {
        out += q.field();
        out += ':';
    }
}

void append_boost(std::string& out, const query& q) {
    if (q.boost() != 1.0) {
        out += '^';
        append_number(out, q.boost());
    }
}

void print(std::string& out, const query& q, bool root) {
    switch (q.kind()) {
        case node_kind::term:
            append_field(out, q);
            append_word(out, q.get_if<term_node>()->text);
            break;
        case node_kind::prefix:
            append_field(out, q);
            append_word(out, q.get_if<prefix_node>()->text);
            out += '*';
            break;
        case node_kind::fuzzy: {
            const auto& f = *q.get_if<fuzzy_node>();
            append_field(out, q);
            append_word(out, f.text);
            out += '~';
            out += std::to_string(f.max_edits);
            break;
        }
        case node_kind::phrase: {
            const auto& p = *q.get_if<phrase_node>();
            RAPPORT_ASSERT(p.positions.size() == p.terms.size());
            append_field(out, q);
            out += '"';
            std::uint32_t next = 0;  // the position the next word takes unless gaps precede it
            for (std::size_t i = 0; i < p.terms.size(); ++i) {
                if (i > 0) out += ' ';
                for (; next < p.positions[i]; ++next) out += "? ";
                append_phrase_word(out, p.terms[i]);
                next = p.positions[i] + 1;
            }
            out += '"';
            if (p.slop != 0) {
                out += '~';
                out += std::to_string(p.slop);
            }
            break;
        }
        case node_kind::boolean: {
            const auto& b = *q.get_if<boolean_node>();
            // The root needs no parentheses: the whole text is a group.
            const bool parens = !root || q.boost() != 1.0 || !q.field().empty() || b.minimum_should_match != 0;
            append_field(out, q);
            if (parens) out += '(';
            for (std::size_t i = 0; i < b.clauses.size(); ++i) {
                if (i > 0) out += ' ';
                if (b.clauses[i].occur == occur::must) out += '+';
                if (b.clauses[i].occur == occur::must_not) out += '-';
                print(out, b.clauses[i].query, false);
            }
            if (parens) out += ')';
            if (b.minimum_should_match != 0) {
                out += '~';
                out += std::to_string(b.minimum_should_match);
            }
            break;
        }
    }
    append_boost(out, q);
}

}  // namespace

query term(std::string text) {
    RAPPORT_ASSERT(!text.empty());
    return query(term_node{std::move(text)});
}

query phrase(std::vector<std::string> terms, std::uint32_t slop) {
    std::vector<std::uint32_t> positions(terms.size());
    for (std::size_t i = 0; i < positions.size(); ++i) positions[i] = static_cast<std::uint32_t>(i);
    return phrase(std::move(terms), std::move(positions), slop);
}

query phrase(std::vector<std::string> terms, std::vector<std::uint32_t> positions, std::uint32_t slop) {
    RAPPORT_ASSERT(terms.size() == positions.size());
    RAPPORT_ASSERT(strictly_increasing(positions));
    RAPPORT_ASSERT(no_empty(terms));
    (void)strictly_increasing;
    (void)no_empty;
    return query(phrase_node{std::move(terms), std::move(positions), slop});
}

query prefix(std::string text) {
    RAPPORT_ASSERT(!text.empty());
    return query(prefix_node{std::move(text)});
}

query fuzzy(std::string text, std::uint32_t max_edits, std::optional<std::uint32_t> prefix_length) {
    RAPPORT_ASSERT(!text.empty());
    RAPPORT_ASSERT(max_edits == 1 || max_edits == 2);
    return query(fuzzy_node{std::move(text), max_edits, prefix_length});
}

query boolean(std::vector<clause> clauses, std::uint32_t minimum_should_match) {
    return query(boolean_node{std::move(clauses), minimum_should_match});
}

query all_of(std::vector<query> subs) { return make_boolean(std::move(subs), occur::must, 0); }

query any_of(std::vector<query> subs, std::uint32_t minimum_should_match) {
    return make_boolean(std::move(subs), occur::should, minimum_should_match);
}

query none_of(std::vector<query> subs) { return make_boolean(std::move(subs), occur::must_not, 0); }

std::string to_string(const query& q) {
    std::string out;
    print(out, q, true);
    return out;
}

std::ostream& operator<<(std::ostream& out, const query& q) { return out << to_string(q); }

}  // namespace rapport::query
