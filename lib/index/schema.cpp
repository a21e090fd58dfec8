// SPDX-License-Identifier: MIT
#include "rapport/index/schema.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/text.hpp"
#include "rapport/analysis/token_filter.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/utf8.hpp"

namespace rapport::index {

namespace {

constexpr std::size_t max_fields = 250;
constexpr std::size_t max_keyword_bytes = 1000;
constexpr std::size_t max_stored_bytes = std::size_t{1} << 20;

bool valid_name(std::string_view n) noexcept {
    if (n.empty() || n.size() > 64) return false;
    const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!letter(n.front())) return false;
    return std::all_of(n.begin(), n.end(), [&](char c) { return letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-'; });
}

std::optional<field_type> type_named(std::string_view n) noexcept {
    for (auto t : {field_type::text, field_type::keyword, field_type::integer, field_type::floating, field_type::date,
                   field_type::stored})
        if (field_type_name(t) == n) return t;
    return std::nullopt;
}

// A JSON value as text for error messages, cut to 80 bytes.
std::string shown(std::string_view json) {
    if (json.size() <= 80) return std::string(json);
    return std::string(json.substr(0, 77)) + "...";
}

// Days from 1970-01-01 of a proleptic Gregorian date (the era arithmetic of "chrono-compatible
// low-level date algorithms", H. Hinnant).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil {
    std::int64_t y;
    unsigned m, d;
};
civil civil_from_days(std::int64_t z) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

bool leap(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
    static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

// Reads exactly `n` digits at `text[at]`.
std::optional<unsigned> digits(std::string_view text, std::size_t at, std::size_t n) noexcept {
    if (at + n > text.size()) return std::nullopt;
    unsigned v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        v = v * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return v;
}

std::optional<std::int64_t> parse_integer(std::string_view t) noexcept {
    std::int64_t v = 0;
    const auto* end = t.data() + t.size();
    const auto [p, ec] = std::from_chars(t.data(), end, v);
    if (ec != std::errc() || p != end || t.empty()) return std::nullopt;
    return v;
}

std::optional<double> parse_double(std::string_view t) noexcept {
    double v = 0;
    const auto* end = t.data() + t.size();
    const auto [p, ec] = std::from_chars(t.data(), end, v);
    if (ec != std::errc() || p != end || t.empty() || !std::isfinite(v)) return std::nullopt;
    return v;
}

[[noreturn]] void bad_value(const field_def& f, std::string_view json, std::string_view expected) {
    throw invalid_argument("field '" + f.name + "' (" + std::string(field_type_name(f.type)) + "): expected " +
                           std::string(expected) + ", got " + shown(json));
}

void add_keyword(const field_def& f, std::string_view json, const boost::json::value& v, std::vector<std::string>& out) {
    std::string s;
    if (v.is_string())
        s = std::string(v.as_string());
    else if (v.is_int64())
        s = std::to_string(v.as_int64());
    else if (v.is_uint64())
        s = std::to_string(v.as_uint64());
    else
        bad_value(f, json, "a string, an integer or an array of them");
    if (s.empty()) bad_value(f, json, "a non-empty value");
    if (s.size() > max_keyword_bytes) bad_value(f, json, "a value of at most 1000 bytes");
    if (find_invalid_utf8(s)) bad_value(f, json, "valid UTF-8");
    out.push_back(std::move(s));
}

std::optional<bool> flag(const std::string& field, const boost::json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_bool()) throw invalid_argument("schema: field '" + field + "': analyzer \"" + key + "\" must be true or false");
    return v->as_bool();
}

text_analysis parse_analysis(const std::string& field, const boost::json::value& v) {
    const auto* o = v.if_object();
    if (o == nullptr) throw invalid_argument("schema: field '" + field + "': \"analyzer\" must be an object");
    text_analysis a;
    for (const auto& [key, value] : *o)
        if (key != "language" && key != "stopwords" && key != "case_fold" && key != "fold_accents" && key != "custom")
            throw invalid_argument("schema: field '" + field + "': unknown analyzer key '" + std::string(key) +
                                   "' (language, stopwords, case_fold, fold_accents or custom)");
    if (const auto* l = o->if_contains("language")) {
        if (!l->is_string()) throw invalid_argument("schema: field '" + field + "': analyzer \"language\" must be a string");
        a.language = std::string(l->as_string());
    }
    if (const auto* w = o->if_contains("stopwords")) {
        if (w->is_bool() && !w->as_bool()) {
            a.stopwords.emplace();
        } else if (const auto* list = w->if_array()) {
            a.stopwords.emplace();
            for (const auto& e : *list) {
                if (!e.is_string())
                    throw invalid_argument("schema: field '" + field + "': analyzer stopwords must be strings");
                a.stopwords->emplace_back(e.as_string());
            }
        } else {
            throw invalid_argument("schema: field '" + field +
                                   "': analyzer \"stopwords\" must be a list of words or false (none)");
        }
    }
    a.case_fold = flag(field, *o, "case_fold");
    a.fold_accents = flag(field, *o, "fold_accents");
    if (const auto* c = o->if_contains("custom")) {
        if (!c->is_string() || c->as_string().empty())
            throw invalid_argument("schema: field '" + field + "': analyzer \"custom\" must be a registered analyzer's name");
        a.custom = std::string(c->as_string());
    }
    return a;
}

boost::json::object analysis_json(const text_analysis& a) {
    boost::json::object o;
    if (a.language) o["language"] = *a.language;
    if (a.stopwords) {
        boost::json::array words;
        for (const auto& w : *a.stopwords) words.emplace_back(w);
        o["stopwords"] = std::move(words);
    }
    if (a.case_fold) o["case_fold"] = *a.case_fold;
    if (a.fold_accents) o["fold_accents"] = *a.fold_accents;
    if (!a.custom.empty()) o["custom"] = a.custom;
    return o;
}

}  // namespace

std::string_view field_type_name(field_type t) noexcept {
    switch (t) {
        case field_type::text: return "text";
        case field_type::keyword: return "keyword";
        case field_type::integer: return "integer";
        case field_type::floating: return "float";
        case field_type::date: return "date";
        case field_type::stored: return "stored";
    }
    return "unknown";
}

schema default_schema() { return validate_schema({}); }

schema validate_schema(schema s) {
    for (std::size_t i = 0; i < s.fields.size(); ++i) {
        const auto& f = s.fields[i];
        if (!valid_name(f.name))
            throw invalid_argument("schema: field name '" + shown(f.name) +
                                   "' must be 1-64 letters, digits, '_' or '-', starting with a letter");
        for (std::size_t j = 0; j < i; ++j)
            if (s.fields[j].name == f.name) throw invalid_argument("schema: field '" + f.name + "' is declared twice");
        if (!f.analysis.empty() && !schema::is_extra_text(f))
            throw invalid_argument("schema: field '" + f.name +
                                   "': only text fields besides title and body take analysis options (title and "
                                   "body are analysed with the index's)");
        if (!f.analysis.custom.empty()) {
            const auto& a = f.analysis;
            if (a.language || a.stopwords || a.case_fold || a.fold_accents)
                throw invalid_argument("schema: field '" + f.name + "': a custom analyzer takes no other analysis option");
            if (a.custom.size() > 255) throw invalid_argument("schema: field '" + f.name + "': custom analyzer name over 255 bytes");
        }
        if (f.analysis.language && !f.analysis.language->empty()) {
            const std::string l = rapport::detail::ascii_lower(*f.analysis.language);
            bool known = l == "none";
            if (!known) try {
                    (void)analysis::make_stemmer_filter(l);
                    known = true;
                } catch (const invalid_argument&) {
                }
            if (!known)
                throw invalid_argument("schema: field '" + f.name + "': libstemmer has no language '" +
                                       *f.analysis.language + "'");
        }
        if (f.name == "id" || f.name == "text" || f.name == "lang" ||
            ((f.name == "title" || f.name == "body") && f.type != field_type::text))
            throw invalid_argument("schema: field '" + f.name + "' is reserved (the article's id, title, text and language)");
    }
    for (const char* name : {"body", "title"})
        if (!s.find(name)) s.fields.insert(s.fields.begin(), field_def{name, field_type::text, {}});
    if (s.text_field_count() > max_text_fields)
        throw invalid_argument("schema: more than " + std::to_string(max_text_fields) +
                               " text fields (title and body included)");
    // Counted with the two text fields, so that a completed schema validates again as it is.
    if (s.fields.size() > max_fields) throw invalid_argument("schema: more than 250 fields (title and body included)");
    if (s.sort) {
        const auto* f = s.find(s.sort->field);
        if (f == nullptr) throw invalid_argument("schema: sort: no field '" + shown(s.sort->field) + "' is declared");
        if (f->type != field_type::keyword && !is_numeric(f->type))
            throw invalid_argument("schema: sort: field '" + f->name + "' is " + std::string(field_type_name(f->type)) +
                                   " (sort by a keyword, integer, float or date field)");
    }
    return s;
}

schema parse_schema(std::string_view json) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(json, ec);
    if (ec) throw invalid_argument("schema: not valid JSON (" + ec.message() + ")");
    const auto* root = v.if_object();
    const auto* fields = root != nullptr ? root->if_contains("fields") : nullptr;
    if (fields == nullptr || !fields->is_array()) throw invalid_argument("schema: expected {\"fields\": [...]}");
    for (const auto& [key, value] : *root)
        if (key != "fields" && key != "sort") throw invalid_argument("schema: unknown key '" + std::string(key) + "'");
    schema s;
    if (const auto* sort = root->if_contains("sort")) {
        const auto* name = sort->if_string();
        if (name == nullptr || name->empty() || *name == "-" || *name == "+")
            throw invalid_argument("schema: sort: expected \"field\" or \"-field\" (descending), got " +
                                   shown(boost::json::serialize(*sort)));
        const bool descending = name->front() == '-';
        const bool signed_ = descending || name->front() == '+';  // "+field": ascending, as --sort reads it
        s.sort = index_sort{std::string(name->subview(signed_ ? 1 : 0)), descending};
    }
    for (const auto& f : fields->as_array()) {
        const auto* o = f.if_object();
        const auto* name = o != nullptr ? o->if_contains("name") : nullptr;
        const auto* type = o != nullptr ? o->if_contains("type") : nullptr;
        if (name == nullptr || !name->is_string() || type == nullptr || !type->is_string())
            throw invalid_argument("schema: each field needs a string \"name\" and \"type\", got " +
                                   shown(boost::json::serialize(f)));
        const std::string field_name(name->as_string());
        for (const auto& [key, value] : *o)
            if (key != "name" && key != "type" && key != "analyzer")
                throw invalid_argument("schema: field '" + field_name + "': unknown key '" + std::string(key) + "'");
        const auto t = type_named(type->as_string());
        if (!t)
            throw invalid_argument("schema: field '" + field_name + "': unknown type '" + std::string(type->as_string()) +
                                   "' (text, keyword, integer, float, date or stored)");
        field_def def{field_name, *t, {}};
        if (const auto* a = o->if_contains("analyzer")) def.analysis = parse_analysis(field_name, *a);
        s.fields.push_back(std::move(def));
    }
    return validate_schema(std::move(s));
}

