// SPDX-License-Identifier: MIT
// search_request against brute force on a random index with value fields (a multi-valued keyword,
// an integer, a date and a float field with missing values, an integer field appended after the
// first segment was written, a stored field), several segments with updates and deletions: for
// random queries and random filters (keyword values, OR lists, ranges with brackets, braces and
// `*`, comparisons, equality, NOT, AND/OR groups), `run` returns exactly the brute-force answer
// computed from the exhaustive ranking and the known values: filtered top-k (same passages,
// bit-identical scores) under every algorithm, facet counts (keyword, numeric intervals, calendar
// intervals, ranges; over passages and articles), sorting by every field both ways, articles
// collapsed by MaxP, totals, and paging by `search_after` cursors and by `offset` over one snapshot.
// Also: filter::to_string parses back to the same filter, filter::evaluate equals the brute-force
// filter, for_each_match visits every allowed match with its top_k score, split_filter_clauses
// moves only value-field clauses, and malformed filters, facets, sorts, offsets and cursors throw.
#include <doctest/doctest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rapport/core/bitset.hpp"
#include "rapport/core/error.hpp"
#include "rapport/index/disk_segment.hpp"
#include "rapport/index/index_builder.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/search/request.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/memory_directory.hpp"
#include "support/backends.hpp"
#include "support/random_texts.hpp"
#include "support/seed.hpp"

using namespace rapport;
using namespace rapport::search;
namespace ix = rapport::index;

namespace {

constexpr std::int64_t day_ms = 86'400'000;
const char* const topic_values[] = {"billing", "refund", "login", "shipping", "gift card", "e-mail", "42", "\xc3\xa9t\xc3\xa9"};
// Keyword values no article has: matching is exact (no prefix, no case folding).
const char* const absent_values[] = {"nothing", "gift", "GIFT CARD", "billin", "Refund"};
constexpr std::size_t vocabulary = 16;

std::string word(std::size_t i) { return test::letter_word(i); }

// The known values of one article.
struct truth {
    std::vector<std::string> topics;  // sorted, unique
    std::optional<std::int64_t> views;
    std::optional<std::int64_t> updated;  // ms
    std::optional<double> price;
    std::optional<std::int64_t> rank;  // the appended field
    std::string meta;                  // stored JSON, minified; empty: none
};

std::string shortest(double v) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

ix::schema first_schema() {
    return ix::validate_schema({{{"topic", ix::field_type::keyword},
                                 {"views", ix::field_type::integer},
                                 {"updated", ix::field_type::date},
                                 {"price", ix::field_type::floating},
                                 {"meta", ix::field_type::stored}}});
}
ix::schema full_schema() {
    auto s = first_schema();
    s.fields.push_back({"rank", ix::field_type::integer});
    return s;
}

// A random article's values and the JSON fields that carry them.
std::pair<truth, std::vector<ix::raw_field>> random_values(std::mt19937_64& rng, bool with_rank, int serial) {
    truth t;
    std::vector<ix::raw_field> f;
    if (rng() % 7 != 0) {
        std::set<std::string> picked;
        const auto n = 1 + rng() % 3;
        std::string json = n == 1 && rng() % 2 ? "" : "[";
        for (std::size_t i = 0; i < n; ++i) {
            const std::string v = topic_values[std::min(rng() % 8, rng() % 8)];
            picked.insert(v);
            if (i) json += ", ";
            json += v == "42" && rng() % 2 ? "42" : "\"" + v + "\"";
        }
        if (json.front() == '[') json += "]";
        f.push_back({"topic", json});
        t.topics.assign(picked.begin(), picked.end());
    } else if (rng() % 2) {
        f.push_back({"topic", "null"});
    }
    if (rng() % 4 != 0) {
        t.views = static_cast<std::int64_t>(rng() % 60) * 17 - 50;  // ties
        f.push_back({"views", std::to_string(*t.views)});
    }
    if (rng() % 5 != 0) {
        const std::int64_t day = *ix::parse_date("2019-01-01") + static_cast<std::int64_t>(rng() % 2192) * day_ms;
        std::string text;
        switch (rng() % 3) {
            case 0: text = ix::format_date(day); break;
            case 1: text = ix::format_date(day + static_cast<std::int64_t>(rng() % 86400) * 1000); break;
            default: text = ix::format_date(day).substr(0, 10) + "T0" + std::to_string(rng() % 10) + ":30:00+02:00";
        }
        t.updated = ix::parse_date(text);
        REQUIRE(t.updated.has_value());
        f.push_back({"updated", "\"" + text + "\""});
    }
    if (rng() % 10 < 7) {
        t.price = static_cast<double>(static_cast<int>(rng() % 400) - 100) / 4.0;
        f.push_back({"price", *t.price == 0 && rng() % 2 ? std::string("-0.0") : shortest(*t.price)});
    }
    if (with_rank && rng() % 10 < 6) {
        t.rank = static_cast<std::int64_t>(rng() % 10);
        f.push_back({"rank", std::to_string(*t.rank)});
    }
    if (rng() % 2) {
        t.meta = R"({"n":)" + std::to_string(serial) + "}";
        f.push_back({"meta", R"({ "n" : )" + std::to_string(serial) + " }"});
    }
    std::shuffle(f.begin(), f.end(), rng);
    return {t, f};
}

std::string random_text(std::mt19937_64& rng, std::size_t words) {
    std::string t;
    for (std::size_t i = 0; i < words; ++i) t += word(std::min(rng() % vocabulary, rng() % vocabulary)) + " ";
    return t;
}

// The random index and everything known about it.
struct fixture {
    std::shared_ptr<storage::directory> dir;
    std::map<std::string, truth> known;  // live articles by id
    std::optional<ix::index_reader> reader;
    ix::schema schema = full_schema();
    // By global passage id (live passages only): the article's values and its global article number.
    std::vector<const truth*> of_passage;
    std::vector<std::uint64_t> article_of;

