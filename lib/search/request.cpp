// SPDX-License-Identifier: MIT
#include "rapport/search/request.hpp"

#include "rapport/search/multi_searcher.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <sstream>
#include <unordered_map>

#include "rapport/core/bitset.hpp"
#include "rapport/core/error.hpp"
#include "rapport/index/disk_segment.hpp"
#include "rapport/index/fields.hpp"

namespace rapport::search {

namespace ix = rapport::index;

// ---------------------------------------------------------------- the filter tree

struct filter::node {
    enum class kind { all, keyword, range, all_of, any_of, none_of };
    kind k = kind::all;
    std::string field;
    ix::field_type type = ix::field_type::keyword;
    std::vector<std::string> values;  // keyword values, as written
    // range over the field's number keys (integer, float key, date ms); unset: open
    std::optional<std::int64_t> lo, hi;
    bool lo_inclusive = true, hi_inclusive = true;
    std::string lo_text, hi_text;  // as written, for to_string
    std::vector<std::shared_ptr<const node>> children;
};

namespace {

using node_ptr = std::shared_ptr<const filter::node>;
using kind = filter::node::kind;

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}
bool ends_bare(char c) noexcept {
    return is_space(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '"';
}

std::string quote_value(std::string_view v) {
    bool plain = !v.empty() && v != "*" && v != "AND" && v != "OR" && v != "NOT" && v.front() != '-' &&
                 v.front() != '>' && v.front() != '<';
    for (const char c : v) plain = plain && !ends_bare(c) && c != '\\';
    if (plain) return std::string(v);
    std::string out = "\"";
    for (const char c : v) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

class filter_parser {
public:
    filter_parser(std::string_view text, const ix::schema& s) : t_(text), schema_(s) {}

    node_ptr parse() {
        skip();
        if (at_ == t_.size()) return std::make_shared<filter::node>();
        auto n = parse_or();
        skip();
        if (at_ != t_.size()) fail(t_[at_] == ')' ? "a ')' closes no group" : "unexpected text");
        return n;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw query_syntax_error(at_, "filter: " + what);
    }
    void skip() noexcept {
        while (at_ < t_.size() && is_space(t_[at_])) ++at_;
    }
    // Whether the bare word `w` stands at the cursor (followed by a space, '(' or the end).
    bool word_ahead(std::string_view w) const noexcept {
        if (t_.substr(at_, w.size()) != w) return false;
        const std::size_t after = at_ + w.size();
        return after == t_.size() || is_space(t_[after]) || t_[after] == '(';
    }
    node_ptr combine(kind k, std::vector<node_ptr> parts) const {
        if (parts.size() == 1) return parts.front();
        auto n = std::make_shared<filter::node>();
        n->k = k;
        n->children = std::move(parts);
        return n;
    }
    node_ptr parse_or() {
        if (++depth_ > 64) fail("groups nested deeper than 64");
        std::vector<node_ptr> parts{parse_and()};
        for (skip(); word_ahead("OR"); skip()) {
            at_ += 2;
            skip();
            parts.push_back(parse_and());
        }
        --depth_;
        return combine(kind::any_of, std::move(parts));
    }
    node_ptr parse_and() {
        std::vector<node_ptr> parts{parse_unary()};
        for (skip(); at_ < t_.size() && t_[at_] != ')' && !word_ahead("OR"); skip()) {
            if (word_ahead("AND")) {
                at_ += 3;
                skip();
            }
            parts.push_back(parse_unary());
        }
        return combine(kind::all_of, std::move(parts));
    }
    node_ptr parse_unary() {
        skip();
        if (at_ == t_.size()) fail("a clause is missing");
        if (word_ahead("NOT") || t_[at_] == '-') {
            at_ += t_[at_] == '-' ? 1 : 3;
            if (++depth_ > 64) fail("groups nested deeper than 64");
            auto n = std::make_shared<filter::node>();
            n->k = kind::none_of;
            n->children.push_back(parse_unary());
            --depth_;
            return n;
        }
        if (t_[at_] == '+') ++at_;
        if (at_ < t_.size() && t_[at_] == '(') {
            ++at_;
            auto n = parse_or();
            skip();
            if (at_ == t_.size() || t_[at_] != ')') fail("a '(' is not closed");
            ++at_;
            return n;
        }
        return parse_clause();
    }
    std::string parse_value() {
        skip();
        if (at_ == t_.size()) fail("a value is missing");
        std::string v;
        if (t_[at_] == '"') {
            for (++at_;; ++at_) {
                if (at_ == t_.size()) fail("a quote is not closed");
                if (t_[at_] == '"') break;
                if (t_[at_] == '\\' && at_ + 1 < t_.size()) ++at_;
                v.push_back(t_[at_]);
            }
            ++at_;
            return v;
        }
        while (at_ < t_.size() && !ends_bare(t_[at_])) v.push_back(t_[at_++]);
        if (v.empty()) fail("a value is missing");
        return v;
    }
    std::int64_t number(const filter::node& n, const std::string& text) const {
        const auto v = ix::parse_number(n.type, text);
        if (!v)
            fail("'" + text + "' is not " +
                 (n.type == ix::field_type::date      ? std::string("an ISO 8601 date")
                  : n.type == ix::field_type::integer ? std::string("an integer")
                                                      : std::string("a number")) +
                 " (field '" + n.field + "')");
        return *v;
    }
    node_ptr parse_clause() {
        const std::size_t start = at_;
        while (at_ < t_.size() && is_name_char(t_[at_])) ++at_;
        if (at_ == start || at_ == t_.size() || t_[at_] != ':') {
            at_ = start;
            fail("expected field:value");
        }
        auto n = std::make_shared<filter::node>();
        n->field = std::string(t_.substr(start, at_ - start));
        ++at_;
        const auto* def = schema_.find(n->field);
        if (def == nullptr) {
            at_ = start;
            fail("the index has no field '" + n->field + "'");
        }
        if (def->type == ix::field_type::text || def->type == ix::field_type::stored) {
            at_ = start;
            fail("field '" + n->field + "' is a " + std::string(ix::field_type_name(def->type)) +
                 " field, which filters cannot test (keyword, integer, float and date fields can)");
        }
        n->type = def->type;
        const bool numeric = ix::is_numeric(def->type);
        if (at_ < t_.size() && t_[at_] == '(') {
            ++at_;
            for (skip(); at_ < t_.size() && t_[at_] != ')'; skip()) {
                if (word_ahead("OR")) {
                    at_ += 2;
                    continue;
                }
                n->values.push_back(parse_value());
            }
            if (at_ == t_.size()) fail("a '(' is not closed");
            ++at_;
            if (n->values.empty()) fail("no value in ( )");
        } else if (at_ < t_.size() && (t_[at_] == '[' || t_[at_] == '{')) {
            if (!numeric) fail("ranges need a numeric or date field, and '" + n->field + "' is a keyword field");
            n->k = kind::range;
            n->lo_inclusive = t_[at_++] == '[';
            n->lo_text = parse_value();
            skip();
            if (!word_ahead("TO")) fail("expected TO in a range");
            at_ += 2;
            n->hi_text = parse_value();
            skip();
            if (at_ == t_.size() || (t_[at_] != ']' && t_[at_] != '}')) fail("a range is not closed");
            n->hi_inclusive = t_[at_++] == ']';
            if (n->lo_text != "*") n->lo = number(*n, n->lo_text);
            if (n->hi_text != "*") n->hi = number(*n, n->hi_text);
            return n;
        } else if (at_ < t_.size() && (t_[at_] == '>' || t_[at_] == '<')) {
            if (!numeric) fail("comparisons need a numeric or date field, and '" + n->field + "' is a keyword field");
            const bool greater = t_[at_++] == '>';
            const bool equal = at_ < t_.size() && t_[at_] == '=';
            if (equal) ++at_;
            n->k = kind::range;
            const auto text = parse_value();
            const auto v = number(*n, text);
            if (greater) {
                n->lo = v;
                n->lo_text = text;
                n->lo_inclusive = equal;
                n->hi_text = "*";
            } else {
                n->hi = v;
                n->hi_text = text;
                n->hi_inclusive = equal;
                n->lo_text = "*";
            }
            return n;
        } else {
            n->values.push_back(parse_value());
        }
        if (numeric) {
            // field:v and field:(v w): equality, one range per value.
            std::vector<node_ptr> parts;
            for (const auto& v : n->values) {
                auto r = std::make_shared<filter::node>();
                r->k = kind::range;
                r->field = n->field;
                r->type = n->type;
                r->lo = r->hi = number(*n, v);
                r->lo_text = r->hi_text = v;
                parts.push_back(r);
            }
            return combine(kind::any_of, std::move(parts));
        }
        n->k = kind::keyword;
        return n;
    }

    std::string_view t_;
    const ix::schema& schema_;
    std::size_t at_ = 0;
    int depth_ = 0;
};

void print(const filter::node& n, std::string& out) {
    switch (n.k) {
        case kind::all: break;
        case kind::keyword:
            out += n.field + ":";
            if (n.values.size() == 1) {
                out += quote_value(n.values[0]);
            } else {
                out += "(";
                for (std::size_t i = 0; i < n.values.size(); ++i) out += (i ? " OR " : "") + quote_value(n.values[i]);
                out += ")";
            }
            break;
        case kind::range:
            // An open bound is a bare `*` (quoted, it would read as the value "*").
            out += n.field + ":" + (n.lo_inclusive ? "[" : "{") + (n.lo ? quote_value(n.lo_text) : "*") + " TO " +
                   (n.hi ? quote_value(n.hi_text) : "*") + (n.hi_inclusive ? "]" : "}");
            break;
        case kind::all_of:
        case kind::any_of:
            out += "(";
            for (std::size_t i = 0; i < n.children.size(); ++i) {
                if (i) out += n.k == kind::all_of ? " AND " : " OR ";
                print(*n.children[i], out);
            }
            out += ")";
            break;
        case kind::none_of:
            out += "NOT ";
            print(*n.children[0], out);
            break;
    }
}

bool in_range(const filter::node& n, std::int64_t v) noexcept {
    if (n.lo && (v < *n.lo || (v == *n.lo && !n.lo_inclusive))) return false;
    if (n.hi && (v > *n.hi || (v == *n.hi && !n.hi_inclusive))) return false;
    return true;
}

std::vector<std::uint64_t> evaluate_node(const filter::node& n, const ix::index_reader& reader) {
    const std::size_t passages = reader.passage_count();
    std::vector<std::uint64_t> bits(std::max<std::size_t>(1, bitset_words(passages)), 0);
    const auto segments = reader.segments();
    switch (n.k) {
        case kind::all:
            for (std::size_t d = 0; d < passages; ++d) set_bit(bits, d);
            break;
        case kind::keyword:
            for (std::size_t i = 0; i < segments.size(); ++i) {
                const auto& seg = *segments[i];
                const docid_t base = reader.bases()[i];
                for (const auto& v : n.values) {
                    const auto info = seg.find(ix::keyword_key(n.field, v));
                    if (!info) continue;
                    auto c = seg.cursor(*info);
                    for (; c.docid() != end_docid; c.next()) set_bit(bits, std::uint64_t{base} + c.docid());
                    if (c.corrupt())
                        throw corruption_error(seg.postings_path(), std::nullopt,
                                               "postings of keyword '" + n.field + ":" + v + "' fail to decode");
                }
            }
            break;
        case kind::range:
            for (std::size_t i = 0; i < segments.size(); ++i) {
                const auto& seg = *segments[i];
                const auto* col = seg.values().find(n.field);
                if (col == nullptr || col->field.type != n.type) continue;
                std::vector<bool> hit(seg.article_count(), false);
                for (std::uint32_t a = 0; a < seg.article_count(); ++a) {
                    const auto v = col->number(a);
                    hit[a] = v && in_range(n, *v);
                }
                const docid_t base = reader.bases()[i];
                const auto arts = seg.article_numbers();
                for (docid_t d = 0; d < seg.size(); ++d)
                    if (hit[arts[d]]) set_bit(bits, std::uint64_t{base} + d);
            }
            break;
        case kind::all_of:
        case kind::any_of: {
            bits = evaluate_node(*n.children[0], reader);
            for (std::size_t c = 1; c < n.children.size(); ++c) {
                const auto more = evaluate_node(*n.children[c], reader);
                for (std::size_t w = 0; w < bits.size(); ++w) bits[w] = n.k == kind::all_of ? bits[w] & more[w] : bits[w] | more[w];
            }
            break;
        }
        case kind::none_of: {
            const auto inner = evaluate_node(*n.children[0], reader);
            for (std::size_t w = 0; w < bits.size(); ++w) bits[w] = ~inner[w];
            if (passages % 64 != 0) bits[passages / 64] &= (std::uint64_t{1} << (passages % 64)) - 1;
            if (passages == 0) bits[0] = 0;
            break;
        }
    }
    return bits;
}

}  // namespace

filter::filter() : root_(std::make_shared<node>()) {}
filter::~filter() = default;
filter::filter(const filter&) = default;
filter& filter::operator=(const filter&) = default;
filter::filter(filter&&) noexcept = default;
filter& filter::operator=(filter&&) noexcept = default;

filter filter::parse(std::string_view text, const ix::schema& s) {
    filter f;
    f.root_ = filter_parser(text, s).parse();
    return f;
}

bool filter::empty() const noexcept { return root_ == nullptr || root_->k == kind::all; }

std::vector<std::uint64_t> filter::evaluate(const ix::index_reader& reader) const { return evaluate_node(*root_, reader); }

std::string filter::to_string() const {
    std::string out;
    print(*root_, out);
    return out;
}

split_query split_filter_clauses(std::string_view text, const ix::schema& s) {
    // The top-level chunks: runs up to whitespace outside quotes and brackets.
    std::vector<std::string_view> chunks;
    for (std::size_t i = 0; i < text.size();) {
        while (i < text.size() && is_space(text[i])) ++i;
        if (i == text.size()) break;
        const std::size_t start = i;
        int depth = 0;
        bool quote = false;
        for (; i < text.size(); ++i) {
            const char c = text[i];
            if (quote) {
                if (c == '\\' && i + 1 < text.size()) ++i;
                else if (c == '"') quote = false;
                continue;
            }
            if (c == '"') quote = true;
            else if (c == '(' || c == '[' || c == '{') ++depth;
            else if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
            else if (is_space(c) && depth == 0) break;
        }
        chunks.push_back(text.substr(start, i - start));
    }
    const auto on_value_field = [&](std::string_view chunk) {
        const std::size_t name = chunk.front() == '-' || chunk.front() == '+' ? 1 : 0;
        std::size_t colon = name;
        while (colon < chunk.size() && is_name_char(chunk[colon])) ++colon;
        const auto* def = colon > name && colon < chunk.size() && chunk[colon] == ':' ? s.find(chunk.substr(name, colon - name))
                                                                                       : nullptr;
        return def != nullptr && def->type != ix::field_type::text;
    };
    split_query out;
    std::vector<bool> taken(chunks.size(), false);
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        if (!on_value_field(chunks[i])) continue;
        // Joined by OR to the query, the clause cannot be a filter (filters are conjunctive): it
        // stays with the query (QUERY.md "Filters").
        const bool after_or = i > 0 && chunks[i - 1] == "OR" && !taken[i - 1];
        const bool before_or = i + 1 < chunks.size() && chunks[i + 1] == "OR";
        if (after_or || before_or) continue;
        std::string clause(chunks[i]);
        taken[i] = true;
        if (i > 0 && !taken[i - 1] && (chunks[i - 1] == "NOT" || chunks[i - 1] == "AND")) {
            if (chunks[i - 1] == "NOT") clause = (clause.front() == '-' ? clause.substr(1) : "-" + clause);
            taken[i - 1] = true;  // the operator belonged to the clause
        }
        if (!out.filter.empty()) out.filter.push_back(' ');
        out.filter += clause;
    }
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        if (taken[i]) continue;
        // An AND left hanging before a clause that was taken goes with it.
        if (chunks[i] == "AND" && i + 1 < chunks.size() && taken[i + 1]) continue;
        if (!out.text.empty()) out.text.push_back(' ');
        out.text.append(chunks[i]);
    }
    return out;
}