std::string to_json(const schema& s) {
    boost::json::array fields;
    for (const auto& f : s.fields) {
        boost::json::object o{{"name", f.name}, {"type", field_type_name(f.type)}};
        if (!f.analysis.empty()) o["analyzer"] = analysis_json(f.analysis);
        fields.push_back(std::move(o));
    }
    boost::json::object out{{"fields", std::move(fields)}};
    if (s.sort) out["sort"] = (s.sort->descending ? "-" : "") + s.sort->field;
    return boost::json::serialize(out);
}

std::optional<std::string> schema_change_problem(const schema& before, const schema& after) {
    for (std::size_t i = 0; i < before.fields.size(); ++i) {
        const auto& b = before.fields[i];
        const auto* a = after.find(b.name);
        if (a == nullptr) return "field '" + b.name + "' would be removed";
        if (a->type != b.type)
            return "field '" + b.name + "' is " + std::string(field_type_name(b.type)) + ", not " +
                   std::string(field_type_name(a->type));
        if (a->analysis != b.analysis)
            return "field '" + b.name + "' would change its analyzer (from " +
                   boost::json::serialize(analysis_json(b.analysis)) + " to " +
                   boost::json::serialize(analysis_json(a->analysis)) + ")";
        if (i >= after.fields.size() || after.fields[i].name != b.name)
            return "field '" + b.name + "' would move (new fields go after the existing ones)";
    }
    if (before.sort != after.sort) {
        // Appended piece by piece: GCC 12's -Wrestrict misreads `"\"" + std::string(...)` at -O3.
        const auto name = [](const std::optional<index_sort>& o) {
            std::string out;
            if (!o) return out.append("none");
            out.push_back('"');
            if (o->descending) out.push_back('-');
            out.append(o->field);
            out.push_back('"');
            return out;
        };
        return "the index sort would change (from " + name(before.sort) + " to " + name(after.sort) +
               "; it is fixed when the index is created)";
    }
    return std::nullopt;
}