    explicit fixture(std::mt19937_64& rng,
                     std::shared_ptr<storage::directory> where = std::make_shared<storage::memory_directory>("requests"),
                     std::optional<ix::index_sort> sort = std::nullopt, bool merge = false)
        : dir(std::move(where)) {
        schema.sort = sort;
        int serial = 0;
        const auto add = [&](ix::index_writer& w, bool with_rank, bool update) {
            auto [t, fields] = random_values(rng, with_rank, serial);
            std::string body;
            for (auto p = 1 + rng() % 4; p > 0; --p) body += random_text(rng, 1 + rng() % 10) + "\n\n";
            const std::string id = update && !known.empty() ? std::next(known.begin(), static_cast<long>(rng() % known.size()))->first
                                                            : "a" + std::to_string(serial);
            ingest::article a{{id}, random_text(rng, rng() % 3), body, {}, fields};
            if (update)
                w.update(std::move(a));
            else
                w.add(std::move(a));
            known[id] = t;
            ++serial;
        };
        const auto options = [&](const ix::schema& s) {
            ix::index_writer_options o;
            o.index.schema = s;
            o.index.schema.sort = sort;
            o.index.analyzer.language = "none";
            o.index.analyzer.stopwords = std::vector<std::string>{};
            o.index.passages.min_bytes = 1;
            o.merges.merge_factor = 0;
            return o;
        };
        {
            ix::index_writer w(dir, options(first_schema()));
            for (int i = 0; i < 130; ++i) add(w, false, false);
            w.commit();
        }
        ix::index_writer w(dir, options(full_schema()));
        for (int round = 0; round < 3; ++round) {
            for (int i = 0; i < 110; ++i) add(w, true, i % 9 == 8);
            for (int d = 0; d < 8; ++d) {
                const auto it = std::next(known.begin(), static_cast<long>(rng() % known.size()));
                w.remove({it->first});
                known.erase(it);
            }
            w.commit();
        }
        if (merge) {
            w.merge_all();
            w.commit();
        }
        reader = ix::index_reader::open(dir);
        of_passage.assign(reader->passage_count(), nullptr);
        article_of.assign(reader->passage_count(), 0);
        std::uint64_t article_base = 0;
        for (std::size_t i = 0; i < reader->segments().size(); ++i) {
            const auto& seg = *reader->segments()[i];
            for (docid_t d = 0; d < seg.size(); ++d) {
                if (seg.is_deleted(d)) continue;
                const docid_t g = reader->bases()[i] + d;
                const auto a = seg.article_of(d);
                of_passage[g] = &known.at(std::string(seg.article_id(a)));
                article_of[g] = article_base + a;
            }
            article_base += seg.article_count();
        }
    }

    // The values `run` should return with a hit: schema order, nothing at all when none.
    ix::field_values values_of(const truth& t) const {
        ix::field_values v(schema.fields.size());
        v[*schema.index_of("topic")].keywords = t.topics;
        v[*schema.index_of("views")].number = t.views;
        v[*schema.index_of("updated")].number = t.updated;
        if (t.price) v[*schema.index_of("price")].number = ix::float_key(*t.price);
        v[*schema.index_of("rank")].number = t.rank;
        v[*schema.index_of("meta")].stored = t.meta;
        const bool any = !t.topics.empty() || t.views || t.updated || t.price || t.rank || !t.meta.empty();
        return any ? v : ix::field_values{};
    }
};

// ---------------------------------------------------------------- random filters

// A number of a field as the brute force compares it.
struct number {
    bool is_float = false;
    std::int64_t i = 0;
    double f = 0;
};
std::optional<number> value_of(const truth& t, const std::string& field) {
    if (field == "views") return t.views ? std::optional<number>({false, *t.views, 0}) : std::nullopt;
    if (field == "updated") return t.updated ? std::optional<number>({false, *t.updated, 0}) : std::nullopt;
    if (field == "rank") return t.rank ? std::optional<number>({false, *t.rank, 0}) : std::nullopt;
    return t.price ? std::optional<number>({true, 0, *t.price}) : std::nullopt;
}
number parse_as(const std::string& field, const std::string& text) {
    if (field == "price") return {true, 0, std::strtod(text.c_str(), nullptr)};
    if (field == "updated") return {false, *ix::parse_date(text), 0};
    return {false, std::stoll(text), 0};
}
int compare(const number& a, const number& b) {
    if (a.is_float) return a.f < b.f ? -1 : a.f > b.f ? 1 : 0;
    return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
}

struct fnode {
    enum kind { keyword, range, equal, negation, all, any } k = keyword;
    std::string field;
    std::vector<std::string> values;      // keyword or equality values, as written
    std::optional<std::string> lo, hi;    // range bounds, as written; none: *
    bool lo_inclusive = true, hi_inclusive = true;
    std::vector<fnode> kids;

