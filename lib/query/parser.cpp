// SPDX-License-Identifier: MIT
// The query parser: an on-demand lexer (one token of lookahead, so memory stays proportional to
// the tree) feeding a recursive-descent parser with one function per precedence level
// (OR < AND < prefix operators < primary). Recursion happens only on parentheses and is bounded
// by `max_depth`; stacked prefix operators are collected in a loop.
// Lenient mode recovers at each fault and keeps going; strict mode throws at the first fault.
// Thread safety: pure function.
#include "rapport/query/parser.hpp"

#include <unicode/uchar.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <string>
#include <cmath>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>

#include "core/text.hpp"
#include "query/syntax.hpp"
#include "rapport/core/detail/text.hpp"
#include "rapport/core/utf8.hpp"
#include "rapport/query/error.hpp"

namespace rapport::query {

namespace {

using detail::decode_utf8;
using detail::ends_word;
using detail::is_white_space;

enum class tk : std::uint8_t {
    word,      // bare word; `text` unescaped, `star` when it ends with an unescaped '*'
    field,     // "name:" with a known name; `text` is the name
    lparen,    // (
    rparen,    // )
    phrase,    // "..."; `words` and `positions`
    boost,     // ^number; `text` is the number as written (may be empty or malformed)
    tilde,     // ~number; `text` is the number as written (may be empty)
    modifier,  // + or - directly before a clause; `text` is "+" or "-"
    and_,      // AND
    or_,       // OR
    not_,      // NOT
    end,       // end of input
};

struct token {
    tk kind = tk::end;
    std::size_t pos = 0;  // byte offset of its first byte
    std::string text;
    bool star = false;      // word: a prefix
    bool adjacent = false;  // field: an operand may follow (no blank or end right after ':')
    std::vector<std::string> words;
    std::vector<std::uint32_t> positions;
};

const char* spelling(tk kind) noexcept {
    switch (kind) {
        case tk::rparen: return "')'";
        case tk::boost: return "'^'";
        case tk::tilde: return "'~'";
        case tk::and_: return "AND";
        case tk::or_: return "OR";
        default: return "this";
    }
}

constexpr const char* operand_expected = "a term, phrase or group";

// Turns a fault into an exception in strict mode; in lenient mode the caller recovers.
class fault_sink {
public:
    explicit fault_sink(bool strict) noexcept : strict_(strict) {}
    [[nodiscard]] bool strict() const noexcept { return strict_; }
    void operator()(std::size_t pos, const std::string& message, const std::string& expected) const {
        if (strict_) throw syntax_error(pos, message, expected);
    }

private:
    bool strict_;
};

class lexer {
public:
    // `operators`: whether the words AND, OR and NOT are operators (not in shouted or plain queries).
    lexer(std::string_view text, const parser_options& options, fault_sink fault, bool operators)
        : s_(text), options_(options), fault_(fault), operators_(operators) {}

    token next() {
        while (true) {
            skip_blanks();
            token t;
            t.pos = i_;
            if (i_ >= s_.size()) return t;
            const char c = s_[i_];
            switch (c) {
                case '(':
                    t.kind = tk::lparen;
                    ++i_;
                    return t;
                case ')':
                    t.kind = tk::rparen;
                    ++i_;
                    return t;
                case '"':
                    if (lex_phrase(t)) return t;
                    continue;  // lenient: a stray quote with nothing after it is dropped
                case '^':
                    t.kind = tk::boost;
                    ++i_;
                    t.text = scan_number(true);
                    return t;
                case '~':
                    t.kind = tk::tilde;
                    ++i_;
                    t.text = scan_number(false);
                    return t;
                case '+':
                case '-':
                    if (i_ + 1 < s_.size()) {
                        char32_t cp = 0;
                        decode(i_ + 1, cp);
                        if (!is_white_space(cp) && cp != ')' && cp != '^' && cp != '~') {
                            t.kind = tk::modifier;
                            t.text.assign(1, c);
                            ++i_;
                            return t;
                        }
                    }
                    fault_(i_, std::string("expected a term, phrase or group after '") + c + "'", operand_expected);
                    ++i_;  // lenient: a lone '+' or '-' is dropped
                    continue;
                default:
                    if (lex_word(t)) return t;
                    continue;  // lenient: nothing left of the word (a lone '*')
            }
        }
    }

private:
    std::size_t decode(std::size_t i, char32_t& cp) const {
        const std::size_t len = decode_utf8(s_, i, cp);
        // Valid UTF-8 never decodes to a surrogate; decode_utf8 reports bad bytes as 0xDC80..0xDCFF.
        // Lenient input was repaired before lexing, so this only fires in strict mode.
        if (cp >= 0xDC80 && cp <= 0xDCFF) fault_(i, "invalid UTF-8", "valid UTF-8");
        return len;
    }

