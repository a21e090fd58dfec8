// SPDX-License-Identifier: MIT
// rapport search: runs one query (the words after the options) or every query of a qid<TAB>text
// file against an index and prints the hits: pretty (rank, score, title, highlighted snippet),
// JSON lines, or a TREC run. With --timings it measures each query inside the process, around
// analysis and retrieval only (not fetching stored text or printing), after --warmup untimed passes.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <iostream>
#include <string>
#include <unordered_set>
#include <vector>

#include <boost/json.hpp>

#include "cli.hpp"
#include "rapport/core/error.hpp"
#include "rapport/eval/queries.hpp"
#include "rapport/highlight/snippet.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/query/parser.hpp"
#include "rapport/search/multi_searcher.hpp"
#include "rapport/search/request.hpp"
#include "rapport/search/searcher.hpp"

namespace rapport::cli {

namespace {

enum class output_format { pretty, json, trec };

struct settings {
    search::search_options options;
    query::parser_options parser;
    std::vector<std::pair<std::string, double>> fields;  ///< --fields parsed: "title^2,body,summary"
    output_format format = output_format::pretty;
    bool explain = false;
    bool rm3 = false;
    bool several_indexes = false;  // --index given more than once: hits name their index
    search::rm3_options rm3_options;
    bool colour = false;
    bool articles = false;
    bool suggest = false;
    std::string language;  // analyse queries and snippets in this language; empty: the index's
    std::size_t snippet_bytes = 240;
    std::string tag = "rapport";
    // Filters, facets, sorting and paging (search/request.hpp).
    std::string filter;
    std::vector<search::facet_request> facets;
    bool facet_articles = false;
    std::optional<search::sort_spec> sort;
    std::size_t offset = 0;
    std::string search_after;
    bool total = false;
    [[nodiscard]] bool uses_request() const noexcept {
        return !filter.empty() || !facets.empty() || sort || offset != 0 || !search_after.empty() || total;
    }
};

// --facet FIELD[:OPTION]: OPTION is a count (the top values), year / month / day (a date's
// buckets), every=WIDTH (numeric buckets), values=A,B (keyword values always counted) or
// ranges LO..HI,LO..HI (half-open, either side empty for open).
search::facet_request facet_option(const std::string& spec) {
    try {
        return search::parse_facet(spec);
    } catch (const rapport::invalid_argument& e) {
        throw usage_error(std::string("--") + e.what());
    }
}

// A hit's field values as JSON: keywords as arrays, numbers as numbers, dates as ISO text,
// stored values as they were written.
boost::json::object values_json(const index::schema& schema, const index::field_values& values) {
    boost::json::object o;
    for (std::size_t f = 0; f < values.size() && f < schema.fields.size(); ++f) {
        const auto& def = schema.fields[f];
        const auto& v = values[f];
        if (def.type == index::field_type::keyword && !v.keywords.empty()) {
            boost::json::array a;
            for (const auto& k : v.keywords) a.emplace_back(k);
            o[def.name] = std::move(a);
        } else if (index::is_numeric(def.type) && v.number) {
            if (def.type == index::field_type::integer)
                o[def.name] = *v.number;
            else if (def.type == index::field_type::floating)
                o[def.name] = index::float_of_key(*v.number);
            else
                o[def.name] = index::format_date(*v.number);
        } else if ((def.type == index::field_type::stored || index::schema::is_extra_text(def)) && !v.stored.empty()) {
            o[def.name] = boost::json::parse(v.stored);
        }
    }
    return o;
}

// The same, as one line of text for the pretty output ("topic: billing  tags: a, b").
std::string values_text(const index::schema& schema, const index::field_values& values) {
    std::string out;
    for (const auto& [name, value] : values_json(schema, values)) {
        if (!out.empty()) out += "  ";
        out += std::string(name) + ": ";
        if (value.is_array()) {
            bool first = true;
            for (const auto& e : value.as_array()) {
                out += (first ? "" : ", ") + (e.is_string() ? std::string(e.as_string()) : boost::json::serialize(e));
                first = false;
            }
        } else {
            out += value.is_string() ? std::string(value.as_string()) : boost::json::serialize(value);
        }
    }
    return out;
}

// The value of option `name`: a whole number from 1 to 10^6, digits only (no sign, which
// unsigned conversions would wrap).
std::size_t positive_count(const po::variables_map& vm, const char* name) {
    const auto& text = vm[name].as<std::string>();
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || text.front() == '-' || text.front() == '+' || ec != std::errc() ||
        end != text.data() + text.size() || n == 0 || n > 1000000)
        throw usage_error(std::string("--") + name + " must be a whole number from 1 to 1000000, not '" + text + "'");
    return n;
}

// "title^2,body" → each field's name and weight, checked before the index opens (weights, repeats);
// the names are resolved against the index's schema by `resolve_fields` once it is open.
std::vector<std::pair<std::string, double>> parse_fields(const std::string& list) {
    std::vector<std::pair<std::string, double>> out;
    std::size_t at = 0;
    while (at <= list.size()) {
        const auto comma = std::min(list.find(',', at), list.size());
        const std::string item = list.substr(at, comma - at);
        const auto caret = item.find('^');
        const std::string name = item.substr(0, caret);
        if (name.empty()) throw usage_error("--fields: an empty field name in '" + list + "'");
        double weight = 1.0;
        if (caret != std::string::npos) {
            const std::string w = item.substr(caret + 1);
            char* end = nullptr;
            weight = std::strtod(w.c_str(), &end);
            if (w.empty() || end != w.c_str() + w.size() || !(weight > 0) || !std::isfinite(weight))
                throw usage_error("--fields: the weight of " + name + " must be a number > 0, not '" + w + "'");
        }
        for (const auto& e : out)
            if (e.first == name) throw usage_error("--fields: " + name + " is listed twice");
        out.emplace_back(name, weight);
        at = comma + 1;
    }
    return out;
}

// The parsed --fields list as the schema's text fields; an unknown name is a usage error listing them.
std::vector<search::field_weight> resolve_fields(const std::vector<std::pair<std::string, double>>& list,
                                                 const index::schema& schema) {
    std::vector<search::field_weight> out;
    for (const auto& [name, weight] : list) {
        const auto f = schema.text_field(name);
        if (!f) throw usage_error("--fields: unknown text field '" + name + "' (text fields: " + schema.text_field_names() + ")");
        out.push_back({*f, weight});
    }
    return out;
}

// What a TREC run needs: the k best distinct articles, each scored by its best passage (MaxP), in
// one pass (`top_k_articles`), with their ids read in place from each segment's id column.
std::vector<std::pair<article_id, score_t>> best_articles(const search::searcher& qs, const index::index_reader& r,
                                                          const query::query& q, const search::search_options& o) {
    const auto docs = qs.top_k_articles(q, o);
    std::vector<std::pair<article_id, score_t>> out;
    out.reserve(docs.size());
    for (const auto& d : docs) {
        const auto [seg, local] = r.locate(d.docid);
        out.push_back({article_id{std::string(seg->article_id(seg->article_of(local)))}, d.score});
    }
    return out;
}

void print_pretty(const search::searcher& s, const query::query& q, const std::vector<search::hit>& hits,
                  const settings& st, const std::string* qid,
                  const std::function<std::string(std::size_t)>& values = {}) {
    const auto marks = s.highlight_terms(q, st.options);
    if (qid != nullptr) std::printf("query %s\n", qid->c_str());
    if (hits.empty()) std::printf("  no passage matches\n");
    for (std::size_t i = 0; i < hits.size(); ++i) {
        const auto& h = hits[i];
        const auto snip = s.snippet(h.text, marks, {.max_bytes = st.snippet_bytes}, st.language);
        const auto text = st.colour ? highlight::render_terminal(h.text, snip) : highlight::render_plain(h.text, snip);
        if (st.colour)
            std::printf("%3zu. \033[1m%s\033[0m  %.4f  [%s #%u]\n", i + 1, h.title.c_str(), h.score,
                        h.article.value.c_str(), h.ordinal);
        else
            std::printf("%3zu. %s  %.4f  [%s #%u]\n", i + 1, h.title.c_str(), h.score, h.article.value.c_str(),
                        h.ordinal);
        std::printf("     %s\n", text.c_str());
        if (values)
            if (const auto line = values(i); !line.empty()) std::printf("     %s\n", line.c_str());
        if (st.explain) {
            const auto e = s.explain(q, h.passage, st.options);
            std::istringstream lines(e.to_string());
            for (std::string line; std::getline(lines, line);) std::printf("       %s\n", line.c_str());
        }
    }
}

void print_json(const search::searcher& s, const query::query& q, const std::vector<search::hit>& hits,
                const settings& st, const std::string* qid,
                const std::function<void(std::size_t, boost::json::object&)>& extra = {}) {
    const auto marks = s.highlight_terms(q, st.options);
    for (std::size_t i = 0; i < hits.size(); ++i) {
        const auto& h = hits[i];
        const auto snip = s.snippet(h.text, marks, {.max_bytes = st.snippet_bytes}, st.language);
        boost::json::object o;
        if (qid != nullptr) o["qid"] = *qid;
        o["rank"] = i + 1;
        o["score"] = h.score;
        o["article"] = h.article.value;
        o["title"] = h.title;
        o["passage"] = h.passage;
        o["ordinal"] = h.ordinal;
        o["begin"] = h.begin;
        o["end"] = h.end;
        o["snippet"] = highlight::render_plain(h.text, snip);
        o["text"] = h.text;
        if (st.explain) o["explain"] = s.explain(q, h.passage, st.options).to_string();
        if (extra) extra(i, o);
        std::cout << boost::json::serialize(o) << '\n';
    }
}

// A TREC run is whitespace-separated: an id or qid with a space cannot be written into one.
void check_trec_field(const std::string& value, const char* what) {
    if (value.find_first_of(" \t\r\n\v\f") != std::string::npos)
        throw rapport::invalid_argument(std::string(what) + " '" + value +
                                        "' holds whitespace, which a TREC run cannot represent (use --format json)");
}

void print_trec(const std::vector<std::pair<article_id, score_t>>& docs, const settings& st, const std::string& qid) {
    check_trec_field(qid, "query id");
    for (const auto& d : docs) check_trec_field(d.first.value, "article id");
    for (std::size_t i = 0; i < docs.size(); ++i)
        std::printf("%s Q0 %s %zu %.6f %s\n", qid.c_str(), docs[i].first.value.c_str(), i + 1, docs[i].second,
                    st.tag.c_str());
}

// The marked snippets of a hit's text fields besides title and body where the query matches them
// ({"summary": "… builds [trust]"}).
boost::json::object field_highlights(const search::searcher& s, const index::schema& schema,
                                     const std::vector<highlight::highlight_query>& marks, const settings& st,
                                     const index::field_values& values) {
    boost::json::object o;
    for (std::size_t f = 0; f < values.size() && f < schema.fields.size(); ++f) {
        const auto& def = schema.fields[f];
        if (!index::schema::is_extra_text(def) || values[f].stored.empty()) continue;
        const auto n = static_cast<std::size_t>(*schema.text_field(def.name));
        if (marks[n].terms.empty() && marks[n].phrases.empty()) continue;
        const std::string text(boost::json::parse(values[f].stored).as_string());
        const auto snip = s.field_snippet(text, static_cast<index::field>(n), marks[n], {.max_bytes = st.snippet_bytes});
        if (!snip.matches.empty()) o[def.name] = highlight::render_plain(text, snip);
    }
    return o;
}

// Prints a search_request's answer in the chosen format: hits (with their values and cursors), then
// the total and the facets.
void print_response(const search::searcher& s, const query::query& q, const search::search_response& r,
                    const index::schema& schema, const settings& st, const std::string* qid, const std::string& run_qid) {
    if (st.format == output_format::trec) {
        std::vector<std::pair<article_id, score_t>> docs;
        for (const auto& h : r.hits) docs.push_back({h.hit.article, h.hit.score});
        print_trec(docs, st, run_qid);
        return;
    }
    std::vector<search::hit> hits;
    for (const auto& h : r.hits) hits.push_back(h.hit);
    // What to mark in each text field (by number; the first two, title and body, are not used here).
    std::vector<highlight::highlight_query> marks(schema.text_field_count());
    for (std::size_t n = 2; n < marks.size(); ++n) marks[n] = s.highlight_terms(q, static_cast<index::field>(n), st.options);
    if (st.format == output_format::pretty) {
        print_pretty(s, q, hits, st, qid, [&](std::size_t i) {
            // A text field with marks is shown once, marked, on a line of its own.
            const auto marked = field_highlights(s, schema, marks, st, r.hits[i].values);
            auto values = r.hits[i].values;
            for (const auto& entry : marked)
                if (const auto f = schema.index_of(entry.key()); f && *f < values.size()) values[*f] = {};
            auto line = values_text(schema, values);
            for (const auto& entry : marked)
                line += "\n      " + std::string(entry.key()) + ": " + std::string(entry.value().as_string());
            return line;
        });
        if (st.total && r.total) std::printf("total: %s\n", with_commas(*r.total).c_str());
        for (const auto& f : r.facets) {
            std::printf("facet %s:", f.field.c_str());
            for (const auto& c : f.counts) std::printf("  %s (%s)", c.value.c_str(), with_commas(c.count).c_str());
            if (f.other != 0) std::printf("  other (%s)", with_commas(f.other).c_str());
            if (f.missing != 0) std::printf("  none (%s)", with_commas(f.missing).c_str());
            std::printf("\n");
        }
        if (!r.hits.empty()) std::printf("next page: --search-after '%s'\n", r.hits.back().cursor.c_str());
        return;
    }
    print_json(s, q, hits, st, qid, [&](std::size_t i, boost::json::object& o) {
        o["fields"] = values_json(schema, r.hits[i].values);
        if (auto h = field_highlights(s, schema, marks, st, r.hits[i].values); !h.empty()) o["highlights"] = std::move(h);
        o["cursor"] = r.hits[i].cursor;
        if (st.several_indexes) o["index"] = r.hits[i].index;
    });
    // One more line when a total or facets were asked for (a walk knows the total anyway).
    if (st.total || !r.facets.empty()) {
        boost::json::object o;
        if (qid != nullptr) o["qid"] = *qid;
        if (st.total && r.total) o["total"] = *r.total;
        boost::json::object facets;
        for (const auto& f : r.facets) {
            boost::json::array counts;
            for (const auto& c : f.counts) counts.push_back(boost::json::object{{"value", c.value}, {"count", c.count}});
            facets[f.field] = boost::json::object{{"counts", std::move(counts)}, {"other", f.other}, {"missing", f.missing}};
        }
        if (!r.facets.empty()) o["facets"] = std::move(facets);
        std::cout << boost::json::serialize(o) << '\n';
    }
}

double percentile(std::vector<double> sorted_values, double p) {
    if (sorted_values.empty()) return 0;
    std::sort(sorted_values.begin(), sorted_values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted_values.size())));
    return sorted_values[std::min(sorted_values.size(), std::max<std::size_t>(rank, 1)) - 1];
}

}  // namespace