    bool matches(const truth& t) const {
        switch (k) {
            case keyword:
                return std::any_of(values.begin(), values.end(), [&](const std::string& v) {
                    return std::binary_search(t.topics.begin(), t.topics.end(), v);
                });
            case range: {
                const auto v = value_of(t, field);
                if (!v) return false;
                if (lo) {
                    const int c = compare(*v, parse_as(field, *lo));
                    if (c < 0 || (c == 0 && !lo_inclusive)) return false;
                }
                if (hi) {
                    const int c = compare(*v, parse_as(field, *hi));
                    if (c > 0 || (c == 0 && !hi_inclusive)) return false;
                }
                return true;
            }
            case equal: {
                const auto v = value_of(t, field);
                return v && std::any_of(values.begin(), values.end(),
                                        [&](const std::string& x) { return compare(*v, parse_as(field, x)) == 0; });
            }
            case negation: return !kids[0].matches(t);
            case all: return std::all_of(kids.begin(), kids.end(), [&](const fnode& c) { return c.matches(t); });
            case any: return std::any_of(kids.begin(), kids.end(), [&](const fnode& c) { return c.matches(t); });
        }
        return false;
    }
};

std::string quoted(const std::string& v) {
    return v.find(' ') != std::string::npos || v.front() == '-' ? "\"" + v + "\"" : v;
}

// The filter's text, in one of the syntaxes that say it.
std::string render(const fnode& n, std::mt19937_64& rng) {
    switch (n.k) {
        case fnode::keyword:
        case fnode::equal: {
            const auto show = [&](const std::string& v) { return n.k == fnode::keyword ? quoted(v) : v; };
            if (n.values.size() == 1 && rng() % 3 != 0) return n.field + ":" + show(n.values[0]);
            std::string s = n.field + ":(";
            for (std::size_t i = 0; i < n.values.size(); ++i) s += (i ? (rng() % 2 ? " OR " : " ") : "") + show(n.values[i]);
            return s + ")";
        }
        case fnode::range:
            if (!n.lo || !n.hi) {
                if (rng() % 2 == 0 && (n.lo || n.hi)) {
                    // A comparison.
                    if (n.lo) return n.field + ":>" + (n.lo_inclusive ? "=" : "") + *n.lo;
                    return n.field + ":<" + (n.hi_inclusive ? "=" : "") + *n.hi;
                }
            }
            return n.field + ":" + (n.lo_inclusive ? "[" : "{") + n.lo.value_or("*") + " TO " + n.hi.value_or("*") +
                   (n.hi_inclusive ? "]" : "}");
        case fnode::negation: {
            const auto inner = render(n.kids[0], rng);
            const bool group = n.kids[0].k == fnode::all || n.kids[0].k == fnode::any;
            return std::string(rng() % 2 ? "-" : "NOT ") + (group ? "(" + inner + ")" : inner);
        }
        case fnode::all:
        case fnode::any: {
            std::string s;
            for (std::size_t i = 0; i < n.kids.size(); ++i) {
                if (i) s += n.k == fnode::any ? " OR " : rng() % 2 ? " AND " : " ";
                const bool group = n.kids[i].k == fnode::all || n.kids[i].k == fnode::any;
                s += group ? "(" + render(n.kids[i], rng) + ")" : render(n.kids[i], rng);
            }
            return s;
        }
    }
    return {};
}

// A threshold of `field` as a query writes it: often a value some article has.
std::string threshold(const std::string& field, std::mt19937_64& rng, const fixture& fx) {
    if (rng() % 2 == 0) {
        // A known value (boundaries matter for inclusive and exclusive bounds).
        for (int tries = 0; tries < 20; ++tries) {
            const auto& t = std::next(fx.known.begin(), static_cast<long>(rng() % fx.known.size()))->second;
            const auto v = value_of(t, field);
            if (!v) continue;
            if (field == "price") return shortest(v->f);
            if (field == "updated") return ix::format_date(v->i);
            return std::to_string(v->i);
        }
    }
    if (field == "views") return std::to_string(static_cast<int>(rng() % 1100) - 70);
    if (field == "rank") return std::to_string(rng() % 11);
    if (field == "price") {
        const char* some[] = {"0", "-0", "-3.5", "12.25", "40", "-25", "74.75", "7.1"};
        return some[rng() % 8];
    }
    const char* dates[] = {"2020", "2021-06", "2022-02-28", "2021-03-04T05:06:07Z", "2023-01-01T00:00:00+05:00",
                           "2019-01-01", "2024-12-31T23:59:59Z", "2018"};
    return dates[rng() % 8];
}

fnode random_filter(std::mt19937_64& rng, const fixture& fx, int depth) {
    const char* numeric[] = {"views", "updated", "price", "rank"};
    fnode n;
    const auto r = rng() % (depth > 0 ? 10 : 6);
    if (r <= 1) {
        n.k = fnode::keyword;
        n.field = "topic";
        for (auto i = 1 + (rng() % 3 == 0 ? rng() % 3 : 0); i > 0; --i)
            n.values.push_back(rng() % 12 == 0 ? absent_values[rng() % 5] : topic_values[rng() % 8]);
    } else if (r <= 4) {
        n.k = fnode::range;
        n.field = numeric[rng() % 4];
        if (rng() % 4 != 0) n.lo = threshold(n.field, rng, fx);
        if (rng() % 4 != 0 || !n.lo) n.hi = threshold(n.field, rng, fx);
        if (rng() % 5 == 0) n.lo.reset();  // both open at times: [* TO *]
        n.lo_inclusive = rng() % 2 == 0;
        n.hi_inclusive = rng() % 2 == 0;
    } else if (r == 5) {
        n.k = fnode::equal;
        n.field = numeric[rng() % 4];
        for (auto i = 1 + rng() % 2; i > 0; --i) n.values.push_back(threshold(n.field, rng, fx));
    } else if (r <= 6) {
        n.k = fnode::negation;
        n.kids.push_back(random_filter(rng, fx, depth - 1));
    } else {
        n.k = r <= 8 ? fnode::all : fnode::any;
        for (auto i = 2 + rng() % 2; i > 0; --i) n.kids.push_back(random_filter(rng, fx, depth - 1));
    }
    return n;
}

// One random clause of the query language over the vocabulary.
std::string random_clause(std::mt19937_64& rng) {
    const auto w = [&] { return word(std::min(rng() % (vocabulary + 2), rng() % (vocabulary + 2))); };
    switch (rng() % 7) {
        case 0:
        case 1:
        case 2: return w();
        case 3: return "\"" + w() + " " + w() + "\"";
        case 4: return w().substr(0, 2) + "*";
        case 5: return "title:" + w();
        default: return w() + "^2";
    }
}
std::string random_query(std::mt19937_64& rng) {
    std::string q;
    const auto n = 1 + rng() % 4;
    const int style = static_cast<int>(rng() % 4);
    for (std::size_t i = 0; i < n; ++i) {
        if (style == 1 && i == 0) q += "+";
        if (style == 2 && i > 0 && rng() % 3 == 0) q += "-";
        q += random_clause(rng) + " ";
    }
    return q;
}

// ---------------------------------------------------------------- brute force

struct match {
    docid_t docid;
    score_t score;
    const truth* values;
    std::uint64_t article;
};

// The keyword a sort uses (smallest ascending, largest descending) or the number, if any.
struct sort_key {
    bool present = false;
    number n;
    std::string s;
};
sort_key key_of(const truth& t, const sort_spec& sort) {
    sort_key k;
    if (sort.field == "topic") {
        if (t.topics.empty()) return k;
        k.present = true;
        k.s = sort.descending ? t.topics.back() : t.topics.front();
        return k;
    }
    const auto v = value_of(t, sort.field);
    if (!v) return k;
    k.present = true;
    k.n = *v;
    return k;
}
// True when `a` comes before `b`: by the sort value (missing last), then score, then passage.
bool before(const match& a, const match& b, const std::optional<sort_spec>& sort) {
    if (sort) {
        const auto ka = key_of(*a.values, *sort), kb = key_of(*b.values, *sort);
        if (ka.present != kb.present) return ka.present;
        if (ka.present) {
            const int c = sort->field == "topic" ? (ka.s < kb.s ? -1 : ka.s > kb.s ? 1 : 0) : compare(ka.n, kb.n);
            if (c != 0) return sort->descending ? c > 0 : c < 0;
        }
    }
    if (a.score != b.score) return a.score > b.score;
    return a.docid < b.docid;
}

// Every allowed match in order, or the best passage of every article (MaxP) in order.
std::vector<match> brute_hits(const std::vector<match>& allowed, const std::optional<sort_spec>& sort, bool articles) {
    std::vector<match> out;
    if (articles) {
        std::map<std::uint64_t, match> best;
        for (const auto& m : allowed) {  // ascending docid: ties keep the lower one
            const auto [it, fresh] = best.try_emplace(m.article, m);
            if (!fresh && m.score > it->second.score) it->second = m;
        }
        for (const auto& [a, m] : best) out.push_back(m);
    } else {
        out = allowed;
    }
    std::sort(out.begin(), out.end(), [&](const match& a, const match& b) { return before(a, b, sort); });
    return out;
}

facet_result brute_facet(const facet_request& r, const std::vector<match>& allowed, bool per_article) {
    facet_result out;
    out.field = r.field;
    std::vector<const truth*> counted;
    std::set<std::uint64_t> seen;
    for (const auto& m : allowed)
        if (!per_article || seen.insert(m.article).second) counted.push_back(m.values);
    if (r.field == "topic") {
        std::map<std::string, std::uint64_t> n;
        for (const auto* t : counted) {
            if (t->topics.empty()) ++out.missing;
            for (const auto& v : t->topics) ++n[v];
        }
        std::vector<std::pair<std::string, std::uint64_t>> all(n.begin(), n.end());
        std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        std::uint64_t total = 0, listed = 0;
        for (const auto& [v, c] : all) total += c;
        for (std::size_t i = 0; i < all.size() && i < r.top; ++i) {
            out.counts.push_back({all[i].first, all[i].second});
            listed += all[i].second;
        }
        for (const auto& v : r.values) {
            if (std::any_of(out.counts.begin(), out.counts.end(), [&](const facet_count& c) { return c.value == v; }))
                continue;
            const auto c = n.count(v) ? n.at(v) : 0;
            out.counts.push_back({v, c});
            listed += c;
        }
        out.other = total - listed;
        return out;
    }
    if (!r.ranges.empty()) {
        std::vector<std::uint64_t> counts(r.ranges.size(), 0);
        for (const auto* t : counted) {
            const auto v = value_of(*t, r.field);
            if (!v) {
                ++out.missing;
                continue;
            }
            bool any = false;
            for (std::size_t i = 0; i < r.ranges.size(); ++i) {
                const auto& [lo, hi] = r.ranges[i];
                if ((lo.empty() || compare(*v, parse_as(r.field, lo)) >= 0) &&
                    (hi.empty() || compare(*v, parse_as(r.field, hi)) < 0)) {
                    ++counts[i];
                    any = true;
                }
            }
            if (!any) ++out.other;
        }
        for (std::size_t i = 0; i < r.ranges.size(); ++i)
            out.counts.push_back({r.ranges[i].first + ".." + r.ranges[i].second, counts[i]});
        return out;
    }
    // Buckets: (order key, label) → count.
    std::map<std::pair<double, std::string>, std::uint64_t> buckets;
    for (const auto* t : counted) {
        const auto v = value_of(*t, r.field);
        if (!v) {
            ++out.missing;
            continue;
        }
        double start = v->is_float ? v->f : static_cast<double>(v->i);
        std::string label;
        if (r.interval == "year" || r.interval == "month" || r.interval == "day") {
            label = ix::format_date(v->i).substr(0, r.interval == "year" ? 4 : r.interval == "month" ? 7 : 10);
            start = static_cast<double>(*ix::parse_date(label));
        } else {
            if (!r.interval.empty()) {
                const double w = std::strtod(r.interval.c_str(), nullptr);
                start = std::floor(start / w) * w;
            }
            if (start == 0) start = 0;  // -0 is 0
            if (v->is_float)
                label = shortest(start);
            else if (r.field == "updated")
                label = ix::format_date(static_cast<std::int64_t>(start));
            else
                label = std::to_string(static_cast<std::int64_t>(start));
        }
        ++buckets[{start, label}];
    }
    std::size_t listed = 0;
    for (const auto& [key, c] : buckets) {
        if (r.top != 0 && listed == r.top) {
            out.other += c;
            continue;
        }
        out.counts.push_back({key.second, c});
        ++listed;
    }
    return out;
}

std::string show(const facet_result& f) {
    std::ostringstream o;
    o << f.field << " missing " << f.missing << " other " << f.other << ":";
    for (const auto& c : f.counts) o << " [" << c.value << "]=" << c.count;
    return o.str();
}

// "" when `got` lists exactly `want` (passages and score bits), else the first difference.
std::string differ(const std::vector<match>& want, const std::vector<request_hit>& got) {
    std::ostringstream out;
    out.precision(17);
    if (want.size() != got.size()) out << "size " << got.size() << " != " << want.size() << "; ";
    for (std::size_t i = 0; i < std::min(want.size(), got.size()); ++i)
        if (want[i].docid != got[i].hit.passage || std::memcmp(&want[i].score, &got[i].hit.score, sizeof(score_t)) != 0) {
            out << "rank " << i << ": got " << got[i].hit.passage << "@" << got[i].hit.score << " want " << want[i].docid
                << "@" << want[i].score;
            break;
        }
    return out.str();
}

std::vector<match> first(const std::vector<match>& all, std::size_t offset, std::size_t k) {
    if (offset >= all.size()) return {};
    return {all.begin() + static_cast<long>(offset), all.begin() + static_cast<long>(std::min(all.size(), offset + k))};
}

facet_request random_facet(std::mt19937_64& rng) {
    facet_request f;
    switch (rng() % 12) {
        case 0:
        case 1:
            f.field = "topic";
            f.top = 1 + rng() % 9;
            if (rng() % 2) f.values = {"nothing", topic_values[rng() % 8]};
            break;
        case 2: f.field = "views", f.interval = rng() % 2 ? "100" : "37"; break;
        case 3: f.field = "views", f.ranges = {{"", "0"}, {"0", "100"}, {"50", "500"}, {"500", ""}}; break;
        case 4: f.field = "views", f.top = rng() % 6; break;  // one bucket per value
        case 5: f.field = "updated", f.interval = rng() % 2 ? "year" : "month"; break;
        case 6: f.field = "updated", f.interval = rng() % 2 ? "day" : "604800000", f.top = 20; break;
        case 7: f.field = "updated", f.ranges = {{"", "2021"}, {"2021", "2022-06-15"}, {"2022-06-15T12:00:00Z", ""}}; break;
        case 8: f.field = "price", f.interval = rng() % 2 ? "10" : "0.5", f.top = 0; break;
        case 9: f.field = "price", f.ranges = {{"", "0"}, {"0", "10.5"}, {"-5", ""}, {"80", "90"}}; break;
        case 10: f.field = "rank", f.top = 0; break;
        default: f.field = "rank", f.interval = "3"; break;
    }
    return f;
}

sort_spec random_sort(std::mt19937_64& rng) {
    const char* fields[] = {"topic", "views", "updated", "price", "rank"};
    return {fields[rng() % 5], rng() % 2 == 0};
}

}  // namespace