facet_request parse_facet(std::string_view written) {
    const std::string spec(written);
    facet_request f;
    const auto colon = spec.find(':');
    f.field = spec.substr(0, colon);
    if (f.field.empty()) throw invalid_argument("facet needs a field name, not '" + spec + "'");
    if (colon == std::string::npos) return f;
    const auto option = spec.substr(colon + 1);
    const auto list = [](const std::string& text) {
        std::vector<std::string> items;
        std::istringstream in(text);
        for (std::string item; std::getline(in, item, ',');) items.push_back(item);
        return items;
    };
    if (!option.empty() && std::all_of(option.begin(), option.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (option.size() > 6) throw invalid_argument("facet " + spec + ": at most 999999 values");
        f.top = std::stoul(option);
    } else if (option == "year" || option == "month" || option == "day") {
        f.interval = option;
        f.top = 0;
    } else if (option.starts_with("every=")) {
        f.interval = option.substr(6);
        f.top = 0;
    } else if (option.starts_with("values=")) {
        f.values = list(option.substr(7));
    } else if (option.find("..") != std::string::npos) {
        for (const auto& r : list(option)) {
            const auto dots = r.find("..");
            if (dots == std::string::npos) throw invalid_argument("facet " + spec + ": a range is LO..HI, not '" + r + "'");
            f.ranges.push_back({r.substr(0, dots), r.substr(dots + 2)});
        }
    } else {
        throw invalid_argument("facet " + spec +
                          ": the option after ':' is a count, year, month, day, every=WIDTH, values=A,B or LO..HI ranges");
    }
    return f;
}

sort_spec parse_sort(std::string_view spec) {
    const bool descending = spec.starts_with('-');
    const auto field = spec.substr(descending || spec.starts_with('+') ? 1 : 0);
    if (field.empty()) throw invalid_argument("sort needs a field name");
    return sort_spec{std::string(field), descending};
}

// ---------------------------------------------------------------- running a request

namespace {

constexpr std::size_t max_offset = 100'000;

// Where a passage's article lives: segment, local article number, global article number.
struct article_locator {
    explicit article_locator(const ix::index_reader& r) : reader(r) {
        std::uint64_t n = 0;
        for (const auto& one : r.segments()) {
            article_bases.push_back(n);
            n += one->article_count();
        }
        article_total = n;
    }
    // Moves to the segment holding global passage d (d never descends between calls, or resets).
    void seek(docid_t d) {
        const auto bases = reader.bases();
        if (segment >= bases.size() || d < bases[segment]) segment = 0;
        while (segment + 1 < bases.size() && d >= bases[segment + 1]) ++segment;
        local_passage = d - bases[segment];
        seg = reader.segments()[segment].get();
        local_article = seg->article_of(local_passage);
        global_article = article_bases[segment] + local_article;
    }
    const ix::index_reader& reader;
    std::vector<std::uint64_t> article_bases;
    std::uint64_t article_total = 0;
    std::size_t segment = 0;
    const ix::disk_segment* seg = nullptr;
    docid_t local_passage = 0;
    std::uint32_t local_article = 0;
    std::uint64_t global_article = 0;
};

// The sort value of an article: a number, a keyword (its smallest or largest value), or none.
struct sort_value {
    bool present = false;
    std::int64_t number = 0;
    std::string text;
};

int compare_values(const sort_value& a, const sort_value& b, bool numeric) noexcept {
    if (a.present != b.present) return a.present ? -1 : 1;  // missing values last either way
    if (!a.present) return 0;
    if (numeric) return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
    return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
}

struct entry {
    sort_value value;
    score_t score = 0;
    docid_t docid = 0;
};

struct order {
    const sort_spec* sort = nullptr;
    bool numeric = false;
    // True when `a` comes before `b`.
    bool operator()(const entry& a, const entry& b) const noexcept {
        if (sort != nullptr) {
            int c = compare_values(a.value, b.value, numeric);
            if (sort->descending && a.value.present && b.value.present) c = -c;
            if (c != 0) return c < 0;
        }
        if (a.score != b.score) return a.score > b.score;
        return a.docid < b.docid;
    }
};

std::string hex_score(score_t s) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%a", s);
    return buf;
}

// cursor: "<p|m>:<number or hex keyword>:<hex score>:<docid>" (p: a value present, m: missing).
std::string encode_cursor(const entry& e, bool numeric) {
    std::string v;
    if (e.value.present) {
        if (numeric) {
            v = std::to_string(e.value.number);
        } else {
            static const char* hex = "0123456789abcdef";
            for (const unsigned char c : e.value.text) {
                v.push_back(hex[c >> 4]);
                v.push_back(hex[c & 15]);
            }
        }
    }
    return std::string(e.value.present ? "p" : "m") + ":" + v + ":" + hex_score(e.score) + ":" + std::to_string(e.docid);
}

entry decode_cursor(const std::string& token, bool numeric) {
    const auto bad = [&] { return invalid_argument("search_after: '" + token + "' is not a cursor this search made"); };
    const auto c1 = token.find(':');
    const auto c2 = c1 == std::string::npos ? c1 : token.find(':', c1 + 1);
    const auto c3 = c2 == std::string::npos ? c2 : token.find(':', c2 + 1);
    if (c3 == std::string::npos || c1 != 1 || (token[0] != 'p' && token[0] != 'm')) throw bad();
    entry e;
    e.value.present = token[0] == 'p';
    const std::string v = token.substr(c1 + 1, c2 - c1 - 1);
    if (e.value.present && numeric) {
        const auto r = std::from_chars(v.data(), v.data() + v.size(), e.value.number);
        if (r.ec != std::errc() || r.ptr != v.data() + v.size()) throw bad();
    } else if (e.value.present) {
        if (v.size() % 2 != 0) throw bad();
        for (std::size_t i = 0; i < v.size(); i += 2) {
            unsigned x = 0;
            const auto r = std::from_chars(v.data() + i, v.data() + i + 2, x, 16);
            if (r.ec != std::errc() || r.ptr != v.data() + i + 2) throw bad();
            e.value.text.push_back(static_cast<char>(x));
        }
    } else if (!v.empty()) {
        throw bad();
    }
    const std::string s = token.substr(c2 + 1, c3 - c2 - 1);
    char* end = nullptr;
    e.score = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(e.score)) throw bad();
    const std::string d = token.substr(c3 + 1);
    const auto r = std::from_chars(d.data(), d.data() + d.size(), e.docid);
    if (d.empty() || r.ec != std::errc() || r.ptr != d.data() + d.size()) throw bad();
    return e;
}