    void skip_blanks() {
        while (i_ < s_.size()) {
            char32_t cp = 0;
            const std::size_t len = decode(i_, cp);
            if (!is_white_space(cp)) return;
            i_ += len;
        }
    }

    [[nodiscard]] bool is_digit(std::size_t i) const noexcept {
        return i < s_.size() && s_[i] >= '0' && s_[i] <= '9';
    }

    // Digits and dots, then for boosts an exponent (e[+-]digits, only when digits follow), which
    // is how std::to_chars writes very small and very large boosts.
    std::string scan_number(bool exponent) {
        const std::size_t start = i_;
        while (i_ < s_.size() && (is_digit(i_) || s_[i_] == '.')) ++i_;
        if (exponent && i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
            std::size_t j = i_ + 1;
            if (j < s_.size() && (s_[j] == '+' || s_[j] == '-')) ++j;
            if (is_digit(j)) {
                i_ = j;
                while (is_digit(i_)) ++i_;
            }
        }
        return std::string(s_.substr(start, i_ - start));
    }

    [[nodiscard]] bool is_field(std::string_view name) const noexcept {
        for (const auto& f : options_.fields)
            if (f == name) return true;
        return false;
    }

    [[nodiscard]] std::string field_list() const {
        std::string out;
        for (const auto& f : options_.fields) {
            if (!out.empty()) out += ", ";
            out += f;
        }
        return out.empty() ? "no field (none is configured)" : "one of the fields " + out;
    }

    // Lexes a quoted phrase into `t`; false for an unterminated one without words (lenient mode).
    bool lex_phrase(token& t) {
        t.kind = tk::phrase;
        const std::size_t open = i_++;
        std::string word;
        bool in_word = false;
        bool escaped = false;
        std::uint32_t next = 0;
        const auto finish = [&] {
            if (!in_word) return;
            if (!escaped && word == "?") {
                if (next < std::numeric_limits<std::uint32_t>::max()) ++next;  // a gap
            } else if (next < std::numeric_limits<std::uint32_t>::max()) {
                t.words.push_back(std::move(word));
                t.positions.push_back(next++);
            } else {
                fault_(i_, "phrase has too many words", "'\"'");
            }
            word.clear();
            in_word = false;
            escaped = false;
        };
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (c == '"') {
                finish();
                ++i_;
                return true;
            }
            if (c == '\\') {
                if (i_ + 1 >= s_.size()) {
                    fault_(i_, "expected a character after '\\'", "a character");
                    ++i_;
                    break;
                }
                char32_t cp = 0;
                const std::size_t len = decode(i_ + 1, cp);
                word.append(s_.substr(i_ + 1, len));
                in_word = true;
                escaped = true;
                i_ += 1 + len;
                continue;
            }
            char32_t cp = 0;
            const std::size_t len = decode(i_, cp);
            if (is_white_space(cp)) {
                finish();
            } else {
                word.append(s_.substr(i_, len));
                in_word = true;
            }
            i_ += len;
        }
        // Unterminated: lenient mode takes the rest of the input as the phrase.
        fault_(s_.size(), "expected '\"' to close the phrase that opens at byte " + std::to_string(open), "'\"'");
        finish();
        return !t.words.empty();
    }