// Runs random queries with random filters, facets, sorts, pages and article collapse over `fx`
// and checks each answer against the brute force.
void check_requests_against_brute_force(const fixture& fx, std::mt19937_64& rng) {
    const auto& reader = *fx.reader;
    REQUIRE(reader.options().schema == fx.schema);
    const searcher s(reader);
    const std::size_t n = reader.passage_count();
    std::size_t compared = 0, nonempty = 0, facets_checked = 0, sorted = 0, collapsed = 0, some_filtered = 0;
    for (int qi = 0; qi < 40; ++qi) {
        const auto text = random_query(rng);
        CAPTURE(text);
        const auto q = s.parse(text);
        // Every match with its score: the exhaustive ranking, and for_each_match agreeing with it.
        search_options every;
        every.k = n;
        every.algorithm = algorithm::exhaustive;
        const auto ranked = s.top_k(q, every);
        std::map<docid_t, score_t> scores;
        for (const auto& h : ranked) scores[h.docid] = h.score;
        std::vector<docid_t> visited;
        s.for_each_match(q, {}, [&](docid_t d, const std::function<score_t()>& score) {
            CHECK(scores.count(d) == 1);
            if (scores.count(d)) CHECK(score() == scores.at(d));
            visited.push_back(d);
        });
        CHECK(visited.size() == ranked.size());
        CHECK(std::is_sorted(visited.begin(), visited.end()));
        std::vector<match> matches;  // ranked order
        for (const auto& h : ranked) {
            REQUIRE(fx.of_passage[h.docid] != nullptr);  // live
            matches.push_back({h.docid, h.score, fx.of_passage[h.docid], fx.article_of[h.docid]});
        }

        for (int fi = 0; fi < 6; ++fi) {
            const auto tree = random_filter(rng, fx, 2);
            const auto filter_text = render(tree, rng);
            CAPTURE(filter_text);
            std::vector<match> allowed;
            for (const auto& m : matches)
                if (tree.matches(*m.values)) allowed.push_back(m);
            if (allowed.size() < matches.size()) ++some_filtered;
            if (!allowed.empty()) ++nonempty;
            std::vector<match> by_docid = allowed;
            std::sort(by_docid.begin(), by_docid.end(), [](const match& a, const match& b) { return a.docid < b.docid; });

            // Now and then a bitset of the caller's own as well, which the expression is ANDed with.
            std::vector<std::uint64_t> own;
            if (fi % 3 == 0) {
                std::vector<docid_t> some;
                for (docid_t d = 0; d < n; ++d)
                    if (rng() % 4 != 0) some.push_back(d);
                own = make_passage_filter(some, n);
                std::erase_if(allowed, [&](const match& m) { return !test_bit(own, m.docid); });
                std::erase_if(by_docid, [&](const match& m) { return !test_bit(own, m.docid); });
            }

            // The filter's passages: every live passage it allows, and for_each_match through it.
            const auto f = filter::parse(filter_text, fx.schema);
            const auto bits = f.evaluate(reader);
            std::size_t wrong = 0;
            for (docid_t d = 0; d < n; ++d)
                if (fx.of_passage[d] != nullptr && test_bit(bits, d) != tree.matches(*fx.of_passage[d])) ++wrong;
            CHECK(wrong == 0);
            auto both = bits;
            if (!own.empty())
                for (std::size_t w = 0; w < both.size(); ++w) both[w] &= own[w];
            search_options through;
            through.filter = both;
            std::vector<docid_t> walked;
            s.for_each_match(q, through, [&](docid_t d, const std::function<score_t()>&) { walked.push_back(d); });
            std::vector<docid_t> want_walk;
            for (const auto& m : by_docid) want_walk.push_back(m.docid);
            CHECK(walked == want_walk);

            // Filtered top-k, relevance order (the pruned path), with the values of each hit.
            search_request req;
            req.filter = filter_text;
            req.options.filter = own;
            req.options.k = 1 + rng() % 40;
            req.count_total = rng() % 2 == 0;
            auto got = run(s, q, req);
            CHECK(differ(first(allowed, 0, req.options.k), got.hits) == "");
            if (req.count_total) CHECK(got.total == allowed.size());
            for (const auto& h : got.hits) CHECK(h.values == fx.values_of(*fx.of_passage[h.hit.passage]));
            ++compared;

            // With an offset.
            req.offset = rng() % 30;
            got = run(s, q, req);
            CHECK(differ(first(allowed, req.offset, req.options.k), got.hits) == "");
            req.offset = 0;

            // Facets (a walk of every match), over passages or articles.
            req.facets.clear();
            for (auto i = 1 + rng() % 3; i > 0; --i) req.facets.push_back(random_facet(rng));
            req.facet_articles = rng() % 2 == 0;
            got = run(s, q, req);
            CHECK(differ(first(allowed, 0, req.options.k), got.hits) == "");
            CHECK(got.total == allowed.size());
            REQUIRE(got.facets.size() == req.facets.size());
            for (std::size_t i = 0; i < req.facets.size(); ++i) {
                CAPTURE(req.facet_articles);
                CHECK(show(got.facets[i]) == show(brute_facet(req.facets[i], by_docid, req.facet_articles)));
                ++facets_checked;
            }

            // Sorted by a field, with the facets still counted.
            req.sort = random_sort(rng);
            const auto sort_text = req.sort->field + (req.sort->descending ? " descending" : " ascending");
            CAPTURE(sort_text);
            req.offset = rng() % 3 == 0 ? rng() % 10 : 0;
            got = run(s, q, req);
            CHECK(differ(first(brute_hits(by_docid, req.sort, false), req.offset, req.options.k), got.hits) == "");
            for (std::size_t i = 0; i < req.facets.size(); ++i)
                CHECK(show(got.facets[i]) == show(brute_facet(req.facets[i], by_docid, req.facet_articles)));
            ++sorted;

            // Articles (MaxP), sorted or by relevance, with and without facets.
            req.articles = true;
            if (rng() % 2) req.sort.reset();
            if (rng() % 2) req.facets.clear();
            req.count_total = rng() % 2 == 0;
            got = run(s, q, req);
            const auto articles = brute_hits(by_docid, req.sort, true);
            CHECK(differ(first(articles, req.offset, req.options.k), got.hits) == "");
            if (req.count_total || req.sort || !req.facets.empty()) CHECK(got.total == articles.size());
            for (std::size_t i = 0; i < req.facets.size(); ++i)
                CHECK(show(got.facets[i]) == show(brute_facet(req.facets[i], by_docid, req.facet_articles)));
            ++collapsed;
        }
    }
    CHECK(compared == 240);
    CHECK(nonempty > 100);
    CHECK(some_filtered > 150);
    CHECK(facets_checked > 240);
    CHECK(sorted == 240);
    CHECK(collapsed == 240);
}