// The facet counter of one request: counts by value or bucket label, plus missing.
class facet_counter {
public:
    facet_counter(const facet_request& r, const ix::schema& s) : request_(r) {
        const auto* def = s.find(r.field);
        if (def == nullptr) throw invalid_argument("facet: the index has no field '" + r.field + "'");
        if (def->type == ix::field_type::text || def->type == ix::field_type::stored)
            throw invalid_argument("facet: field '" + r.field + "' is a " + std::string(ix::field_type_name(def->type)) +
                                   " field (facets count keyword, integer, float and date fields)");
        type_ = def->type;
        if (type_ == ix::field_type::keyword) {
            if (!r.interval.empty() || !r.ranges.empty())
                throw invalid_argument("facet: '" + r.field + "' is a keyword field: no interval or ranges");
            return;
        }
        if (!r.values.empty()) throw invalid_argument("facet: '" + r.field + "' is numeric: give ranges, not values");
        if (!r.interval.empty()) {
            if (type_ == ix::field_type::date && (r.interval == "year" || r.interval == "month" || r.interval == "day")) {
                calendar_ = r.interval;
            } else {
                char* end = nullptr;
                width_ = std::strtod(r.interval.c_str(), &end);
                if (end != r.interval.c_str() + r.interval.size() || !(width_ > 0) || !std::isfinite(width_))
                    throw invalid_argument("facet: interval '" + r.interval + "' of '" + r.field +
                                           "' must be a positive number" +
                                           (type_ == ix::field_type::date ? " of milliseconds, or year, month or day" : ""));
            }
        }
        for (const auto& [lo, hi] : r.ranges) {
            bucket b;
            b.label = lo + ".." + hi;
            if (!lo.empty()) {
                b.lo = ix::parse_number(type_, lo);
                if (!b.lo) throw invalid_argument("facet: range bound '" + lo + "' of '" + r.field + "' does not parse");
            }
            if (!hi.empty()) {
                b.hi = ix::parse_number(type_, hi);
                if (!b.hi) throw invalid_argument("facet: range bound '" + hi + "' of '" + r.field + "' does not parse");
            }
            ranges_.push_back(std::move(b));
        }
    }