    // Lexes a bare word, a known field prefix or a keyword into `t`; false when nothing is left
    // (lenient mode only).
    bool lex_word(token& t) {
        const std::size_t start = i_;
        bool escaped = false;
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (c == '\\') {
                if (i_ + 1 >= s_.size()) {
                    fault_(i_, "expected a character after '\\'", "a character");
                    ++i_;  // lenient: a trailing backslash is dropped
                    break;
                }
                char32_t cp = 0;
                const std::size_t len = decode(i_ + 1, cp);
                t.text.append(s_.substr(i_ + 1, len));
                escaped = true;
                i_ += 1 + len;
                continue;
            }
            char32_t cp = 0;
            const std::size_t len = decode(i_, cp);
            if (ends_word(cp)) break;
            if (c == ':') {
                if (!escaped && !t.text.empty() && is_field(t.text)) {
                    t.kind = tk::field;
                    ++i_;
                    char32_t after = ' ';
                    if (i_ < s_.size()) decode_utf8(s_, i_, after);
                    t.adjacent = !is_white_space(after);
                    return true;
                }
                if (t.text.empty()) {
                    fault_(i_, "unexpected ':'", operand_expected);
                } else {
                    fault_(start, "unknown field '" + t.text + "'", field_list());
                }
                // lenient: the colon is part of the word, as the analyzer reads it in indexed text
            } else if (c == '*') {
                char32_t after = ' ';
                if (i_ + 1 < s_.size()) decode(i_ + 1, after);
                if (ends_word(after)) {
                    t.star = true;
                    ++i_;
                    break;
                }
                fault_(i_, "'*' is only allowed at the end of a term", "the end of the term");
                // lenient: a '*' inside a word is an ordinary character
            }
            t.text.append(s_.substr(i_, len));
            i_ += len;
        }
        if (t.text.empty()) {
            if (t.star) fault_(start, "expected a term before '*'", "a term");
            return false;
        }
        t.kind = tk::word;
        const bool suffix_follows = i_ < s_.size() && (s_[i_] == '^' || s_[i_] == '~');
        if (operators_ && !escaped && !t.star && !suffix_follows) {
            if (t.text == "AND") t.kind = tk::and_;
            if (t.text == "OR") t.kind = tk::or_;
            if (t.text == "NOT") t.kind = tk::not_;
        }
        return true;
    }

    std::string_view s_;
    const parser_options& options_;
    fault_sink fault_;
    bool operators_;
    std::size_t i_ = 0;
};

// A parsed clause before it is placed in a boolean.
struct operand {
    query q;
    std::optional<occur> mod;  // from '+', '-' or NOT
    bool fresh = false;        // q is a boolean built by the group just parsed (a `~N` applies to it)
};

struct pending_mod {
    occur how;
    std::size_t pos;
    std::string spelling;
};

class parser {
public:
    parser(std::string_view text, const parser_options& options, bool operators = true)
        : options_(options), fault_(options.mode == parse_mode::strict), lexer_(text, options, fault_, operators) {
        cur_ = lexer_.next();
    }

    query run() {
        std::vector<operand> ops;
        while (true) {
            if (auto r = parse_or()) ops.push_back(std::move(*r));
            const token& t = peek();
            if (t.kind == tk::end) break;
            // parse_or stops only at the end or at a ')' that closes no group (strict mode: lenient
            // mode skips such a ')' in peek).
            fault_(t.pos, "unexpected ')'", "an operator, a term or the end of the query");
            advance();
        }
        auto r = combine(ops, default_occur());
        if (!r) return query();
        if (r->mod) return wrap(*r->mod, std::move(r->q));
        return std::move(r->q);
    }

private:
    [[nodiscard]] occur default_occur() const noexcept {
        return options_.op == default_operator::and_ ? occur::must : occur::should;
    }

    void advance() { cur_ = lexer_.next(); }