TEST_CASE_TEMPLATE("search: request run equals brute force for filters, facets, sorts and articles on a random index", B,
                   test::fs_backend, test::memory_backend) {
    B backend;
    std::mt19937_64 rng(rapport::test::seed(20261204));
    const fixture fx(rng, backend.make());
    REQUIRE(fx.reader->segments().size() == 4);
    REQUIRE(fx.reader->live_passage_count() < fx.reader->passage_count());  // deletions
    check_requests_against_brute_force(fx, rng);
}

TEST_CASE("search: request run equals brute force on an index sorted by a field (schema sort)") {
    // Flushed and merged segments ordered by each field type, both ways: a filter on the sort field
    // then admits runs of passages; answers must not change.
    int round = 0;
    for (const auto& sort : {ix::index_sort{"topic", false}, ix::index_sort{"updated", true}, ix::index_sort{"price", false},
                             ix::index_sort{"views", true}}) {
        CAPTURE(sort.field);
        CAPTURE(sort.descending);
        const bool merge = round++ % 2 == 1;  // four flushed segments, or one merged from them
        CAPTURE(merge);
        std::mt19937_64 rng(rapport::test::seed(20261207));
        const fixture fx(rng, std::make_shared<storage::memory_directory>("sorted"), sort, merge);
        CHECK(fx.reader->segments().size() == (merge ? 1 : 4));
        if (!merge) CHECK(fx.reader->live_passage_count() < fx.reader->passage_count());  // deletions
        REQUIRE(fx.reader->options().schema.sort == sort);
        // Every segment holds its articles in the sort's order, each article's passages together.
        for (const auto& seg : fx.reader->segments()) {
            std::optional<std::uint32_t> last;
            const auto* column = seg->values().find(sort.field);
            REQUIRE(column != nullptr);
            const auto key = [&](std::uint32_t a) -> std::optional<std::string> {
                const auto v = column->value(a);
                if (!v.keywords.empty()) return sort.descending ? v.keywords.back() : v.keywords.front();
                if (!v.number) return std::nullopt;
                // Order-preserving text for an int64 (offset binary, fixed width).
                char buf[17];
                std::snprintf(buf, sizeof buf, "%016llx",
                              static_cast<unsigned long long>(static_cast<std::uint64_t>(*v.number) ^ (std::uint64_t{1} << 63)));
                return std::string(buf);
            };
            std::size_t out_of_order = 0;
            for (docid_t d = 0; d < seg->size(); ++d) {
                const auto a = seg->article_of(d);
                if (last && a != *last) {
                    CHECK(a == *last + 1);  // passages of one article stay together
                    const auto x = key(*last), y = key(a);
                    if (x && y ? (sort.descending ? *x < *y : *y < *x) : (!x && y)) ++out_of_order;
                }
                last = a;
            }
            CHECK(out_of_order == 0);
        }
        check_requests_against_brute_force(fx, rng);
    }
}