    void begin_segment(const ix::disk_segment& seg) {
        flush();
        column_ = seg.values().find(request_.field);
        if (column_ != nullptr && column_->field.type != type_) column_ = nullptr;
        if (column_ != nullptr && type_ == ix::field_type::keyword) ordinal_counts_.assign(column_->dictionary.size(), 0);
    }

    void count(std::uint32_t article) {
        if (column_ == nullptr || !column_->has(article)) {
            ++missing_;
            return;
        }
        if (type_ == ix::field_type::keyword) {
            for (const auto o : column_->ordinals_of(article)) ++ordinal_counts_[o];
            return;
        }
        const std::int64_t v = *column_->number(article);
        if (!ranges_.empty()) {
            bool counted = false;
            for (std::size_t i = 0; i < ranges_.size(); ++i) {
                const auto& b = ranges_[i];
                if ((!b.lo || v >= *b.lo) && (!b.hi || v < *b.hi)) {
                    ++ranges_[i].count;
                    counted = true;
                }
            }
            if (!counted) ++other_;
            return;
        }
        ++numbers_[bucket_of(v)];
    }

    facet_result finish() {
        flush();
        facet_result out;
        out.field = request_.field;
        out.missing = missing_;
        if (type_ == ix::field_type::keyword) {
            std::vector<std::pair<std::string, std::uint64_t>> all(keywords_.begin(), keywords_.end());
            std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
                return a.second != b.second ? a.second > b.second : a.first < b.first;
            });
            std::uint64_t listed = 0;
            for (std::size_t i = 0; i < all.size() && i < request_.top; ++i) {
                out.counts.push_back({all[i].first, all[i].second});
                listed += all[i].second;
            }
            for (const auto& v : request_.values) {
                if (std::any_of(out.counts.begin(), out.counts.end(), [&](const facet_count& c) { return c.value == v; }))
                    continue;
                const auto it = keywords_.find(v);
                const std::uint64_t n = it == keywords_.end() ? 0 : it->second;
                out.counts.push_back({v, n});
                listed += n;
            }
            std::uint64_t total = 0;
            for (const auto& [v, n] : all) total += n;
            out.other = total - listed;
            return out;
        }
        if (!ranges_.empty()) {
            for (const auto& b : ranges_) out.counts.push_back({b.label, b.count});
            out.other = other_;
            return out;
        }
        std::size_t listed = 0;
        for (const auto& [key, n] : numbers_) {
            if (request_.top != 0 && listed == request_.top) {
                out.other += n;
                continue;
            }
            out.counts.push_back({label_of(key), n});
            ++listed;
        }
        return out;
    }