    // The current token. Lenient mode flattens nesting beyond max_depth here: an '(' that would
    // go deeper is skipped, and so is the ')' that matches it; a ')' that closes no group is
    // skipped too, so that the text reads as if it were not there ("a b) c" is "a b c").
    const token& peek() {
        if (!fault_.strict()) {
            while (true) {
                if (cur_.kind == tk::lparen && depth_ >= options_.max_depth) {
                    ++suppressed_;
                    advance();
                } else if (cur_.kind == tk::rparen && suppressed_ > 0) {
                    --suppressed_;
                    advance();
                } else if (cur_.kind == tk::rparen && groups_ == 0) {
                    advance();
                } else {
                    break;
                }
            }
        }
        return cur_;
    }

    static bool starts_operand(tk kind) noexcept {
        return kind != tk::end && kind != tk::rparen && kind != tk::and_ && kind != tk::or_;
    }

    static query wrap(occur how, query q) {
        boolean_node b;
        b.clauses.push_back(clause{how, std::move(q)});
        return query(std::move(b));
    }

    static std::optional<operand> combine(std::vector<operand>& ops, occur level) {
        if (ops.empty()) return std::nullopt;
        if (ops.size() == 1) return std::move(ops.front());
        boolean_node b;
        b.clauses.reserve(ops.size());
        for (auto& o : ops) b.clauses.push_back(clause{o.mod.value_or(level), std::move(o.q)});
        return operand{query(std::move(b)), std::nullopt, true};
    }

    // or_expr  := and_expr { ("OR" | juxtaposition when the default operator is OR) and_expr }
    // and_expr := unary { ("AND" | juxtaposition when the default operator is AND) unary }
    std::optional<operand> parse_or() { return parse_chain(tk::or_, "OR", default_operator::or_, occur::should, &parser::parse_and); }
    std::optional<operand> parse_and() { return parse_chain(tk::and_, "AND", default_operator::and_, occur::must, &parser::parse_unary); }

    // One precedence level: operands from `next`, joined by `keyword` (or by juxtaposition when the
    // default operator is `juxtaposed`), combined with `how`.
    std::optional<operand> parse_chain(tk keyword, const char* name, default_operator juxtaposed, occur how,
                                       std::optional<operand> (parser::*next)()) {
        std::vector<operand> ops;
        if (auto a = (this->*next)()) ops.push_back(std::move(*a));
        while (true) {
            const token& t = peek();
            if (t.kind == keyword) {
                if (ops.empty())
                    fault_(t.pos, std::string("expected a term, phrase or group before ") + name, operand_expected);
                advance();
                if (auto a = (this->*next)()) {
                    ops.push_back(std::move(*a));
                } else {
                    fault_(peek().pos, std::string("expected a term, phrase or group after ") + name, operand_expected);
                }
            } else if (options_.op == juxtaposed && starts_operand(t.kind)) {
                if (auto a = (this->*next)()) ops.push_back(std::move(*a));
            } else {
                break;
            }
        }
        return combine(ops, how);
    }

    // unary := { "+" | "-" | "NOT" } primary; nothing when a terminator (end, ')', AND, OR) comes first.
    std::optional<operand> parse_unary() {
        std::vector<pending_mod> mods;
        while (true) {
            const token& t = peek();
            switch (t.kind) {
                case tk::modifier:
                case tk::not_: {
                    const occur how = (t.kind == tk::not_ || t.text == "-") ? occur::must_not : occur::must;
                    // The first operator only sets how the operand occurs; each one stacked on it
                    // wraps the operand in one more boolean, a level of nesting as a group is.
                    if (!mods.empty() && depth_ + mods.size() > options_.max_depth) {
                        too_deep(t.pos);
                        advance();  // lenient: operators beyond the depth cap are ignored
                        continue;
                    }
                    mods.push_back({how, t.pos, t.kind == tk::not_ ? "NOT" : "'" + t.text + "'"});
                    advance();
                    continue;
                }
                case tk::word:
                case tk::field:
                case tk::phrase:
                case tk::lparen: {
                    const tk kind = t.kind;
                    const std::size_t wraps = mods.empty() ? 0 : mods.size() - 1;
                    depth_ += wraps;
                    // Lenient: the stacked operators may take the nesting to its cap, and then this
                    // '(' is flattened (peek skips it); the loop goes on with what follows it.
                    if (peek().kind != kind) {
                        depth_ -= wraps;
                        continue;
                    }
                    operand o = parse_primary();
                    depth_ -= wraps;
                    o.fresh = false;  // a `~N` after an enclosing group must not reach this boolean
                    for (std::size_t k = mods.size(); k-- > 0;) {
                        if (o.mod) o.q = wrap(*o.mod, std::move(o.q));
                        o.mod = mods[k].how;
                        o.fresh = false;
                    }
                    return o;
                }
                case tk::boost:
                case tk::tilde:
                    fault_(t.pos, std::string("unexpected ") + spelling(t.kind), operand_expected);
                    advance();  // lenient: a stray suffix is dropped
                    continue;
                case tk::end:
                case tk::rparen:
                case tk::and_:
                case tk::or_:
                    if (!mods.empty())
                        fault_(t.pos, "expected a term, phrase or group after " + mods.back().spelling,
                               operand_expected);
                    return std::nullopt;  // lenient: dangling operators are dropped
            }
        }
    }