TEST_CASE("search: request filters give the same hits under every algorithm; to_string parses back") {
    std::mt19937_64 rng(rapport::test::seed(20261205));
    const fixture fx(rng);
    const searcher s(*fx.reader);
    std::size_t checked = 0;
    for (int qi = 0; qi < 30; ++qi) {
        const auto text = random_query(rng);
        CAPTURE(text);
        const auto q = s.parse(text);
        for (int fi = 0; fi < 4; ++fi) {
            const auto tree = random_filter(rng, fx, 2);
            const auto filter_text = render(tree, rng);
            CAPTURE(filter_text);
            search_request req;
            req.filter = filter_text;
            req.options.k = 1 + rng() % 30;
            req.articles = rng() % 3 == 0;
            req.options.algorithm = algorithm::exhaustive;
            const auto reference = run(s, q, req);
            for (const auto a : {algorithm::automatic, algorithm::maxscore, algorithm::block_max_wand}) {
                req.options.algorithm = a;
                const auto got = run(s, q, req);
                REQUIRE(got.hits.size() == reference.hits.size());
                for (std::size_t i = 0; i < got.hits.size(); ++i) {
                    CHECK(got.hits[i].hit.passage == reference.hits[i].hit.passage);
                    CHECK(got.hits[i].hit.score == reference.hits[i].hit.score);
                }
            }
            // Canonical text: parses back to a filter allowing the same passages, and is a fixed point.
            const auto f = filter::parse(filter_text, fx.schema);
            CHECK_FALSE(f.empty());
            const auto canonical = f.to_string();
            CAPTURE(canonical);
            const auto back = filter::parse(canonical, fx.schema);
            CHECK(back.to_string() == canonical);
            CHECK(back.evaluate(*fx.reader) == f.evaluate(*fx.reader));
            req.filter = canonical;
            req.options.algorithm = algorithm::exhaustive;
            const auto again = run(s, q, req);
            REQUIRE(again.hits.size() == reference.hits.size());
            for (std::size_t i = 0; i < again.hits.size(); ++i) CHECK(again.hits[i].hit.passage == reference.hits[i].hit.passage);
            ++checked;
        }
    }
    CHECK(checked == 120);
    // Blank filters restrict nothing.
    CHECK(filter::parse("", fx.schema).empty());
    CHECK(filter::parse("  \t", fx.schema).empty());
    CHECK(filter().empty());
    CHECK(filter::parse("  \t", fx.schema).to_string().empty());
}