private:
    struct bucket {
        std::string label;
        std::optional<std::int64_t> lo, hi;
        std::uint64_t count = 0;
    };

    // The bucket's start, in the field's number space.
    std::int64_t bucket_of(std::int64_t v) {
        if (!calendar_.empty()) {
            // The passages of an article come one after another with its value: reuse the last
            // answer rather than format and parse a date per match.
            if (calendar_valid_ && v == calendar_value_) return calendar_start_;
            const std::string d = ix::format_date(v);  // YYYY-MM-DD...
            const std::string cut = calendar_ == "year" ? d.substr(0, 4) : calendar_ == "month" ? d.substr(0, 7) : d.substr(0, 10);
            calendar_value_ = v;
            calendar_start_ = *ix::parse_date(cut);
            calendar_valid_ = true;
            return calendar_start_;
        }
        if (width_ > 0 && type_ != ix::field_type::floating && std::trunc(width_) == width_ && width_ < 9.2e18) {
            // Integers and dates with a whole width: exact floor division (a double would round
            // values beyond 2^53), the start clamped at the smallest int64.
            const auto w = static_cast<std::int64_t>(width_);
            std::int64_t q = v / w;
            if (v % w < 0) --q;
            std::int64_t start = 0;
            if (__builtin_mul_overflow(q, w, &start)) return std::numeric_limits<std::int64_t>::min();
            return start;
        }
        if (width_ > 0) {
            const double x = type_ == ix::field_type::floating ? ix::float_of_key(v) : static_cast<double>(v);
            const double start = std::floor(x / width_) * width_;
            if (type_ == ix::field_type::floating) return ix::float_key(start);
            // Clamped: the double of a value near ±2^63 may lie outside int64.
            if (start >= 9.2233720368547758e18) return std::numeric_limits<std::int64_t>::max();
            if (start <= -9.2233720368547758e18) return std::numeric_limits<std::int64_t>::min();
            return static_cast<std::int64_t>(start);
        }
        return v;
    }
    std::string label_of(std::int64_t key) const {
        if (!calendar_.empty()) {
            const std::string d = ix::format_date(key);
            return calendar_ == "year" ? d.substr(0, 4) : calendar_ == "month" ? d.substr(0, 7) : d.substr(0, 10);
        }
        return ix::format_number(type_, key);
    }
    void flush() {
        if (column_ != nullptr && type_ == ix::field_type::keyword)
            for (std::size_t o = 0; o < ordinal_counts_.size(); ++o)
                if (ordinal_counts_[o] != 0) keywords_[column_->dictionary[o]] += ordinal_counts_[o];
        ordinal_counts_.clear();
        column_ = nullptr;
    }

    const facet_request& request_;
    ix::field_type type_ = ix::field_type::keyword;
    std::string calendar_;
    double width_ = 0;
    std::vector<bucket> ranges_;
    const ix::value_column* column_ = nullptr;
    std::vector<std::uint64_t> ordinal_counts_;
    std::map<std::string, std::uint64_t> keywords_;
    std::map<std::int64_t, std::uint64_t> numbers_;
    std::uint64_t missing_ = 0;
    std::uint64_t other_ = 0;
    bool calendar_valid_ = false;  // the last calendar bucket computed, for `bucket_of`
    std::int64_t calendar_value_ = 0;
    std::int64_t calendar_start_ = 0;
};