    void too_deep(std::size_t pos) const {
        fault_(pos, "query nests deeper than " + std::to_string(options_.max_depth) + " levels",
               "at most " + std::to_string(options_.max_depth) + " levels of nesting");
    }

    // primary := [field ":"] (word [suffixes] | phrase [suffixes] | "(" or_expr ")" [suffixes])
    operand parse_primary() {
        std::string field;
        operand o;
        while (peek().kind == tk::field) {
            if (!field.empty())
                fault_(cur_.pos, "expected a term, phrase or group after '" + field + ":'", operand_expected);
            field = std::move(cur_.text);  // lenient: the innermost field wins
            const bool adjacent = cur_.adjacent;
            const std::size_t after = cur_.pos + field.size() + 1;
            advance();
            if (!adjacent) {
                // "title: a": the restriction must touch its operand.
                fault_(after, "expected a term, phrase or group after '" + field + ":'", operand_expected);
                o.q = term(std::move(field));  // lenient: the field name is an ordinary word
                return o;
            }
        }
        const token& t = peek();
        if (t.kind == tk::word) {
            o.q = t.star ? prefix(std::move(cur_.text)) : term(std::move(cur_.text));
            advance();
            word_suffixes(o);
        } else if (t.kind == tk::phrase) {
            o.q = query(phrase_node{std::move(cur_.words), std::move(cur_.positions), 0});
            advance();
            phrase_suffixes(o);
        } else if (t.kind == tk::lparen) {
            group(o);
        } else {
            // A field prefix followed by no operand.
            fault_(t.pos, "expected a term, phrase or group after '" + field + ":'", operand_expected);
            o.q = term(std::move(field));  // lenient: the field name is an ordinary word
            field.clear();
            word_suffixes(o);
        }
        if (!field.empty() && o.q.field().empty()) o.q.field(std::move(field));
        return o;
    }

    void group(operand& o) {
        const std::size_t open = cur_.pos;
        if (depth_ >= options_.max_depth) too_deep(open);  // lenient mode never gets here (peek)
        advance();
        ++depth_;
        ++groups_;
        auto inner = parse_or();
        --groups_;
        --depth_;
        const token& close = peek();
        if (close.kind == tk::rparen) {
            advance();
        } else {
            fault_(close.pos, "expected ')' to close the group that opens at byte " + std::to_string(open), "')'");
            // lenient: the group closes at the end of the input
        }
        if (!inner) {
            o = operand{query(), std::nullopt, true};
        } else if (inner->mod) {
            o = operand{wrap(*inner->mod, std::move(inner->q)), std::nullopt, true};
        } else {
            o = operand{std::move(inner->q), std::nullopt, inner->fresh};
        }
        group_suffixes(o);
    }