field_values convert_fields(const schema& s, const std::vector<raw_field>& fields, bool ignore_unknown) {
    field_values out;
    if (fields.empty()) return out;
    out.resize(s.fields.size());
    std::vector<bool> seen(s.fields.size(), false);
    for (const auto& raw : fields) {
        const auto at = s.index_of(raw.name);
        if (!at) {
            if (ignore_unknown) continue;
            throw invalid_argument("field '" + shown(raw.name) +
                                   "' is not in the index's schema (declare it, or give --ignore-unknown-fields)");
        }
        const auto& f = s.fields[*at];
        if (f.type == field_type::text && !schema::is_extra_text(f))
            throw invalid_argument("field '" + f.name + "' is the article's own, not a value");
        if (seen[*at]) throw invalid_argument("field '" + f.name + "' is given twice");
        seen[*at] = true;
        boost::system::error_code ec;
        const auto v = boost::json::parse(raw.json, ec);
        if (ec) bad_value(f, raw.json, "a JSON value");
        if (v.is_null()) continue;
        auto& dest = out[*at];
        switch (f.type) {
            case field_type::keyword:
                if (const auto* a = v.if_array()) {
                    for (const auto& e : *a) add_keyword(f, raw.json, e, dest.keywords);
                } else {
                    add_keyword(f, raw.json, v, dest.keywords);
                }
                std::sort(dest.keywords.begin(), dest.keywords.end());
                dest.keywords.erase(std::unique(dest.keywords.begin(), dest.keywords.end()), dest.keywords.end());
                break;
            case field_type::integer:
                if (v.is_int64())
                    dest.number = v.as_int64();
                else if (v.is_double() && std::trunc(v.as_double()) == v.as_double() &&
                         std::fabs(v.as_double()) < 9.0e15)
                    dest.number = static_cast<std::int64_t>(v.as_double());
                else
                    bad_value(f, raw.json, "an integer within ±2^63");
                break;
            case field_type::floating:
                if (!v.is_number()) bad_value(f, raw.json, "a number");
                dest.number = float_key(v.to_number<double>());
                break;
            case field_type::date: {
                const auto ms = v.is_string() ? parse_date(v.as_string()) : std::nullopt;
                if (!ms) bad_value(f, raw.json, "an ISO 8601 date such as \"2024-05-31\" or \"2024-05-31T12:00:00Z\"");
                dest.number = *ms;
                break;
            }
            case field_type::stored:
                dest.stored = boost::json::serialize(v);
                if (dest.stored.size() > max_stored_bytes) bad_value(f, "(too long)", "a value of at most 1 MiB");
                break;
            case field_type::text:
                if (!v.is_string()) bad_value(f, raw.json, "a string");
                if (v.as_string().size() > max_stored_bytes) bad_value(f, "(too long)", "a text of at most 1 MiB");
                dest.stored = boost::json::serialize(v);
                break;
        }
    }
    return out;
}