// The column a sort reads in `seg`: nullptr when the segment has none of that field and type
// (its articles then have no value). Resolved once per segment, not per match.
const ix::value_column* sort_column(const ix::disk_segment& seg, const sort_spec& sort, ix::field_type type) noexcept {
    const auto* col = seg.values().find(sort.field);
    return col != nullptr && col->field.type == type ? col : nullptr;
}

sort_value value_for_sort(const ix::value_column* col, std::uint32_t article, const sort_spec& sort) {
    sort_value v;
    if (col == nullptr || !col->has(article)) return v;
    v.present = true;
    if (ix::is_numeric(col->field.type)) {
        v.number = *col->number(article);
    } else {
        const auto ords = col->ordinals_of(article);
        v.text = col->dictionary[sort.descending ? ords.back() : ords.front()];
    }
    return v;
}

}  // namespace

namespace {

// One index of a search over several (`multi_searcher`), or the one index of `run`.
struct shard {
    const searcher* s = nullptr;
    docid_t base = 0;                 // the global id of its first passage
    std::uint64_t article_base = 0;   // the global number of its first article (per segment, as `article_locator`)
    search_options options;           // the request's, with this index's filter bitset
    std::shared_ptr<const ix::filter_bitset> cached;
    std::vector<std::uint64_t> bits;
};

// The shards' options: the request's, each with its own filter bitset (the request's expression
// ANDed with the caller's bitset, which only a single index takes) and the algorithm a filter
// calls for.
void prepare_filters(std::vector<shard>& shards, const search_request& request, const ix::schema& schema) {
    const auto parsed = filter::parse(request.filter, schema);
    for (auto& sh : shards) {
        const auto& reader = sh.s->reader();
        sh.options = request.options;
        if (parsed.empty()) continue;
        // The snapshot keeps the bitsets of recent filters (a help centre's category filters recur).
        sh.cached = reader.filter_bits(parsed.to_string(), [&] {
            ix::filter_bitset f{parsed.evaluate(reader), 0};
            for (const auto w : f.bits) f.count += static_cast<std::uint64_t>(std::popcount(w));
            return f;
        });
        std::uint64_t allowed = sh.cached->count;
        if (!sh.options.filter.empty()) {
            sh.bits = sh.cached->bits;
            allowed = 0;
            for (std::size_t w = 0; w < sh.bits.size(); ++w) {
                sh.bits[w] &= w < sh.options.filter.size() ? sh.options.filter[w] : 0;
                allowed += static_cast<std::uint64_t>(std::popcount(sh.bits[w]));
            }
            sh.options.filter = sh.bits;
        } else {
            sh.options.filter = sh.cached->bits;
        }
        // Under a filter the top-k threshold rises more slowly (only allowed passages enter), and
        // block-max WAND's skipping pays less than its bookkeeping: on the Wikipedia passages with
        // filters of 1, 10 and 50 % (peers_bench --fields), exhaustive evaluation was fastest
        // below 5 % of the passages and MaxScore above, both ahead of block-max WAND.
        if (sh.options.algorithm == algorithm::automatic)
            sh.options.algorithm = allowed * 20 < reader.passage_count() ? algorithm::exhaustive : algorithm::maxscore;
    }
}

// `run` over one or several indexes whose passages are numbered one after another (`shard::base`),
// scored with the statistics in each shard's options.
search_response run_shards(std::vector<shard>& shards, const query::query& analysed, const search_request& request) {
    const auto& schema = shards.front().s->reader().options().schema;
    if (request.offset > max_offset)
        throw invalid_argument("offset " + std::to_string(request.offset) + " is above the limit of 100000 (page with search_after)");
    prepare_filters(shards, request, schema);
    std::uint64_t passage_total = 0;
    for (const auto& sh : shards) passage_total += sh.s->reader().passage_count();

    // The sort field.
    ix::field_type sort_type = ix::field_type::keyword;
    if (request.sort) {
        const auto* def = schema.find(request.sort->field);
        if (def == nullptr) throw invalid_argument("sort: the index has no field '" + request.sort->field + "'");
        if (def->type == ix::field_type::text || def->type == ix::field_type::stored)
            throw invalid_argument("sort: field '" + request.sort->field + "' is a " +
                                   std::string(ix::field_type_name(def->type)) +
                                   " field (sort by a keyword, integer, float or date field)");
        sort_type = def->type;
    }
    const order before{request.sort ? &*request.sort : nullptr, ix::is_numeric(sort_type)};
    std::optional<entry> after;
    if (!request.search_after.empty()) after = decode_cursor(request.search_after, before.numeric);

    std::vector<facet_counter> counters;
    for (const auto& f : request.facets) counters.emplace_back(f, schema);

    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(request.offset + request.options.k, passage_total));
    search_response out;
    std::vector<entry> page;