    // Reads the current token's number as an unsigned integer; nullopt when it is empty or not
    // an integer (lenient callers then pick a default). Saturates at UINT32_MAX.
    [[nodiscard]] static std::optional<std::uint32_t> integer(const std::string& text) {
        if (text.empty()) return std::nullopt;
        std::uint64_t v = 0;
        for (const char c : text) {
            if (c < '0' || c > '9') return std::nullopt;
            v = std::min<std::uint64_t>(v * 10 + static_cast<std::uint64_t>(c - '0'), std::uint64_t{1} << 40);
        }
        return static_cast<std::uint32_t>(std::min<std::uint64_t>(v, std::numeric_limits<std::uint32_t>::max()));
    }

    // The integer part of a number written with a fraction ("3.7" -> 3), for lenient slops.
    [[nodiscard]] static std::uint32_t integer_part(const std::string& text) {
        const auto dot = text.find('.');
        return integer(text.substr(0, dot)).value_or(0);
    }

    // Applies a `^number` token to `o`; faults on a second boost or a malformed number.
    void boost_suffix(operand& o, bool& seen) {
        const token& t = cur_;
        if (seen) {
            fault_(t.pos, "unexpected '^'", "whitespace or an operator");
            advance();
            return;
        }
        seen = true;
        const std::size_t t_pos = t.pos;
        double v = 0;
        const char* first = t.text.data();
        const char* last = first + t.text.size();
        const auto r = std::from_chars(first, last, v);
        if (t.text.empty() || r.ec != std::errc() || r.ptr != last || !std::isfinite(v) || v < 0) {
            fault_(t.pos + 1, "expected a non-negative number after '^'", "a non-negative number");
            advance();  // lenient: the boost is ignored
            return;
        }
        advance();
        const double product = o.q.boost() * v;  // "(a^2)^3": boosts of nested groups multiply
        // Lenient: kept as written (even when it overflowed), so that searching reports it.
        if (!(product <= max_boost)) fault_(t_pos, "boost is too large (at most 1e9)", "a smaller boost");
        o.q.boost(product);
    }

    void word_suffixes(operand& o) {
        bool boosted = false;
        bool tilde = false;
        while (true) {
            if (cur_.kind == tk::boost) {
                boost_suffix(o, boosted);
            } else if (cur_.kind == tk::tilde) {
                const token& t = cur_;
                if (tilde || o.q.kind() == node_kind::prefix) {
                    fault_(t.pos, "unexpected '~'", "whitespace or an operator");
                    advance();  // lenient: ignored
                    continue;
                }
                tilde = true;
                std::uint32_t edits = 2;  // "word~" means 2, as in Lucene
                if (!t.text.empty()) {
                    const auto n = integer(t.text);
                    if (!n || *n > 2) {
                        fault_(t.pos + 1, "expected 0, 1 or 2 edits after '~'", "0, 1 or 2");
                        // lenient: larger counts and Lucene's old similarities ("~0.8") mean 2
                    } else {
                        edits = *n;
                    }
                }
                advance();
                if (edits > 0) {
                    auto* w = o.q.get_if<term_node>();
                    o.q.node() = fuzzy_node{std::move(w->text), edits, std::nullopt};
                }
            } else {
                return;
            }
        }
    }

    // Reads a `~N` count for phrases (slop) and groups (minimum should match).
    std::optional<std::uint32_t> count_suffix(const char* what) {
        const token& t = cur_;
        std::optional<std::uint32_t> n = integer(t.text);
        if (!n) {
            fault_(t.pos + 1, std::string("expected a whole number after '~' (") + what + ")", "a whole number");
            if (!t.text.empty()) n = integer_part(t.text);  // lenient: "~2.5" -> 2, "~" -> ignored
        } else if (*n == std::numeric_limits<std::uint32_t>::max()) {
            fault_(t.pos + 1, std::string("number after '~' is too large (") + what + ")", "a smaller number");
        }
        advance();
        return n;
    }