TEST_CASE("search: request paging by search_after and by offset covers every hit once, in order") {
    std::mt19937_64 rng(rapport::test::seed(20261206));
    const fixture fx(rng);
    const searcher s(*fx.reader);
    const std::size_t n = fx.reader->passage_count();
    const char* queries[] = {"qa", "qb qc", "qa qd qe", "qa*", "title:qb qc"};
    const char* filters[] = {"", "topic:(billing OR refund)", "views:[0 TO *] -rank:3", "NOT price:{* TO 10}"};
    std::size_t walks = 0, pages = 0;
    for (const char* text : queries) {
        const auto q = s.parse(text);
        for (const char* filter_text : filters) {
            for (int mode = 0; mode < 5; ++mode) {
                CAPTURE(text);
                CAPTURE(filter_text);
                CAPTURE(mode);
                search_request req;
                req.filter = filter_text;
                req.articles = mode >= 3;
                if (mode == 1 || mode == 4) req.sort = random_sort(rng);
                if (mode == 2) req.sort = sort_spec{"price", true};
                if (mode == 1 || mode == 3) {
                    req.facets = {facet_request{"topic"}, facet_request{"views"}};
                    req.facets[1].interval = "100";
                    req.facet_articles = mode == 3;
                }
                req.options.k = n;
                const auto big = run(s, q, req);
                const auto& all = big.hits;
                REQUIRE(!all.empty());
                const std::size_t size = 1 + rng() % 13 + all.size() / 30;  // at most about 30 pages
                req.options.k = size;
                // search_after: the cursor of each page's last hit.
                std::vector<request_hit> walked;
                for (int guard = 0; guard < 2000; ++guard) {
                    const auto page = run(s, q, req);
                    ++pages;
                    CHECK(page.hits.size() <= size);
                    // Facets and totals count every match, whichever page.
                    REQUIRE(page.facets.size() == big.facets.size());
                    for (std::size_t i = 0; i < page.facets.size(); ++i)
                        CHECK(show(page.facets[i]) == show(big.facets[i]));
                    if (page.total && big.total) CHECK(*page.total == *big.total);
                    walked.insert(walked.end(), page.hits.begin(), page.hits.end());
                    if (page.hits.size() < size) break;
                    req.search_after = page.hits.back().cursor;
                }
                REQUIRE(walked.size() == all.size());
                for (std::size_t i = 0; i < all.size(); ++i) {
                    CHECK(walked[i].hit.passage == all[i].hit.passage);
                    CHECK(walked[i].hit.score == all[i].hit.score);
                    CHECK(walked[i].cursor == all[i].cursor);
                }
                // offset: pages of the same size.
                req.search_after.clear();
                std::vector<request_hit> offsets;
                for (req.offset = 0; req.offset < all.size() + size; req.offset += size) {
                    const auto page = run(s, q, req);
                    offsets.insert(offsets.end(), page.hits.begin(), page.hits.end());
                }
                REQUIRE(offsets.size() == all.size());
                for (std::size_t i = 0; i < all.size(); ++i) CHECK(offsets[i].hit.passage == all[i].hit.passage);
                // The cursor of the last hit gives an empty page; the one before the last, the last hit.
                req.offset = 0;
                req.search_after = all.back().cursor;
                CHECK(run(s, q, req).hits.empty());
                if (all.size() >= 2) {
                    req.search_after = all[all.size() - 2].cursor;
                    const auto last = run(s, q, req);
                    REQUIRE(last.hits.size() == 1);
                    CHECK(last.hits[0].hit.passage == all.back().hit.passage);
                }
                ++walks;
            }
        }
    }
    CHECK(walks == 100);
    CHECK(pages > 200);
}

TEST_CASE("search: request split_filter_clauses moves the top-level value-field clauses only") {
    const auto schema = full_schema();
    auto split = split_filter_clauses("refund topic:billing -topic:spam updated:>2024-01-01", schema);
    CHECK(split.text == "refund");
    CHECK(split.filter == "topic:billing -topic:spam updated:>2024-01-01");
    split = split_filter_clauses(R"(topic:(billing OR "gift card") qa "qb topic:x qc" views:[1 TO 2] title:qd nofield:x +rank:3 body:qe)",
                                 schema);
    CHECK(split.text == R"(qa "qb topic:x qc" title:qd nofield:x body:qe)");
    CHECK(split.filter == R"(topic:(billing OR "gift card") views:[1 TO 2] +rank:3)");
    split = split_filter_clauses("(qa topic:billing) price:{* TO 9.5} qb", schema);
    CHECK(split.text == "(qa topic:billing) qb");
    CHECK(split.filter == "price:{* TO 9.5}");
    split = split_filter_clauses("  qa   qb  ", schema);
    CHECK(split.text == "qa qb");
    CHECK(split.filter.empty());
    split = split_filter_clauses("topic:\"gift card\" rank:(1 OR 2)", schema);
    CHECK(split.text.empty());
    CHECK(split.filter == "topic:\"gift card\" rank:(1 OR 2)");
    CHECK(split_filter_clauses("", schema).text.empty());
    // What is moved parses as a filter; what is left as a query.
    const auto again = split_filter_clauses("qa -topic:refund views:>=100 updated:[2020-01-01 TO 2021-06-30}", schema);
    CHECK(again.text == "qa");
    CHECK_NOTHROW((void)filter::parse(again.filter, schema));
    CHECK(filter::parse(again.filter, schema).to_string().find("views") != std::string::npos);
}