    // A query without terms under a filter matches every passage the filter allows, each scoring 0
    // (Lucene's constant-score MatchAllDocs under a FILTER); without a filter it matches nothing.
    const bool filtered = !shards.front().options.filter.empty();
    const bool match_all = analysed.empty() && filtered;
    const auto visit_matches = [&](const shard& sh, const searcher::match_visitor& visit) {
        if (!match_all) return sh.s->for_each_match(analysed, sh.options, visit);
        const std::function<score_t()> zero = [] { return score_t{0}; };
        const auto& reader = sh.s->reader();
        const auto segments = reader.segments();
        for (std::size_t i = 0; i < segments.size(); ++i) {
            const auto& seg = *segments[i];
            const docid_t base = reader.bases()[i];
            for (docid_t d = 0; d < seg.size(); ++d)
                if (!seg.is_deleted(d) && test_bit(sh.options.filter, std::uint64_t{base} + d)) visit(base + d, zero);
        }
    };
    const bool walk = match_all || !counters.empty() || request.sort || after || (request.count_total && request.articles);
    if (!walk) {
        for (const auto& sh : shards) {
            auto o = sh.options;
            o.k = want;
            const auto top = request.articles ? sh.s->top_k_articles(analysed, o) : sh.s->top_k(analysed, o);
            for (const auto& e : top) page.push_back({{}, e.score, sh.base + e.docid});
            if (request.count_total) out.total = out.total.value_or(0) + sh.s->count(analysed, sh.options);
        }
        // Each index's list is in order; together, ordered as one index's (ties by global id).
        if (shards.size() > 1) {
            std::stable_sort(page.begin(), page.end(), before);
            if (page.size() > want) page.resize(want);
        }
    } else {
        // Candidates kept as a heap whose top is the last in order, bounded to `want`.
        std::vector<entry> heap;
        const auto worse_on_top = [&](const entry& a, const entry& b) { return before(a, b); };
        const auto offer = [&](entry e) {
            if (after && !before(*after, e)) return;  // on an earlier page
            if (want == 0) return;
            if (heap.size() < want) {
                heap.push_back(std::move(e));
                std::push_heap(heap.begin(), heap.end(), worse_on_top);
            } else if (before(e, heap.front())) {
                std::pop_heap(heap.begin(), heap.end(), worse_on_top);
                heap.back() = std::move(e);
                std::push_heap(heap.begin(), heap.end(), worse_on_top);
            }
        };
        // Whether an entry with this value (and any score) could still enter.
        const auto could_enter = [&](const sort_value& v) {
            if (heap.size() < want) return true;
            const int c = compare_values(v, heap.front().value, before.numeric);
            return (request.sort->descending && v.present && heap.front().value.present ? -c : c) <= 0;
        };
        std::uint64_t matches = 0;
        std::uint64_t article_total = 0;
        std::vector<article_locator> locators;
        locators.reserve(shards.size());
        for (auto& sh : shards) {
            sh.article_base = article_total;
            locators.emplace_back(sh.s->reader());
            article_total += locators.back().article_total;
        }
        std::vector<std::uint64_t> seen;  // articles counted by the facets, with facet_articles
        if (request.facet_articles) seen.assign(bitset_words(article_total), 0);
        // Articles: each one's best passage (MaxP), kept while walking.
        std::unordered_map<std::uint64_t, entry> best;
        for (std::size_t n = 0; n < shards.size(); ++n) {
            const auto& sh = shards[n];
            auto& where = locators[n];
            std::size_t current_segment = static_cast<std::size_t>(-1);
            const ix::value_column* column = nullptr;  // the sort field's, in the current segment
            visit_matches(sh, [&](docid_t local, const std::function<score_t()>& score) {
                ++matches;
                where.seek(local);
                const docid_t d = sh.base + local;
                const std::uint64_t article = sh.article_base + where.global_article;
                if (where.segment != current_segment) {
                    current_segment = where.segment;
                    for (auto& c : counters) c.begin_segment(*where.seg);
                    if (request.sort) column = sort_column(*where.seg, *request.sort, sort_type);
                }
                if (!counters.empty()) {
                    if (!request.facet_articles || !test_bit(seen, article)) {
                        if (request.facet_articles) set_bit(seen, article);
                        for (auto& c : counters) c.count(where.local_article);
                    }
                }
                if (request.articles) {
                    const score_t sc = score();
                    auto [it, fresh] = best.try_emplace(article, entry{{}, sc, d});
                    if (!fresh && sc > it->second.score) it->second = entry{it->second.value, sc, d};
                    if (fresh && request.sort) it->second.value = value_for_sort(column, where.local_article, *request.sort);
                    return;
                }
                entry e;
                if (request.sort) {
                    e.value = value_for_sort(column, where.local_article, *request.sort);
                    if (!could_enter(e.value)) return;  // no score needed
                }
                e.score = score();
                e.docid = d;
                offer(std::move(e));
            });
        }
        if (request.articles) {
            for (auto& [a, e] : best) offer(e);
            out.total = best.size();
        } else {
            out.total = matches;
        }
        std::sort(heap.begin(), heap.end(), before);
        page = std::move(heap);
    }
    for (auto& c : counters) out.facets.push_back(c.finish());