std::int64_t float_key(double v) noexcept {
    if (v == 0) v = 0;  // -0 and +0 are one value
    const auto bits = std::bit_cast<std::int64_t>(v);
    // Negative doubles order backwards as integers: flip their magnitude bits.
    return bits < 0 ? bits ^ std::numeric_limits<std::int64_t>::max() : bits;
}

double float_of_key(std::int64_t key) noexcept {
    return std::bit_cast<double>(key < 0 ? key ^ std::numeric_limits<std::int64_t>::max() : key);
}

std::optional<std::int64_t> parse_date(std::string_view t) noexcept {
    const auto y = digits(t, 0, 4);
    if (!y) return std::nullopt;
    unsigned m = 1, d = 1;
    std::size_t at = 4;
    if (at < t.size()) {
        if (t[at] != '-') return std::nullopt;
        const auto mm = digits(t, at + 1, 2);
        if (!mm || *mm < 1 || *mm > 12) return std::nullopt;
        m = *mm;
        at += 3;
    }
    if (at < t.size()) {
        if (t[at] != '-') return std::nullopt;
        const auto dd = digits(t, at + 1, 2);
        if (!dd || *dd < 1 || *dd > days_in_month(*y, m)) return std::nullopt;
        d = *dd;
        at += 3;
    }
    std::int64_t ms = days_from_civil(*y, m, d) * 86'400'000;
    if (at == t.size()) return ms;
    if (at != 10 || (t[at] != 'T' && t[at] != 't' && t[at] != ' ')) return std::nullopt;
    const auto hh = digits(t, at + 1, 2);
    const auto mi = digits(t, at + 4, 2);
    if (!hh || !mi || t[at + 3] != ':' || *hh > 23 || *mi > 59) return std::nullopt;
    ms += (*hh * 3600 + *mi * 60) * std::int64_t{1000};
    at += 6;
    if (at < t.size() && t[at] == ':') {
        const auto ss = digits(t, at + 1, 2);
        if (!ss || *ss > 60) return std::nullopt;
        ms += *ss * std::int64_t{1000};
        at += 3;
        if (at < t.size() && (t[at] == '.' || t[at] == ',')) {
            std::size_t n = 0;
            std::int64_t frac = 0;
            for (++at; at < t.size() && t[at] >= '0' && t[at] <= '9'; ++at, ++n)
                if (n < 3) frac = frac * 10 + (t[at] - '0');
            if (n == 0) return std::nullopt;
            for (; n < 3; ++n) frac *= 10;
            ms += frac;
        }
    }
    if (at == t.size()) return ms;
    if ((t[at] == 'Z' || t[at] == 'z') && at + 1 == t.size()) return ms;
    if ((t[at] == '+' || t[at] == '-') && at + 6 == t.size() && t[at + 3] == ':') {
        const auto oh = digits(t, at + 1, 2);
        const auto om = digits(t, at + 4, 2);
        if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
        const std::int64_t offset = (*oh * 60 + *om) * std::int64_t{60'000};
        return t[at] == '+' ? ms - offset : ms + offset;
    }
    return std::nullopt;
}

std::string format_date(std::int64_t ms) {
    std::int64_t days = ms / 86'400'000;
    std::int64_t rest = ms % 86'400'000;
    if (rest < 0) {
        rest += 86'400'000;
        --days;
    }
    const auto c = civil_from_days(days);
    char buf[64];
    if (rest == 0) {
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(c.y), c.m, c.d);
        return buf;
    }
    const auto s = rest / 1000;
    const auto frac = rest % 1000;
    if (frac == 0)
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(c.y), c.m, c.d,
                      static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
    else
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(c.y), c.m,
                      c.d, static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60),
                      static_cast<long long>(s % 60), static_cast<long long>(frac));
    return buf;
}

std::string format_number(field_type t, std::int64_t value) {
    if (t == field_type::date) return format_date(value);
    if (t == field_type::floating) {
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, float_of_key(value));
        return std::string(buf, r.ptr);
    }
    return std::to_string(value);
}

std::optional<std::int64_t> parse_number(field_type t, std::string_view text) noexcept {
    switch (t) {
        case field_type::integer: return parse_integer(text);
        case field_type::floating: {
            const auto v = parse_double(text);
            return v ? std::optional<std::int64_t>(float_key(*v)) : std::nullopt;
        }
        case field_type::date: return parse_date(text);
        default: return std::nullopt;
    }
}

}  // namespace rapport::index