int run_search(const command_args& args) {
    po::options_description visible("Options");
    visible.add_options()
        ("index", po::value<std::vector<std::string>>()->required()->value_name("DIR"),
         "index folder; repeat it to search several indexes as one (global BM25 statistics, one ranking)")
        ("queries", po::value<std::string>()->value_name("FILE"), "run every query of a qid<TAB>text file")
        ("topk,k", po::value<count>()->default_value(count{10}), "hits per query")
        ("mode", po::value<std::string>()->default_value("any"), "how bare words combine: any (OR) or all (AND)")
        ("syntax", po::value<std::string>()->default_value("lenient"),
         "query syntax: lenient (repairs faults; AND/OR/NOT of an all-capitals query are words), strict "
         "(rejects faults), plain (no syntax: quotes, +, -, fields and operators are text)")
        ("strict", po::bool_switch(), "same as --syntax strict")
        ("max-clauses", po::value<count>()->default_value(count{1024})->value_name("N"),
         "most clauses a query may have: terms, phrase words and prefix/fuzzy expansions (0: no limit)")
        ("timeout-ms", po::value<count>()->default_value(count{0})->value_name("N"),
         "stop a query that runs longer than N milliseconds (parsing, expansion, feedback and retrieval) with an "
         "error, exit 1 (0: no limit)")
        ("k1", po::value<double>()->default_value(0.9, "0.9"), "BM25 k1")
        ("b", po::value<double>()->default_value(0.4, "0.4"), "BM25 b")
        ("scoring", po::value<std::string>()->default_value("bm25"),
         "scoring model: bm25 (Lucene's), bm25+ (Lv & Zhai 2011, lower-bounded tf) or bm25l (Lv & Zhai 2011, long passages)")
        ("delta", po::value<double>()->value_name("X"), "delta of bm25+ (default 1.0) or bm25l (default 0.5)")
        ("fields", po::value<std::string>()->default_value("body,title^0.5")->value_name("LIST"),
         "fields that words without field: search, with weights, summed: body, title, or e.g. title^2,body")
        ("bm25f", po::bool_switch(), "score several --fields as one with BM25F instead of summing per-field scores")
        ("format", po::value<std::string>()->default_value("pretty"),
         "pretty, json (one object per hit) or trec (a TREC run; one line per article, by its best passage)")
        ("algorithm", po::value<std::string>()->default_value("auto"),
         "evaluation: auto, exhaustive, maxscore or bmw (block-max WAND); the same hits and scores")
        ("articles", po::bool_switch(), "one hit per article, its best passage (as --format trec ranks)")
        ("filter", po::value<std::vector<std::string>>()->value_name("EXPR"),
         "only hits whose fields match, e.g. 'topic:billing tags:(refund OR return) updated:>=2024-01-01' (QUERY.md)")
        ("facet", po::value<std::vector<std::string>>()->value_name("FIELD[:OPT]"),
         "count matches per value of a field: FIELD, FIELD:N (top N), FIELD:year|month|day, FIELD:every=W, "
         "FIELD:values=A,B or FIELD:LO..HI,LO..HI")
        ("facet-articles", po::bool_switch(), "facets count matching articles instead of passages")
        ("sort", po::value<std::string>()->value_name("[-]FIELD"), "order by a field (-FIELD: descending), ties by score")
        ("offset", po::value<count>()->default_value(count{0})->value_name("N"), "skip the first N hits")
        ("search-after", po::value<std::string>()->value_name("CURSOR"),
         "start after the hit with this cursor (the 'cursor' of a hit in --format json)")
        ("total", po::bool_switch(), "also count every match (or every article with --articles)")
        ("explain", po::bool_switch(), "show how each score is computed")
        ("suggest", po::bool_switch(),
         "did you mean: re-spell query words with few or no hits from the index's words (pretty: a line before the "
         "hits; json: an object {\"suggestion\"}; trec: on stderr)")
        ("lang", po::value<std::string>()->value_name("LANG"),
         "analyse queries (and snippets) in this language, to reach articles indexed with \"lang\": LANG "
         "(default: the index's language)")
        ("synonyms", po::value<std::string>()->value_name("FILE"),
         "expand query words by a Solr-format synonym file (a, b, c / a => b), each group scored as one term")
        ("rm3", po::bool_switch(), "expand each query by RM3 pseudo-relevance feedback")
        ("rm3-passages", po::value<std::string>()->default_value("5")->value_name("N"), "RM3: top passages taken as relevant")
        ("rm3-terms", po::value<std::string>()->default_value("40")->value_name("N"), "RM3: expansion terms kept")
        ("rm3-weight", po::value<double>()->default_value(0.5, "0.5")->value_name("X"), "RM3: weight of the original query, in [0, 1]")
        ("rm3-exponent", po::value<double>()->default_value(3.0, "3")->value_name("X"),
         "RM3: each feedback passage weighs score^X, in [0, 16] (1: raw scores)")
        ("rm3-max-df", po::value<double>()->default_value(1.0, "1")->value_name("X"),
         "RM3: drop feedback terms in more than this share of the passages, in (0, 1] (1: keep all)")
        ("snippet-bytes", po::value<count>()->default_value(count{240}), "longest snippet")
        ("tag", po::value<std::string>()->default_value("rapport"), "run tag of --format trec")
        ("timings", po::value<std::string>()->value_name("FILE"), "write qid<TAB>microseconds per query")
        ("warmup", po::value<count>()->default_value(count{0}), "untimed passes over the queries before timing");
    po::options_description hidden;
    hidden.add_options()("query", po::value<std::vector<std::string>>(), "query");
    po::positional_options_description positional;
    positional.add("query", -1);
    po::variables_map vm;
    if (!parse_command(args, visible, hidden, positional, "--index DIR [OPTIONS] (QUERY... | --queries FILE)",
                       "Searches an index. Queries use rapport's query language (QUERY.md): words, \"phrases\"~slop,\n"
                       "+required, -excluded, AND/OR/NOT, (groups), prefix*, fuzzy~1, boosts^2. Words are analysed\n"
                       "like the indexed text. Timings cover parsing, analysis and retrieval, not output.",
                       vm))
        return exit_ok;

    settings st;
    st.options.k = static_cast<std::size_t>(vm["topk"].as<count>().value);
    if (st.options.k == 0) throw usage_error("--topk must be at least 1");
    const auto mode = vm["mode"].as<std::string>();
    if (mode == "any")
        st.parser.op = query::default_operator::or_;
    else if (mode == "all")
        st.parser.op = query::default_operator::and_;
    else
        throw usage_error("--mode must be any or all, not '" + mode + "'");
    st.options.bm25 = {vm["k1"].as<double>(), vm["b"].as<double>()};
    const auto scoring = vm["scoring"].as<std::string>();
    if (const auto model = search::parse_scoring_model(scoring))
        st.options.bm25.model = *model;
    else
        throw usage_error("--scoring must be bm25, bm25+ or bm25l, not '" + scoring + "'");
    if (vm.count("delta") != 0) {
        if (st.options.bm25.model == search::scoring_model::bm25)
            throw usage_error("--delta applies to --scoring bm25+ or bm25l only");
        st.options.bm25.delta = vm["delta"].as<double>();
    }
    st.fields = parse_fields(vm["fields"].as<std::string>());  // resolved against the schema once the index is open
    st.options.max_clauses = static_cast<std::size_t>(vm["max-clauses"].as<count>().value);
    st.options.bm25f = vm["bm25f"].as<bool>();
    if (st.options.bm25f && st.fields.size() < 2) throw usage_error("--bm25f needs at least two --fields");
    try {
        st.options.bm25.validate();
    } catch (const invalid_argument& e) {
        throw usage_error(e.what());
    }
    const auto format = vm["format"].as<std::string>();
    if (format == "pretty")
        st.format = output_format::pretty;
    else if (format == "json")
        st.format = output_format::json;
    else if (format == "trec")
        st.format = output_format::trec;
    else
        throw usage_error("--format must be pretty, json or trec, not '" + format + "'");
    const auto syntax = vm["syntax"].as<std::string>();
    if (syntax == "strict")
        st.parser.mode = query::parse_mode::strict;
    else if (syntax == "plain")
        st.parser.mode = query::parse_mode::plain;
    else if (syntax != "lenient")
        throw usage_error("--syntax must be lenient, strict or plain, not '" + syntax + "'");
    if (vm["strict"].as<bool>()) {
        if (syntax == "plain") throw usage_error("--strict contradicts --syntax plain");
        st.parser.mode = query::parse_mode::strict;
    }
    st.explain = vm["explain"].as<bool>();
    st.articles = vm["articles"].as<bool>();
    st.suggest = vm["suggest"].as<bool>();
    if (vm.count("lang") != 0) {
        st.language = vm["lang"].as<std::string>();
        if (st.language.empty()) throw usage_error("--lang needs a language name or code");
    }
    const auto algo = vm["algorithm"].as<std::string>();
    if (algo == "auto")
        st.options.algorithm = search::algorithm::automatic;
    else if (algo == "exhaustive")
        st.options.algorithm = search::algorithm::exhaustive;
    else if (algo == "maxscore")
        st.options.algorithm = search::algorithm::maxscore;
    else if (algo == "bmw")
        st.options.algorithm = search::algorithm::block_max_wand;
    else
        throw usage_error("--algorithm must be auto, exhaustive, maxscore or bmw, not '" + algo + "'");
    st.rm3 = vm["rm3"].as<bool>();
    st.rm3_options.feedback_passages = positive_count(vm, "rm3-passages");
    st.rm3_options.expansion_terms = positive_count(vm, "rm3-terms");
    st.rm3_options.original_weight = vm["rm3-weight"].as<double>();
    if (!(st.rm3_options.original_weight >= 0.0 && st.rm3_options.original_weight <= 1.0))
        throw usage_error("--rm3-weight must lie in [0, 1]");
    st.rm3_options.max_df_ratio = vm["rm3-max-df"].as<double>();
    if (!(st.rm3_options.max_df_ratio > 0.0 && st.rm3_options.max_df_ratio <= 1.0))
        throw usage_error("--rm3-max-df must lie in (0, 1]");
    st.rm3_options.score_exponent = vm["rm3-exponent"].as<double>();
    if (!(st.rm3_options.score_exponent >= 0.0 && st.rm3_options.score_exponent <= 16.0))
        throw usage_error("--rm3-exponent must lie in [0, 16]");
    st.snippet_bytes = static_cast<std::size_t>(vm["snippet-bytes"].as<count>().value);
    st.tag = vm["tag"].as<std::string>();
    if (st.tag.empty() || st.tag.find_first_of(" \t\r\n\v\f") != std::string::npos)
        throw usage_error("--tag must be one word (a TREC run is whitespace-separated)");
    st.colour = st.format == output_format::pretty && is_terminal(1);
    if (vm.count("filter") != 0)
        for (const auto& f : vm["filter"].as<std::vector<std::string>>())
            st.filter += (st.filter.empty() ? "(" : " AND (") + f + ")";
    if (vm.count("facet") != 0)
        for (const auto& f : vm["facet"].as<std::vector<std::string>>()) st.facets.push_back(facet_option(f));
    st.facet_articles = vm["facet-articles"].as<bool>();
    if (vm.count("sort") != 0) {
        try {
            st.sort = search::parse_sort(vm["sort"].as<std::string>());
        } catch (const rapport::invalid_argument& e) {
            throw usage_error(std::string("--") + e.what());
        }
    }
    st.offset = static_cast<std::size_t>(vm["offset"].as<count>().value);
    if (st.offset > 100'000) throw usage_error("--offset must be at most 100000 (page further with --search-after)");
    if (vm.count("search-after") != 0) st.search_after = vm["search-after"].as<std::string>();
    st.total = vm["total"].as<bool>();

    std::vector<eval::query> queries;
    const bool from_file = vm.count("queries") != 0;
    if (from_file) {
        if (vm.count("query") != 0) throw usage_error("give either QUERY words or --queries FILE, not both");
        queries = eval::read_queries(vm["queries"].as<std::string>());
    } else if (vm.count("query") != 0) {
        std::string text;
        for (const auto& w : vm["query"].as<std::vector<std::string>>()) text += (text.empty() ? "" : " ") + w;
        queries.push_back({"1", text});
    } else if (!st.filter.empty()) {
        queries.push_back({"1", ""});  // every passage the filter allows
    } else {
        throw usage_error("no query given (QUERY words or --queries FILE)");
    }
    if (st.format == output_format::trec && !from_file && queries.front().qid.empty()) queries.front().qid = "1";

    std::ofstream timings_out;
    if (vm.count("timings") != 0) {
        const auto path = vm["timings"].as<std::string>();
        timings_out.open(path);
        if (!timings_out) throw io_error(path, "cannot create the timings file");
    }
    const bool timing = timings_out.is_open();

    // One index, or several searched as one (search/multi_searcher.hpp).
    const auto paths = vm["index"].as<std::vector<std::string>>();
    std::vector<std::shared_ptr<const search::searcher>> searchers;
    for (const auto& path : paths)
        searchers.push_back(std::make_shared<const search::searcher>(index::index_reader::open(open_index_dir(path))));
    std::optional<search::multi_searcher> many;
    if (searchers.size() > 1) {
        if (st.rm3 || st.suggest || st.explain)
            throw usage_error("--rm3, --suggest and --explain take one --index (they read one index's text or scores)");
        many.emplace(searchers);
        st.several_indexes = true;
    }
    const search::searcher& searcher = *searchers.front();
    const auto& reader = searcher.reader();
    const auto& schema = reader.options().schema;
    st.options.fields = resolve_fields(st.fields, schema);

    search::synonym_table synonyms;
    if (vm.count("synonyms") != 0) {
        synonyms = searcher.synonyms(query::read_synonyms(vm["synonyms"].as<std::string>()));
        if (synonyms.skipped_entries != 0)
            std::fprintf(stderr, "rapport search: %zu synonym entr%s skipped (stopwords: no index term)\n",
                         synonyms.skipped_entries, synonyms.skipped_entries == 1 ? "y" : "ies");
    }
    // Parsing, analysis, synonyms and (with --rm3) feedback: the query as evaluated.
    const auto prepare = [&](const std::string& text) {
        auto tree = searcher.expand_synonyms(searcher.parse(text, st.parser, st.language), synonyms);
        return st.rm3 ? searcher.rm3(tree, st.options, st.rm3_options) : tree;
    };
    // The request of one query, when the index has values or the options need one: clauses on
    // value fields become filters; the rest is the query (`split.text`).
    const bool as_request = schema.has_values() || st.uses_request() || many.has_value();
    const auto run_request = [&](const query::query& analysed, const search::search_request& request) {
        return many ? many->run(analysed, request) : search::run(searcher, analysed, request);
    };
    const auto request_of = [&](const search::split_query& split) {
        search::search_request request;
        request.options = st.options;
        request.filter = split.filter;
        if (!st.filter.empty()) request.filter = (request.filter.empty() ? "" : "(" + request.filter + ") AND ") + st.filter;
        request.facets = st.facets;
        request.facet_articles = st.facet_articles;
        request.sort = st.sort;
        request.articles = st.articles || st.format == output_format::trec;
        request.offset = st.offset;
        request.search_after = st.search_after;
        request.count_total = st.total;
        request.fetch = false;  // fetched below, outside the timed part (as the other paths do)
        return request;
    };
    // Untimed passes warm the page cache and the searcher's caches, on the path the timed pass takes.
    for (std::size_t pass = 0; pass < vm["warmup"].as<count>().value; ++pass)
        for (const auto& q : queries) {
            if (as_request) {
                const auto split = search::split_filter_clauses(q.text, schema);
                (void)run_request(prepare(split.text), request_of(split));
            } else {
                (void)searcher.top_k(prepare(q.text), st.options);
            }
        }

    using clock_type = std::chrono::steady_clock;
    const std::chrono::milliseconds timeout(static_cast<std::int64_t>(
        std::min<std::uint64_t>(vm["timeout-ms"].as<count>().value, std::uint64_t{1} << 40)));
    std::vector<double> micros;
    for (const auto& q : queries) try {
        const std::string* qid = from_file ? &q.qid : nullptr;
        if (timeout.count() != 0) st.options.deadline = clock_type::now() + timeout;
        if (st.suggest) {
            if (const auto better = searcher.suggest(q.text)) {
                if (st.format == output_format::trec) {
                    std::fprintf(stderr, "%s: did you mean: %s\n", q.qid.c_str(), better->c_str());
                } else if (st.format == output_format::json) {
                    boost::json::object o;
                    if (qid != nullptr) o["qid"] = *qid;
                    o["suggestion"] = *better;
                    std::cout << boost::json::serialize(o) << '\n';
                } else {
                    std::printf("did you mean: %s\n", better->c_str());
                }
            }
        }
        if (as_request) {
            const auto split = search::split_filter_clauses(q.text, schema);
            const auto request = request_of(split);
            const auto t0 = clock_type::now();
            const auto analysed = prepare(split.text);
            auto response = run_request(analysed, request);
            micros.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
            for (auto& h : response.hits) {
                const auto& own = many ? many->index(h.index) : searcher;  // the index holding the hit
                if (st.format != output_format::trec) {
                    h.hit = own.fetch({h.hit.score, h.hit.passage});
                    continue;
                }
                // A run needs only the article's id, read in place.
                const auto [seg, local] = own.reader().locate(h.hit.passage);
                h.hit.article = article_id{std::string(seg->article_id(seg->article_of(local)))};
            }
            print_response(searcher, analysed, response, schema, st, qid, q.qid);
        } else if (st.format == output_format::trec) {
            const auto t0 = clock_type::now();
            const auto analysed = prepare(q.text);
            const auto docs = best_articles(searcher, reader, analysed, st.options);
            micros.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
            print_trec(docs, st, q.qid);
        } else {
            const auto t0 = clock_type::now();
            const auto analysed = prepare(q.text);
            const auto top = st.articles ? searcher.top_k_articles(analysed, st.options) : searcher.top_k(analysed, st.options);
            micros.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
            std::vector<search::hit> hits;
            for (const auto& d : top) hits.push_back(searcher.fetch(d));
            if (st.format == output_format::json)
                print_json(searcher, analysed, hits, st, qid);
            else
                print_pretty(searcher, analysed, hits, st, qid);
        }
        if (timing) timings_out << q.qid << '\t' << static_cast<long long>(std::llround(micros.back())) << '\n';
    } catch (const rapport::search_interrupted& e) {
        throw rapport::search_interrupted(e.reason(), (from_file ? vm["queries"].as<std::string>() + ": query '" + q.qid + "': " : "") +
                                                          e.what() + " (--timeout-ms " + std::to_string(timeout.count()) + ")");
    } catch (const rapport::query_syntax_error& e) {
        // From a file, a fault names the query as well as the byte.
        if (!from_file) throw;
        throw rapport::error(vm["queries"].as<std::string>() + ": query '" + q.qid + "': " + e.what());
    } catch (const rapport::invalid_argument& e) {
        if (!from_file) throw;
        throw rapport::invalid_argument(vm["queries"].as<std::string>() + ": query '" + q.qid + "': " + e.what());
    }
    std::fflush(stdout);
    if (timing) {
        timings_out.flush();
        if (!timings_out) throw io_error(vm["timings"].as<std::string>(), "write failed");
        double sum = 0;
        for (double m : micros) sum += m;
        std::fprintf(stderr, "%zu queries: p50 %.1f us  p95 %.1f us  p99 %.1f us  mean %.1f us\n", micros.size(),
                     percentile(micros, 50), percentile(micros, 95), percentile(micros, 99),
                     micros.empty() ? 0.0 : sum / static_cast<double>(micros.size()));
    }
    return exit_ok;
}

}  // namespace rapport::cli