    // Reads the "^boost" and "~N" suffixes after a phrase or group, each at most once (a second
    // "~" is a fault; boosts report their own). `on_count` applies the number after "~".
    template <class OnCount>
    void suffixes(operand& o, const char* count_meaning, OnCount on_count) {
        bool boosted = false;
        bool tilde = false;
        while (true) {
            if (cur_.kind == tk::boost) {
                boost_suffix(o, boosted);
            } else if (cur_.kind == tk::tilde) {
                if (tilde) {
                    fault_(cur_.pos, "unexpected '~'", "whitespace or an operator");
                    advance();
                    continue;
                }
                tilde = true;
                if (const auto n = count_suffix(count_meaning)) on_count(*n);
            } else {
                return;
            }
        }
    }

    void phrase_suffixes(operand& o) {
        suffixes(o, "slop", [&](std::uint32_t n) { o.q.get_if<phrase_node>()->slop = n; });
    }

    void group_suffixes(operand& o) {
        suffixes(o, "minimum number of clauses that should match", [&](std::uint32_t n) {
            if (o.fresh) {
                o.q.get_if<boolean_node>()->minimum_should_match = n;
            } else if (n > 0) {
                // "(a)~1": the group collapsed to its only clause; keep the count on a boolean.
                boolean_node b;
                b.clauses.push_back(clause{occur::should, std::move(o.q)});
                b.minimum_should_match = n;
                o.q = query(std::move(b));
                o.fresh = true;
            }
        });
    }

    const parser_options& options_;
    fault_sink fault_;
    lexer lexer_;
    token cur_;
    std::size_t depth_ = 0;       // parentheses plus stacked prefix operators around the current point
    std::size_t suppressed_ = 0;  // '(' skipped by lenient flattening whose ')' is still to come
    std::size_t groups_ = 0;      // groups open around the current point
};

}  // namespace

namespace {

// Whether a query is shouted: it has cased letters outside the words AND, OR and NOT, and none of
// them is lower case ("DOES NOT INCLUDE"). Such a query's AND, OR and NOT are words, not operators.
// Both modes apply the rule, so that they agree on well-formed input. Invalid UTF-8 sequences count
// as no letter. Complexity: O(|text|).
bool shouted(std::string_view text) {
    bool upper = false;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && rapport::detail::is_ascii_space(text[i])) ++i;
        std::size_t end = i;
        while (end < text.size() && !rapport::detail::is_ascii_space(text[end])) ++end;
        const std::string_view word = text.substr(i, end - i);
        if (word != "AND" && word != "OR" && word != "NOT") {
            for (std::size_t at = 0; at < word.size();) {
                const rapport::detail::decoded_utf8 d = rapport::detail::decode_utf8(word, at);
                at += d.length;
                if (!d.valid) continue;
                const auto c = static_cast<UChar32>(d.code_point);
                if (u_islower(c)) return false;
                upper = upper || u_isupper(c);
            }
        }
        i = end;
    }
    return upper;
}

// A plain query with every ASCII punctuation character escaped, so that the lenient parser reads it
// as words only: no quotes, fields, suffixes, prefix operators or parentheses.
std::string escape_syntax(std::string_view text) {
    std::string out;
    out.reserve(text.size() * 2);
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x80 && u > ' ' && !std::isalnum(u)) out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

query parse(std::string_view text, const parser_options& options) {
    if (options.max_bytes != 0 && text.size() > options.max_bytes)
        throw syntax_error(options.max_bytes,
                           "the query is " + std::to_string(text.size()) + " bytes, more than " +
                               std::to_string(options.max_bytes) + ": raise parser_options::max_bytes to allow it",
                           "a shorter query");
    if (options.mode == parse_mode::strict) return parser(text, options, !shouted(text)).run();
    std::string repaired;
    if (find_invalid_utf8(text)) {
        repaired = replace_invalid_utf8(text);
        text = repaired;
    }
    if (options.mode == parse_mode::plain) {
        const std::string escaped = escape_syntax(text);
        parser_options lenient = options;
        lenient.mode = parse_mode::lenient;
        return parser(escaped, lenient, false).run();
    }
    return parser(text, options, !shouted(text)).run();
}

}  // namespace rapport::query