    // The page: skip the offset, fetch the rest.
    for (std::size_t i = request.offset; i < page.size(); ++i) {
        // The index holding the entry: the last whose base is at most its id.
        std::size_t n = shards.size() - 1;
        while (n > 0 && shards[n].base > page[i].docid) --n;
        const auto& sh = shards[n];
        const docid_t local = page[i].docid - sh.base;
        request_hit h;
        h.index = n;
        if (request.fetch) {
            h.hit = sh.s->fetch(scored_doc{page[i].score, local});
        } else {
            h.hit.passage = local;
            h.hit.score = page[i].score;
        }
        const auto [seg, in_segment] = sh.s->reader().locate(local);
        const auto article = seg->article_of(in_segment);
        h.values = seg->values().values(schema, article);
        // A sort always walks the matches, so every entry of the page carries its sort value.
        h.cursor = encode_cursor(page[i], before.numeric);
        out.hits.push_back(std::move(h));
    }
    return out;
}

}  // namespace

search_response run(const searcher& s, const query::query& analysed, const search_request& request) {
    if (std::uint64_t{request.passage_base} + s.reader().passage_count() >= end_docid)
        throw invalid_argument("search_request::passage_base: the shards hold more than 4294967294 passages together");
    std::vector<shard> one(1);
    one.front().s = &s;
    one.front().base = request.passage_base;
    return run_shards(one, analysed, request);
}

// ---------------------------------------------------------------- several indexes as one

namespace {
// Whether two indexes analyse and lay out text alike, so that one query means the same in both.
std::string analysis_difference(const ix::index_options& a, const ix::index_options& b) {
    if (a.schema != b.schema) return "their schemas differ";
    if (a.custom_analyzer_name != b.custom_analyzer_name) return "their custom analyzers differ";
    const auto& x = a.analyzer;
    const auto& y = b.analyzer;
    if (x.language != y.language || x.stopwords != y.stopwords || x.case_fold != y.case_fold ||
        analysis::folds_accents(x) != analysis::folds_accents(y) ||
        analysis::removes_elisions(x) != analysis::removes_elisions(y) || x.cjk_bigrams != y.cjk_bigrams)
        return "their analysis options differ";
    return {};
}
}  // namespace

multi_searcher::multi_searcher(std::vector<std::shared_ptr<const searcher>> indexes) : indexes_(std::move(indexes)) {
    if (indexes_.empty()) throw invalid_argument("multi_searcher: no index given");
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < indexes_.size(); ++i) {
        if (indexes_[i] == nullptr) throw invalid_argument("multi_searcher: index " + std::to_string(i) + " is null");
        const auto why = analysis_difference(indexes_.front()->reader().options(), indexes_[i]->reader().options());
        if (!why.empty())
            throw invalid_argument("multi_searcher: index " + std::to_string(i) + " cannot be searched with index 0: " + why);
        bases_.push_back(static_cast<docid_t>(total));
        total += indexes_[i]->reader().passage_count();
        if (total >= end_docid)
            throw invalid_argument("multi_searcher: the indexes hold more than 4294967294 passages together");
    }
}

collection_statistics multi_searcher::statistics(const query::query& analysed, const search_options& options) const {
    auto merged = indexes_.front()->statistics(analysed, options);
    for (std::size_t i = 1; i < indexes_.size(); ++i) merged.merge(indexes_[i]->statistics(analysed, options));
    if (merged.expansions.empty() || indexes_.size() == 1) return merged;
    // The second round: every index's dfs of every term the merged expansions hold.
    auto complete = indexes_.front()->statistics(analysed, options, &merged);
    for (std::size_t i = 1; i < indexes_.size(); ++i) complete.merge(indexes_[i]->statistics(analysed, options, &merged));
    return complete;
}

search_response multi_searcher::run(const query::query& analysed, const search_request& request) const {
    if (!request.options.filter.empty())
        throw invalid_argument("multi_searcher: a passage bitset (search_options::filter) names one index's passages; "
                               "give a filter expression (search_request::filter) instead");
    std::optional<collection_statistics> own;
    auto r = request;
    if (r.options.statistics == nullptr) {
        own = statistics(analysed, request.options);
        r.options.statistics = &*own;
    }
    r.passage_base = 0;
    std::vector<shard> shards(indexes_.size());
    for (std::size_t i = 0; i < indexes_.size(); ++i) {
        shards[i].s = indexes_[i].get();
        shards[i].base = bases_[i];
    }
    return run_shards(shards, analysed, r);
}

}  // namespace rapport::search