TEST_CASE("search: request errors: malformed filters, bad facets and sorts, offsets and cursors") {
    std::mt19937_64 rng(rapport::test::seed(20261207));
    const fixture fx(rng);
    const searcher s(*fx.reader);
    const auto q = s.parse("qa qb");
    // Filters: query_syntax_error with a position.
    for (const char* bad : {"nofield:x", "title:qa", "body:qa", "meta:x", "views:abc", "views:1.5", "rank:>x", "price:cheap",
                            "updated:2023-02-29", "updated:[2020 TO yesterday]", "views:[1 TO 5", "views:[1 5]", "views:{1 TO 5)",
                            "(topic:billing", "topic:billing)", "topic:\"gift card", "topic:[a TO b]", "topic:>a", "topic:",
                            "topic:()", "topic", "AND topic:x", "topic:x OR", "NOT", "views:>", "price:[1 TO inf]"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS((void)filter::parse(bad, fx.schema), query_syntax_error);
        search_request req;
        req.filter = bad;
        CHECK_THROWS_AS((void)run(s, q, req), query_syntax_error);
    }
    try {
        (void)filter::parse("topic:billing AND nofield:x", fx.schema);
        FAIL_CHECK("expected a query_syntax_error");
    } catch (const query_syntax_error& e) {
        CHECK(e.position() == 18);
        CHECK(std::string(e.what()).find("nofield") != std::string::npos);
    }
    // Facets and sorts on fields that cannot have them; bad intervals and ranges.
    const auto refused = [&](const search_request& req) {
        CHECK_THROWS_AS((void)run(s, q, req), rapport::invalid_argument);
    };
    for (const char* field : {"title", "body", "meta", "nofield"}) {
        CAPTURE(field);
        search_request facet;
        facet.facets.push_back({field});
        refused(facet);
        search_request sort;
        sort.sort = sort_spec{field, false};
        refused(sort);
    }
    for (const char* interval : {"abc", "0", "-5", "inf", "10x", "year"}) {
        CAPTURE(interval);
        search_request req;
        facet_request f;
        f.field = "views";
        f.interval = interval;
        req.facets.push_back(f);
        refused(req);
    }
    {
        search_request req;
        facet_request f;
        f.field = "topic";
        f.interval = "10";
        req.facets.push_back(f);
        refused(req);
        req.facets[0].interval.clear();
        req.facets[0].ranges = {{"a", "b"}};
        refused(req);
        req.facets[0] = facet_request{"updated"};
        req.facets[0].ranges = {{"2020", "not a date"}};
        refused(req);
        req.facets[0] = facet_request{"views"};
        req.facets[0].values = {"1"};
        refused(req);
    }
    // Offsets: up to 100,000.
    search_request far;
    far.offset = 100'001;
    refused(far);
    far.offset = 100'000;
    CHECK(run(s, q, far).hits.empty());
    // Cursors this search did not make.
    const std::string cursors[] = {"garbage", "p", "p:1:0x1p+0", "x:1:0x1p+0:3", "p:1:nan:3", "p:1:inf:3", "m:1:0x1p+0:3",
                                   "p:1:0x1p+0:", "p:1:0x1p+0:abc", "p:1:0x1p+0:-1", "p:1.5:0x1p+0:3", "p:1:0x1p+0:3:4",
                                   "p:1::3", ":1:0x1p+0:3"};
    for (const auto& c : cursors) {
        CAPTURE(c);
        search_request req;
        req.sort = sort_spec{"views", false};
        req.search_after = c;
        refused(req);
    }
    for (const std::string c : {"p:zz:0x1p+0:3", "p:abc:0x1p+0:3"}) {  // keyword sorts write hex
        CAPTURE(c);
        search_request req;
        req.sort = sort_spec{"topic", true};
        req.search_after = c;
        refused(req);
    }
    // A well-formed cursor of the relevance order is accepted.
    search_request ok;
    ok.search_after = "m::0x1p+0:3";
    CHECK_NOTHROW((void)run(s, q, ok));
}

TEST_CASE("search: split_filter_clauses keeps NOT with its clause, and an OR'd clause with the query") {
    const auto s = ix::parse_schema(R"({"fields": [{"name": "topic", "type": "keyword"}]})");
    struct expected {
        const char* text;
        const char* query;
        const char* filter;
    };
    const expected cases[] = {
        {"refund NOT topic:spam", "refund", "-topic:spam"},
        {"NOT -topic:spam", "", "topic:spam"},
        {"refund AND topic:billing", "refund", "topic:billing"},
        // A filter cannot be one side of an OR: the clause stays with the query.
        {"refund OR topic:billing", "refund OR topic:billing", ""},
        {"topic:billing OR refund", "topic:billing OR refund", ""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        const auto split = split_filter_clauses(c.text, s);
        CHECK(split.text == c.query);
        CHECK(split.filter == c.filter);
    }
}

TEST_CASE("search: integer facet buckets are exact at the ends of int64") {
    ix::index_options o;
    o.schema = ix::parse_schema(R"({"fields": [{"name": "n", "type": "integer"}]})");
    ix::index_builder b(o);
    const std::int64_t values[] = {std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(),
                                   9007199254740993, 9223372036854775000, -7};
    for (std::size_t i = 0; i < std::size(values); ++i) {
        ingest::article a{{"a" + std::to_string(i)}, "", "common words here"};
        a.fields = {{"n", std::to_string(values[i])}};
        b.add(std::move(a));
    }
    const auto r = b.finish();
    const searcher s(r);
    for (const char* width : {"1", "10"}) {
        CAPTURE(width);
        search_request request;
        request.facets = {{.field = "n", .top = 0, .interval = width}};
        const auto answer = run(s, s.parse("common"), request);
        REQUIRE(answer.facets.size() == 1);
        std::map<std::string, std::uint64_t> got;
        for (const auto& c : answer.facets[0].counts) got[c.value] = c.count;
        const std::int64_t w = std::string(width) == "1" ? 1 : 10;
        std::map<std::string, std::uint64_t> want;
        for (const auto v : values) {
            std::int64_t q = v / w;
            if (v % w < 0) --q;
            std::int64_t start = 0;
            if (__builtin_mul_overflow(q, w, &start)) start = std::numeric_limits<std::int64_t>::min();
            ++want[std::to_string(start)];
        }
        CHECK(got == want);
    }
}
