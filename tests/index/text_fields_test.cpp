// SPDX-License-Identifier: MIT
// Text fields besides title and body (a schema's "summary", "author"): committed, reopened and
// searched as `summary:word` (article-level: every passage of an article holds its field text);
// stored text returned with hits; identical answers and scores after a merge, and after a merge
// with deletions as a fresh index of the survivors; BM25 worked out by hand with the field's own
// exact lengths, average length and df; each field analysed by its own analyzer (language,
// stopwords, case and accent folding, a registered custom one, an unregistered one refused by
// name); a text field appended to an existing index and an analyzer change refused; check_index;
// text columns of FVAL truncated, damaged and resealed; highlights of the field.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/analysis/token_filter.hpp"
#include "rapport/core/crc32c.hpp"
#include "rapport/core/error.hpp"
#include "rapport/highlight/snippet.hpp"
#include "rapport/index/check_index.hpp"
#include "rapport/index/disk_segment.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/index/index_options.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/index/manifest.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/index/value_columns.hpp"
#include "rapport/query/parser.hpp"
#include "rapport/search/request.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/file_format.hpp"
#include "rapport/storage/memory_directory.hpp"
#include "index/manifest_writer.hpp"
#include "support/backends.hpp"
#include "support/envelope.hpp"
#include "support/seed.hpp"

using namespace rapport;
using namespace rapport::index;

namespace {

constexpr field summary_field = static_cast<field>(2);

// The message of the invalid_argument `f` throws ("" and a failed check when it throws none).
template <class F>
std::string refusal(F&& f) {
    try {
        f();
    } catch (const rapport::invalid_argument& e) {
        return e.what();
    }
    FAIL_CHECK("expected an invalid_argument");
    return {};
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

index_writer_options writer_options(const schema& s) {
    index_writer_options o;
    o.index.schema = s;
    o.merges.merge_factor = 0;      // segments stay apart until merge_all
    o.index.passages.min_bytes = 1;  // every paragraph its own passage
    return o;
}

ingest::article article(const std::string& id, const std::string& title, const std::string& body,
                        std::vector<raw_field> fields = {}) {
    return {{id}, title, body, {}, std::move(fields)};
}

// A JSON string literal for a field's raw value.
std::string json_string(const std::string& text) { return "\"" + text + "\""; }

// Every hit of `query` (all of them): (article id, ordinal) → score.
using passage_key = std::pair<std::string, std::uint32_t>;
std::map<passage_key, double> scores(const search::searcher& s, const std::string& query, search::search_options o = {}) {
    o.k = 10000;
    std::map<passage_key, double> out;
    for (const auto& h : s.search(s.parse(query), o)) CHECK(out.emplace(passage_key{h.article.value, h.ordinal}, h.score).second);
    return out;
}

// The distinct articles of the hits of `query`.
std::set<std::string> articles_of(const search::searcher& s, const std::string& query, const search::search_options& o = {}) {
    std::set<std::string> out;
    for (const auto& [key, score] : scores(s, query, o)) out.insert(key.first);
    return out;
}

// Per passage (article id, ordinal), its length in text field `f`, over the live passages.
std::map<passage_key, std::uint32_t> field_lengths(const index_reader& r, field f) {
    std::map<passage_key, std::uint32_t> out;
    for (const auto& seg : r.segments())
        for (docid_t d = 0; d < seg->size(); ++d) {
            if (seg->is_deleted(d)) continue;
            const auto p = seg->passage(d);
            out[{std::string(seg->article_id(p.article)), p.ordinal}] = seg->lengths(f)[d];
        }
    return out;
}

// Lucene's BM25 (with the (k1 + 1) factor rapport keeps) of one term in one passage.
double bm25(double tf, double dl, double avgdl, double n, double df, double k1 = 0.9, double b = 0.4) {
    const double idf = std::log(1.0 + (n - df + 0.5) / (df + 0.5));
    return idf * tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * dl / avgdl));
}

void check_close(double got, double want) {
    CAPTURE(got);
    CAPTURE(want);
    CHECK(want > 0);
    CHECK(std::abs(got - want) <= 1e-6 * std::abs(want));
}

// A schema of one extra text field analysed as the body, then a keyword field.
schema summary_schema() {
    return parse_schema(R"({"fields": [{"name": "summary", "type": "text"}, {"name": "topic", "type": "keyword"}]})");
}

// Reverses each (ASCII) term: a pipeline no standard option makes, so a match proves it was used.
class reverse_filter final : public analysis::token_filter {
public:
    bool apply(std::string& term) override {
        std::reverse(term.begin(), term.end());
        return true;
    }
    [[nodiscard]] std::unique_ptr<analysis::token_filter> clone() const override {
        return std::make_unique<reverse_filter>(*this);
    }
};

analysis::analyzer reversing_analyzer() {
    analysis::analyzer a;
    a.add_filter(analysis::make_case_fold_filter());
    a.add_filter(std::make_unique<reverse_filter>());
    return a;
}

}  // namespace

// ---------------------------------------------------------------- round trip

TEST_CASE_TEMPLATE("index: a text field is committed, reopened and searched as field:word, with its text in the hits", B,
                   test::fs_backend, test::memory_backend) {
    B backend;
    auto dir = backend.make();
    const auto s = summary_schema();
    REQUIRE(s.text_field("summary") == summary_field);
    {
        index_writer w(dir, writer_options(s));
        // Two passages; the field's text belongs to the article, so both passages hold it.
        w.add(article("a1", "Support handbook", "Answer every ticket the same day.\n\nClose the loop with a note.",
                      {{"summary", json_string("Building trust with customers")}, {"topic", json_string("support")}}));
        w.add(article("a2", "Trust and safety", "Shipping delays are explained here.",
                      {{"summary", json_string("Shipping delays explained")}}));
        // No summary: its body and title say "trust", which a summary: query must not see.
        w.add(article("a3", "Customer trust", "We trust our customers.", {{"topic", json_string("support")}}));
        w.commit();
    }
    const auto r = index_reader::open(dir);
    CHECK(r.options().schema == s);
    REQUIRE(r.segments().size() == 1);
    const search::searcher qs(r);

    // summary:trust finds both passages of a1 and nothing else (a2's title and a3's body and title say "trust").
    const auto hits = scores(qs, "summary:trust");
    CHECK(hits.size() == 2);
    CHECK(hits.contains({"a1", 0}));
    CHECK(hits.contains({"a1", 1}));
    CHECK(articles_of(qs, "trust") == std::set<std::string>{"a2", "a3"});  // the default fields: body and title
    CHECK(articles_of(qs, "summary:shipping") == std::set<std::string>{"a2"});
    CHECK(articles_of(qs, "summary:\"building trust\"") == std::set<std::string>{"a1"});
    CHECK(articles_of(qs, "summary:\"trust building\"").empty());
    CHECK(articles_of(qs, "summary:custom*") == std::set<std::string>{"a1"});
    // Prefix and fuzzy terms expand over the field's own terms, also to words no body or title holds.
    CHECK(articles_of(qs, "summary:buil*") == std::set<std::string>{"a1"});
    CHECK(articles_of(qs, "summary:bild~1") == std::set<std::string>{"a1"});
    CHECK(articles_of(qs, "summary:ticke*").empty());  // a body word
    CHECK(articles_of(qs, "summary:tickt~1").empty());
    CHECK(articles_of(qs, "summary:ticket").empty());
    CHECK(qs.count(qs.parse("summary:trust")) == 2);
    // A word only in a summary is not searched by the default fields, but is when they list the field.
    CHECK(articles_of(qs, "building").empty());
    search::search_options with_summary;
    with_summary.fields = {{field::body, 1.0}, {summary_field, 1.0}};
    CHECK(articles_of(qs, "building", with_summary) == std::set<std::string>{"a1"});
    // The schema's text fields are fields of the query language, in strict mode too.
    query::parser_options strict;
    strict.mode = query::parse_mode::strict;
    CHECK(articles_of(qs, "summary:trust") == std::set<std::string>{"a1"});
    CHECK_NOTHROW((void)qs.parse("summary:trust", strict));
    CHECK_THROWS_AS((void)qs.parse("nosuch:trust", strict), rapport::query_syntax_error);

    // Exact lengths: "Building trust with customers" is build, trust, custom ("with" is a stopword).
    const auto lengths = field_lengths(r, summary_field);
    CHECK(lengths.at({"a1", 0}) == 3);
    CHECK(lengths.at({"a1", 1}) == 3);
    CHECK(lengths.at({"a2", 0}) == 3);
    CHECK(lengths.at({"a3", 0}) == 0);
    CHECK(r.total_length(summary_field) == 9);
    CHECK(r.segments()[0]->has_field(summary_field));
    CHECK(r.doc_freq(field_term(summary_field, "trust")) == 2);
    CHECK(r.doc_freq(field_term(field::body, "trust")) == 1);  // a3's body only

    // The stored text comes back with the hits, as JSON, with the field's length beside it.
    search::search_request request;
    request.options.k = 10;
    const auto response = search::run(qs, qs.parse("summary:trust OR customers"), request);
    const auto at = *s.index_of("summary");
    std::map<std::string, field_value> summaries;
    for (const auto& h : response.hits) {
        REQUIRE(h.values.size() == s.fields.size());
        summaries[h.hit.article.value] = h.values[at];
    }
    REQUIRE(summaries.contains("a1"));
    REQUIRE(summaries.contains("a3"));
    CHECK(summaries.at("a1").stored == R"("Building trust with customers")");
    CHECK(summaries.at("a1").number == 3);
    CHECK(summaries.at("a3").stored.empty());
    CHECK_FALSE(summaries.at("a3").number.has_value());
    CHECK(r.segments()[0]->values().values(s, 1)[at].stored == R"("Shipping delays explained")");
    CHECK(check_index(dir).ok());

    // A writer opened later with the default schema keeps the index's, and its articles are searched alike.
    {
        index_writer w(dir);
        w.add(article("a4", "", "More text.", {{"summary", json_string("Trust again")}}));
        w.commit();
    }
    const auto later = index_reader::open(dir);
    CHECK(later.options().schema == s);
    const search::searcher again(later);
    CHECK(articles_of(again, "summary:trust") == std::set<std::string>{"a1", "a4"});
}

TEST_CASE("index: a text field takes only a string, and refuses title and body given as fields") {
    const auto s = summary_schema();
    const auto dir = std::make_shared<storage::memory_directory>();
    index_writer w(dir, writer_options(s));
    CHECK(contains(refusal([&] { w.add(article("x1", "", "body", {{"summary", "42"}})); }), "'summary'"));
    CHECK(contains(refusal([&] { w.add(article("x2", "", "body", {{"summary", R"(["a"])"}})); }), "'summary'"));
    CHECK(contains(refusal([&] { w.add(article("x3", "", "body", {{"body", json_string("more")}})); }), "'body'"));
    // null is no value; an empty string is a value of length 0.
    w.add(article("x4", "", "body", {{"summary", "null"}}));
    w.add(article("x5", "", "body", {{"summary", json_string("")}}));
    w.commit();
    const auto r = index_reader::open(dir);
    const auto& seg = *r.segments()[0];
    REQUIRE(seg.article_count() == 2);
    const auto at = *s.index_of("summary");
    const auto x4 = seg.values().values(s, 0);
    CHECK((x4.empty() || x4[at] == field_value{}));
    CHECK(seg.values().values(s, 1).at(at).stored == R"("")");
    CHECK(seg.lengths(summary_field)[0] == 0);
    CHECK(seg.lengths(summary_field)[1] == 0);
}

// ---------------------------------------------------------------- merges

namespace {

const char* const summaries[] = {"trust builds trust",      "customer trust matters most", "shipping times",
                                 "refunds and trust",       "the trusted shipping partner", "",
                                 "customers trust answers", "loyalty"};

ingest::article numbered(int i) {
    std::vector<raw_field> f;
    if (const char* text = summaries[i % 8]; *text != '\0') f.push_back({"summary", json_string(text)});
    std::string body = "answer number " + std::to_string(i) + " about service";
    if (i % 3 == 0) body += "\n\nsecond paragraph on trust " + std::to_string(i);
    return article("n" + std::to_string(i), "Title " + std::to_string(i), body, std::move(f));
}

const char* const merge_queries[] = {"summary:trust", "summary:(trust OR shipping)", "summary:\"trust matters\"",
                                     "summary:ship*", "+summary:trust +answer", "summary:trust^2 service",
                                     "summary:custom"};

std::map<std::string, std::map<passage_key, double>> answers(const index_reader& r) {
    const search::searcher qs(r);
    std::map<std::string, std::map<passage_key, double>> out;
    for (const char* q : merge_queries) out[q] = scores(qs, q);
    return out;
}

}  // namespace

TEST_CASE_TEMPLATE("index: merged segments answer text field queries identically, with identical scores", B,
                   test::fs_backend, test::memory_backend) {
    B backend;
    auto dir = backend.make();
    index_writer w(dir, writer_options(summary_schema()));
    for (int i = 0; i < 12; ++i) w.add(numbered(i));
    w.commit();
    for (int i = 12; i < 20; ++i) w.add(numbered(i));
    w.commit();
    REQUIRE(w.segment_count() == 2);
    const auto before_reader = index_reader::open(dir);
    const auto before = answers(before_reader);
    const auto lengths_before = field_lengths(before_reader, summary_field);
    for (const char* q : merge_queries) {
        CAPTURE(q);
        CHECK_FALSE(before.at(q).empty());  // every query does exercise the field
    }
    CHECK(before.at("summary:trust").size() > 8);
    CHECK(before.at("summary:ship*").size() == 7);  // n2, n4, n10, n12 and n18 (these two with two passages)
    CHECK(before.at("summary:\"trust matters\"").size() == 4);  // n1, n9 (two passages), n17
    CHECK(check_index(dir).ok());

    w.merge_all();
    REQUIRE(w.segment_count() == 1);
    const auto after_reader = index_reader::open(dir);
    REQUIRE(after_reader.segments().size() == 1);
    CHECK(after_reader.segments()[0]->has_field(summary_field));
    CHECK(after_reader.total_length(summary_field) == before_reader.total_length(summary_field));
    CHECK(field_lengths(after_reader, summary_field) == lengths_before);
    const auto after = answers(after_reader);
    for (const char* q : merge_queries) {
        CAPTURE(q);
        CHECK(after.at(q) == before.at(q));  // exactly: the same statistics give the same doubles
    }
    CHECK(check_index(dir).ok());
}

TEST_CASE("index: a merge with deletions keeps text fields exactly as a fresh index of the survivors") {
    const auto merged = std::make_shared<storage::memory_directory>();
    const std::set<int> removed{1, 4, 9, 14};
    {
        index_writer w(merged, writer_options(summary_schema()));
        for (int i = 0; i < 10; ++i) w.add(numbered(i));
        w.commit();
        for (int i = 10; i < 20; ++i) w.add(numbered(i));
        w.commit();
        for (const int i : removed) w.remove({"n" + std::to_string(i)});
        w.update(numbered(3));  // same text, new segment
        w.commit();
        w.merge_all();
        REQUIRE(w.segment_count() == 1);
    }
    const auto fresh = std::make_shared<storage::memory_directory>();
    {
        index_writer w(fresh, writer_options(summary_schema()));
        for (int i = 0; i < 20; ++i)
            if (!removed.contains(i)) w.add(numbered(i));
        w.commit();
    }
    const auto m = index_reader::open(merged);
    const auto f = index_reader::open(fresh);
    REQUIRE(m.segments()[0]->deleted_count() == 0);
    CHECK(m.passage_count() == f.passage_count());
    CHECK(m.total_length(summary_field) == f.total_length(summary_field));
    CHECK(field_lengths(m, summary_field) == field_lengths(f, summary_field));
    const auto got = answers(m);
    const auto want = answers(f);
    for (const char* q : merge_queries) {
        CAPTURE(q);
        REQUIRE(got.at(q).size() == want.at(q).size());
        for (const auto& entry : want.at(q)) {  // not a structured binding: clang 14 cannot capture one
            const auto& key = entry.first;
            CAPTURE(key.first);
            REQUIRE(got.at(q).contains(key));
            CHECK(got.at(q).at(key) == doctest::Approx(entry.second).epsilon(1e-12));
        }
    }
    CHECK(check_index(merged).ok());
}

// ---------------------------------------------------------------- BM25

// No stemming, no stopwords in the summary: its terms are the lower-cased words.
//   s0: summary "trust builds trust"           1 passage,  length 3, tf(trust) 2
//   s1: summary "customer trust matters most"  2 passages, length 4 each, tf 1
//   s2: summary "shipping"                     1 passage,  length 1            (second commit)
//   s3: no summary                             1 passage,  length 0            (second commit)
// N = 5 passages, summary total 3 + 4 + 4 + 1 + 0 = 12, avgdl 12/5, df(trust) 3 (over both segments).
TEST_CASE("index: field:word scores BM25 with the field's own exact lengths, average length and df (by hand)") {
    const auto dir = std::make_shared<storage::memory_directory>();
    const auto s = parse_schema(
        R"({"fields": [{"name": "summary", "type": "text", "analyzer": {"language": "none", "stopwords": false}}]})");
    {
        index_writer w(dir, writer_options(s));
        w.add(article("s0", "Trust trust trust", "Trust is earned.", {{"summary", json_string("Trust builds trust")}}));
        w.add(article("s1", "", "First part on trust.\n\nSecond part with several more words about nothing much.",
                      {{"summary", json_string("Customer trust matters most")}}));
        w.commit();
        w.add(article("s2", "", "Parcels and boxes, trust.", {{"summary", json_string("Shipping")}}));
        w.add(article("s3", "", "No summary here, only trust in the body."));
        w.commit();
    }
    const auto r = index_reader::open(dir);
    REQUIRE(r.segments().size() == 2);
    REQUIRE(r.passage_count() == 5);
    REQUIRE(r.total_length(summary_field) == 12);
    REQUIRE(r.doc_freq(field_term(summary_field, "trust")) == 3);
    const double avgdl = 12.0 / 5.0;
    const search::searcher qs(r);

    const auto check_scores = [&](const search::search_options& o, double k1, double b) {
        const auto hits = scores(qs, "summary:trust", o);
        REQUIRE(hits.size() == 3);
        check_close(hits.at({"s0", 0}), bm25(2, 3, avgdl, 5, 3, k1, b));
        check_close(hits.at({"s1", 0}), bm25(1, 4, avgdl, 5, 3, k1, b));
        check_close(hits.at({"s1", 1}), bm25(1, 4, avgdl, 5, 3, k1, b));
        // A rare term: df 1.
        const auto rare = scores(qs, "summary:shipping", o);
        REQUIRE(rare.size() == 1);
        check_close(rare.at({"s2", 0}), bm25(1, 1, avgdl, 5, 1, k1, b));
        // Two terms of the field sum; a boost multiplies.
        const auto both = scores(qs, "summary:(trust customer)", o);
        check_close(both.at({"s1", 1}), bm25(1, 4, avgdl, 5, 3, k1, b) + bm25(1, 4, avgdl, 5, 2, k1, b));
        const auto boosted = scores(qs, "summary:trust^3", o);
        check_close(boosted.at({"s0", 0}), 3 * bm25(2, 3, avgdl, 5, 3, k1, b));
        // The field as a default field, weighted, next to the body.
        auto fielded = o;
        fielded.fields = {{summary_field, 2.0}};
        const auto weighted = scores(qs, "trust", fielded);
        REQUIRE(weighted.size() == 3);
        check_close(weighted.at({"s0", 0}), 2 * bm25(2, 3, avgdl, 5, 3, k1, b));
        // explain tells the same score.
        const auto q = qs.parse("summary:trust");
        for (const auto& h : qs.search(q, o)) check_close(qs.explain(q, h.passage, o).value, h.score);
    };
    SUBCASE("rapport's defaults, k1 0.9 and b 0.4") { check_scores({}, 0.9, 0.4); }
    SUBCASE("Lucene's k1 1.2 and b 0.75") {
        search::search_options o;
        o.bm25.k1 = 1.2;
        o.bm25.b = 0.75;
        check_scores(o, 1.2, 0.75);
    }
    SUBCASE("every pruning algorithm gives the same scores") {
        for (const auto a : {search::algorithm::automatic, search::algorithm::exhaustive, search::algorithm::maxscore,
                             search::algorithm::block_max_wand}) {
            CAPTURE(static_cast<int>(a));
            search::search_options o;
            o.algorithm = a;
            check_scores(o, 0.9, 0.4);
        }
    }
}

// ---------------------------------------------------------------- analyzers

TEST_CASE("index: each text field is analysed by its own analyzer, in the index and in queries") {
    const auto dir = std::make_shared<storage::memory_directory>();
    const auto s = parse_schema(R"({"fields": [
        {"name": "plain", "type": "text", "analyzer": {"language": "none"}},
        {"name": "stemmed", "type": "text", "analyzer": {"language": "english"}},
        {"name": "keepall", "type": "text", "analyzer": {"stopwords": false}},
        {"name": "cased", "type": "text", "analyzer": {"language": "none", "case_fold": false}},
        {"name": "accents", "type": "text", "analyzer": {"fold_accents": false}},
        {"name": "same", "type": "text"}]})");
    REQUIRE(s.text_field_count() == max_text_fields);
    const auto f = [&](const char* name) { return *s.text_field(name); };
    {
        index_writer w(dir, writer_options(s));
        w.add(article("t1", "", "Nothing to see.",
                      {{"plain", json_string("run")},
                       {"stemmed", json_string("run")},
                       {"keepall", json_string("the answer")},
                       {"cased", json_string("Trust")},
                       {"accents", json_string("caf\u00e9")},
                       {"same", json_string("running the caf\u00e9")}}));
        w.add(article("t2", "", "Other words.",
                      {{"plain", json_string("running")}, {"stemmed", json_string("the")}, {"keepall", json_string("answers")}}));
        w.commit();
    }
    const auto r = index_reader::open(dir);
    const search::searcher qs(r);
    // language none: no stemming, so "running" and "run" stay apart; english stems both to "run".
    CHECK(articles_of(qs, "plain:running") == std::set<std::string>{"t2"});
    CHECK(articles_of(qs, "plain:run") == std::set<std::string>{"t1"});
    CHECK(articles_of(qs, "stemmed:running") == std::set<std::string>{"t1"});
    CHECK(r.doc_freq(field_term(f("plain"), "running")) == 1);
    // Expansions find the field's terms as its analyzer made them (neither word is in a body).
    CHECK(articles_of(qs, "plain:runn*") == std::set<std::string>{"t2"});
    CHECK(articles_of(qs, "plain:runing~1") == std::set<std::string>{"t2"});
    CHECK(r.doc_freq(field_term(f("stemmed"), "run")) == 1);
    // stopwords false keeps "the" (and counts it in the length); english drops it.
    CHECK(articles_of(qs, "keepall:the") == std::set<std::string>{"t1"});
    CHECK(articles_of(qs, "stemmed:the").empty());
    CHECK(r.doc_freq(field_term(f("stemmed"), "the")) == 0);
    const auto keepall = field_lengths(r, f("keepall"));
    CHECK(keepall.at({"t1", 0}) == 2);
    CHECK(field_lengths(r, f("stemmed")).at({"t2", 0}) == 0);  // "the" alone: nothing indexed
    // case_fold false: "Trust" only as written.
    CHECK(articles_of(qs, "cased:Trust") == std::set<std::string>{"t1"});
    CHECK(articles_of(qs, "cased:trust").empty());
    // fold_accents false: "café" is not "cafe"; the body's analysis (english) folds it.
    CHECK(articles_of(qs, "accents:caf\u00e9") == std::set<std::string>{"t1"});
    CHECK(articles_of(qs, "accents:cafe").empty());
    CHECK(articles_of(qs, "same:cafe") == std::set<std::string>{"t1"});
    // A field without options is analysed as the body: english stems, drops "the".
    CHECK(articles_of(qs, "same:run") == std::set<std::string>{"t1"});
    CHECK(articles_of(qs, "same:the").empty());
    CHECK(check_index(dir).ok());

    // Another language brings its own stemmer, stopwords and elision; the body keeps english.
    const auto fr_dir = std::make_shared<storage::memory_directory>();
    const auto fr = parse_schema(R"({"fields": [{"name": "french", "type": "text", "analyzer": {"language": "french"}}]})");
    {
        index_writer w(fr_dir, writer_options(fr));
        w.add(article("f1", "", "The pupils.", {{"french", json_string("les \u00e9l\u00e8ves de l'\u00e9cole")}}));
        w.commit();
    }
    const auto fr_reader = index_reader::open(fr_dir);
    const search::searcher fq(fr_reader);
    CHECK(articles_of(fq, "french:\u00e9l\u00e8ve") == std::set<std::string>{"f1"});
    CHECK(articles_of(fq, "french:\u00e9coles") == std::set<std::string>{"f1"});
    CHECK(articles_of(fq, "french:de").empty());  // a French stopword
    CHECK(fr_reader.doc_freq(field_term(static_cast<field>(2), "de")) == 0);
    CHECK(field_lengths(fr_reader, static_cast<field>(2)).at({"f1", 0}) == 3);  // le(s), élèves, (l')école
    CHECK(articles_of(fq, "pupil") == std::set<std::string>{"f1"});
}

TEST_CASE("index: a text field's registered custom analyzer is used; an unregistered one is refused by name") {
    analysis::register_analyzer("text-fields-test-reverse", reversing_analyzer());
    const auto s = parse_schema(
        R"({"fields": [{"name": "code", "type": "text", "analyzer": {"custom": "text-fields-test-reverse"}}]})");
    const auto code = *s.text_field("code");
    const auto dir = std::make_shared<storage::memory_directory>();
    {
        index_writer w(dir, writer_options(s));
        w.add(article("c1", "", "Plain body words.", {{"code", json_string("Alpha Beta")}}));
        w.add(article("c2", "", "More body words.", {{"code", json_string("gamma")}}));
        w.commit();
    }
    const auto r = index_reader::open(dir);
    // Indexed through the pipeline: case folded, then reversed.
    CHECK(r.doc_freq(field_term(code, "ahpla")) == 1);
    CHECK(r.doc_freq(field_term(code, "alpha")) == 0);
    CHECK(r.doc_freq(field_term(field::body, "plain")) == 1);  // the body keeps the index's analyzer
    const search::searcher qs(r);
    // And queried through it: "ALPHA" folds and reverses to the indexed term.
    CHECK(articles_of(qs, "code:ALPHA") == std::set<std::string>{"c1"});
    CHECK(articles_of(qs, "code:\"alpha beta\"") == std::set<std::string>{"c1"});
    CHECK(articles_of(qs, "code:ahpla").empty());
    CHECK(articles_of(qs, "code:gamma") == std::set<std::string>{"c2"});
    CHECK(check_index(dir).ok());

    // field_analyzer gives the registered pipeline, and names the field and analyzer when it is missing.
    index_options options;
    auto reversed = field_analyzer(options, *s.find("code"));
    REQUIRE(reversed.has_value());
    REQUIRE(reversed->analyze("Delta").size() == 1);
    CHECK(reversed->analyze("Delta")[0].term == "atled");
    field_def missing{"notes", field_type::text, {}};
    missing.analysis.custom = "text-fields-test-never-registered";
    const auto why = refusal([&] { (void)field_analyzer(options, missing); });
    CHECK(contains(why, "'notes'"));
    CHECK(contains(why, "'text-fields-test-never-registered'"));
    CHECK(contains(why, "not registered"));

    // A new index naming an unregistered analyzer is refused before anything is written.
    const auto unregistered = parse_schema(
        R"({"fields": [{"name": "notes", "type": "text", "analyzer": {"custom": "text-fields-test-never-registered"}}]})");
    const auto empty_dir = std::make_shared<storage::memory_directory>();
    const auto create = refusal([&] { index_writer w(empty_dir, writer_options(unregistered)); });
    CHECK(contains(create, "'notes'"));
    CHECK(contains(create, "'text-fields-test-never-registered'"));
    CHECK_FALSE(read_latest_manifest(*empty_dir).has_value());

    // An existing index whose schema names an analyzer this process has not registered (as
    // another process that did not register it sees the index): a searcher and a writer are
    // refused by name when they open; the index stays readable.
    auto m = read_latest_manifest(*dir);
    REQUIRE(m.has_value());
    REQUIRE(m->options.schema.find("code") != nullptr);
    for (auto& def : m->options.schema.fields)
        if (def.name == "code") def.analysis.custom = "text-fields-test-never-registered";
    write_manifest(*dir, *m);
    const auto lost = index_reader::open(dir);
    CHECK(lost.passage_count() == 2);
    const auto search_refused = refusal([&] { const search::searcher no(lost); });
    CHECK(contains(search_refused, "'code'"));
    CHECK(contains(search_refused, "'text-fields-test-never-registered'"));
    const auto open_refused = refusal([&] { index_writer w(dir); });
    CHECK(contains(open_refused, "'text-fields-test-never-registered'"));
    CHECK(index_reader::open(dir).passage_count() == 2);
}

// ---------------------------------------------------------------- schema changes

TEST_CASE_TEMPLATE("index: a text field appended to an existing index: old articles lack it, new ones are searched in it", B,
                   test::fs_backend, test::memory_backend) {
    B backend;
    auto dir = backend.make();
    const auto s = summary_schema();
    {
        index_writer w(dir, writer_options(s));
        w.add(article("old1", "Ada Lovelace", "Ada Lovelace wrote the first program.\n\nNotes on the engine.",
                      {{"summary", json_string("The first program")}}));
        w.add(article("old2", "", "Engines and looms.", {{"summary", json_string("Looms")}}));
        w.commit();
    }
    auto appended = s;
    field_def author_def{"author", field_type::text, {}};
    author_def.analysis.language = "none";
    author_def.analysis.stopwords.emplace();
    appended.fields.push_back(author_def);
    const auto author = *appended.text_field("author");
    CHECK(author == static_cast<field>(3));
    const auto generation = index_reader::open(dir).generation();

    // Changing an existing text field's analyzer, moving it, or inserting a field before it is refused.
    auto reanalysed = s;
    reanalysed.fields[*s.index_of("summary")].analysis.language = "none";
    const auto changed = refusal([&] { index_writer w(dir, writer_options(reanalysed)); });
    CHECK(contains(changed, "'summary'"));
    CHECK(contains(changed, "would change its analyzer"));
    CHECK(contains(changed, R"({"language":"none"})"));
    CHECK_FALSE(contains(changed, "non-text"));  // text fields may be appended too: the hint must not say otherwise
    auto inserted = appended;
    std::swap(inserted.fields[*s.index_of("summary")], inserted.fields.back());
    CHECK(contains(refusal([&] { index_writer w(dir, writer_options(inserted)); }), "'summary'"));
    auto retyped = s;
    retyped.fields[*s.index_of("summary")].type = field_type::stored;
    CHECK(contains(refusal([&] { index_writer w(dir, writer_options(retyped)); }), "'summary' is text, not stored"));
    CHECK(index_reader::open(dir).generation() == generation);

    index_writer w(dir, writer_options(appended));
    w.add(article("new1", "", "A later article.",
                  {{"summary", json_string("The engine")}, {"author", json_string("Ada Lovelace")}}));
    w.add(article("new2", "", "Another later one.", {{"summary", json_string("Looms again")}}));
    w.commit();
    for (const bool merged : {false, true}) {
        CAPTURE(merged);
        const auto r = index_reader::open(dir);
        CHECK(r.options().schema == appended);
        CHECK(r.segments().size() == (merged ? 1u : 2u));
        if (!merged) {
            // The old segment has no author lengths at all: zero for every passage.
            const auto& old = *r.segments()[0];
            CHECK_FALSE(old.has_field(author));
            CHECK(old.has_field(summary_field));
            CHECK(old.total_length(author) == 0);
            REQUIRE(old.lengths(author).size() == old.size());
            CHECK(std::all_of(old.lengths(author).begin(), old.lengths(author).end(), [](std::uint32_t l) { return l == 0; }));
            CHECK(r.segments()[1]->has_field(author));
        }
        const auto lengths = field_lengths(r, author);
        CHECK(lengths.at({"old1", 0}) == 0);
        CHECK(lengths.at({"old1", 1}) == 0);
        CHECK(lengths.at({"new1", 0}) == 2);
        CHECK(lengths.at({"new2", 0}) == 0);
        CHECK(r.total_length(author) == 2);
        const search::searcher qs(r);
        // old1's title and body say "Ada Lovelace", but it has no author.
        CHECK(articles_of(qs, "author:lovelace") == std::set<std::string>{"new1"});
        CHECK(articles_of(qs, "author:\"ada lovelace\"") == std::set<std::string>{"new1"});
        CHECK(articles_of(qs, "summary:looms") == std::set<std::string>{"old2", "new2"});
        CHECK(articles_of(qs, "summary:engine") == std::set<std::string>{"new1"});
        // Its score counts every passage, old ones with length 0: N 5, author total 2.
        const auto hit = scores(qs, "author:lovelace");
        REQUIRE(hit.size() == 1);
        check_close(hit.begin()->second, bm25(1, 2, 2.0 / 5.0, 5, 1));
        // The old articles read as having no author.
        search::search_request request;
        const auto response = search::run(qs, qs.parse("summary:looms"), request);
        for (const auto& h : response.hits) {
            REQUIRE(h.values.size() == appended.fields.size());
            CHECK(h.values.back() == field_value{});
        }
        CHECK(check_index(dir).ok());
        if (!merged) w.merge_all();
    }
}

// ---------------------------------------------------------------- check_index

TEST_CASE_TEMPLATE("index: check_index passes on an index with text fields, deletions and merges", B, test::fs_backend,
                   test::memory_backend) {
    B backend;
    auto dir = backend.make();
    const auto s = parse_schema(R"({"fields": [{"name": "summary", "type": "text"}, {"name": "views", "type": "integer"},
        {"name": "author", "type": "text", "analyzer": {"language": "none", "stopwords": false}}]})");
    index_writer w(dir, writer_options(s));
    std::mt19937 rng(rapport::test::seed(83));
    static const char* words[] = {"trust", "the", "customer", "Service", "loyalty", "caf\u00e9", "running", "a"};
    const auto text = [&] {
        std::string t;
        for (auto n = rng() % 6; n > 0; --n) t += std::string(words[rng() % 8]) + " ";
        return t;
    };
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 40; ++i) {
            const int n = round * 40 + i;
            std::vector<raw_field> f;
            if (rng() % 4 != 0) f.push_back({"summary", json_string(text())});
            if (rng() % 2 != 0) f.push_back({"author", json_string(text())});
            if (rng() % 3 != 0) f.push_back({"views", std::to_string(n)});
            std::string body = "body " + text();
            if (n % 4 == 0) body += "\n\nanother paragraph " + text();
            w.add(article("c" + std::to_string(n), text(), body, std::move(f)));
        }
        for (int i = 0; i < 5; ++i) w.remove({"c" + std::to_string(rng() % (40 * (round + 1)))});
        w.commit();
        const auto report = check_index(dir);
        CHECK_MESSAGE(report.ok(), (report.ok() ? std::string() : report.problems.front()));
        CHECK(report.postings > 0);
    }
    w.merge_all();
    CHECK(check_index(dir).ok());
    const auto r = index_reader::open(dir);
    CHECK(r.total_length(*s.text_field("summary")) > 0);
    CHECK(r.total_length(*s.text_field("author")) > 0);
}

// ---------------------------------------------------------------- FVAL text columns

namespace {

schema text_column_schema() {
    field_def other{"other", field_type::text, {}};
    other.analysis.language = "none";
    return validate_schema(
        {{{"notes", field_type::text, {}}, {"views", field_type::integer, {}}, other, {"meta", field_type::stored, {}}}});
}

// Articles whose text fields hold a JSON string and its length, as the writer leaves them.
std::vector<field_values> text_articles(const schema& s, std::size_t n, std::mt19937_64& rng) {
    std::vector<field_values> out;
    for (std::size_t a = 0; a < n; ++a) {
        if (rng() % 9 == 0) {
            out.emplace_back();
            continue;
        }
        field_values v(s.fields.size());
        for (const char* name : {"notes", "other"}) {
            if (rng() % 3 == 0) continue;
            const auto words = rng() % 5;
            std::string t;
            for (std::uint64_t i = 0; i < words; ++i) t += (i ? " w" : "w") + std::to_string(rng() % 100);
            auto& x = v[*s.index_of(name)];
            x.stored = json_string(t);
            x.number = static_cast<std::int64_t>(words);
        }
        if (rng() % 2) v[*s.index_of("views")].number = static_cast<std::int64_t>(rng() % 1000);
        if (rng() % 2) v[*s.index_of("meta")].stored = R"({"k":)" + std::to_string(rng() % 50) + "}";
        out.push_back(std::move(v));
    }
    return out;
}

// The offset in `payload` of the byte right after the (unique) column name `name`.
std::size_t after_name(const std::string& payload, const std::string& name) {
    const auto at = payload.find(std::string(1, static_cast<char>(name.size())) + name);
    REQUIRE(at != std::string::npos);
    REQUIRE(payload.find(name, at + 2) == std::string::npos);
    return at + 1 + name.size();
}

using test::envelope_like;

}  // namespace

TEST_CASE("index: FVAL text columns round trip with their field numbers and lengths") {
    const auto s = text_column_schema();
    REQUIRE(s.text_field("notes") == static_cast<field>(2));
    REQUIRE(s.text_field("other") == static_cast<field>(3));
    std::mt19937_64 rng(rapport::test::seed(89));
    for (const std::size_t n : {0u, 1u, 63u, 64u, 65u, 129u}) {
        CAPTURE(n);
        const auto articles = text_articles(s, n, rng);
        const value_columns built(s, articles);
        const auto payload = built.encode(static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(2 * n));
        const auto back =
            value_columns::decode(payload, static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(2 * n), "t.fval");
        CHECK(back.encode(static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(2 * n)) == payload);
        REQUIRE(back.columns().size() == 4);
        CHECK(back.find("notes")->text_field == 2);
        CHECK(back.find("other")->text_field == 3);
        CHECK(back.find("views")->text_field == 0);
        CHECK(back.find("title") == nullptr);
        for (std::uint32_t a = 0; a < n; ++a) {
            CAPTURE(a);
            const auto v = back.values(s, a);
            bool any = false;
            for (const auto& x : articles[a]) any = any || x.number || !x.stored.empty() || !x.keywords.empty();
            CHECK(v == (any ? articles[a] : field_values{}));
            const auto* notes = back.find("notes");
            CHECK(notes->has(a) == (!articles[a].empty() && articles[a][*s.index_of("notes")].number.has_value()));
        }
    }
}

TEST_CASE("index: a truncated or damaged FVAL text column is a corruption_error naming the file, never a crash") {
    const auto s = text_column_schema();
    std::mt19937_64 rng(rapport::test::seed(97));
    const auto articles = text_articles(s, 70, rng);
    const auto payload = value_columns(s, articles).encode(70, 140);
    std::size_t refused = 0, flips = 0;
    for (std::size_t cut = 0; cut < payload.size(); ++cut) {
        CAPTURE(cut);
        CHECK_THROWS_WITH_AS((void)value_columns::decode(payload.substr(0, cut), 70, 140, "cut.fval"),
                             doctest::Contains("cut.fval"), corruption_error);
    }
    for (std::size_t at = 0; at < payload.size(); ++at)
        for (const unsigned mask : {0x01u, 0x80u, 0xFFu}) {
            auto damaged = payload;
            damaged[at] = static_cast<char>(static_cast<unsigned char>(damaged[at]) ^ mask);
            try {
                const auto c = value_columns::decode(damaged, 70, 140, "flip.fval");
                for (std::uint32_t a = 0; a < 70; ++a) {
                    for (const auto& col : c.columns()) (void)col.value(a);
                    (void)c.values(s, a);
                }
            } catch (const corruption_error& e) {
                CHECK(contains(e.what(), "flip.fval"));
                ++refused;
            }
            ++flips;
        }
    CHECK(refused > 0);
    CHECK(refused < flips);

    // The text column's own fields, damaged one at a time.
    const auto why = [&](const std::string& bytes) {
        try {
            (void)value_columns::decode(bytes, 70, 140, "t.fval");
        } catch (const corruption_error& e) {
            return std::string(e.what());
        }
        FAIL_CHECK("expected a corruption_error");
        return std::string();
    };
    const auto notes = after_name(payload, "notes");  // then type 0, then the field number
    REQUIRE(payload[notes] == 0);
    REQUIRE(payload[notes + 1] == 2);
    auto below = payload;
    below[notes + 1] = 1;  // the title's number
    CHECK(contains(why(below), "numbered below 2"));
    auto beyond = payload;
    beyond[notes + 1] = static_cast<char>(max_text_fields);
    CHECK(contains(why(beyond), "t.fval"));
    auto twice = payload;
    twice[after_name(payload, "other") + 1] = 2;  // other takes notes' number
    CHECK(contains(why(twice), "share a number"));
    auto renamed = payload;
    renamed.replace(notes - 5, 5, "title");
    CHECK(contains(why(renamed), "own text has no column"));
    // A length that does not fit 32 bits.
    auto huge = articles;
    huge[1].resize(s.fields.size());
    huge[1][2] = {{}, std::int64_t{1} << 33, json_string("x")};
    CHECK(contains(why(value_columns(s, huge).encode(70, 140)), "length out of range"));
    huge[1][2].number = -1;
    CHECK(contains(why(value_columns(s, huge).encode(70, 140)), "length out of range"));
}

TEST_CASE("index: an index whose FVAL text column is damaged, truncated or resealed wrong is refused or reported") {
    const auto build = [] {
        auto dir = std::make_shared<storage::memory_directory>("mem");
        index_writer w(dir, writer_options(summary_schema()));
        for (int i = 0; i < 6; ++i) w.add(numbered(i));
        w.commit();
        return dir;
    };
    const auto source = build();
    const auto m = read_latest_manifest(*source);
    REQUIRE(m.has_value());
    REQUIRE(m->segments.size() == 1);
    const auto file = segment_file_name(m->segments[0].name, segment_files::values);
    const auto original = source->read_raw(file);
    REQUIRE(original.size() > storage::envelope_size);
    const auto copy_with = [&](const std::string& bytes) {
        auto dir = build();
        dir->write_raw(file, bytes);
        return dir;
    };
    const auto refused = [&](const std::shared_ptr<storage::memory_directory>& dir) {
        try {
            const auto r = index_reader::open(dir);
            const search::searcher qs(r);
            (void)qs.search(qs.parse("summary:trust"));
            FAIL_CHECK("the damage went unnoticed");
        } catch (const corruption_error& e) {
            CHECK(contains(e.what(), file));
        }
        const auto report = check_index(dir);
        bool named = false;
        for (const auto& p : report.problems) named = named || contains(p, file);
        CHECK(named);
    };
    const std::size_t payload_at = storage::header_size;
    const std::size_t payload_size = original.size() - storage::envelope_size;
    const auto payload = original.substr(payload_at, payload_size);
    const auto text_number = payload_at + after_name(payload, "summary") + 1;
    for (const std::size_t at : {payload_at, payload_at + payload_size / 2, text_number, original.size() - 1}) {
        CAPTURE(at);
        auto damaged = original;
        damaged[at] = static_cast<char>(damaged[at] ^ 0xFF);
        refused(copy_with(damaged));
    }
    for (const std::size_t length : {std::size_t{0}, original.size() / 2, original.size() - 1}) {
        CAPTURE(length);
        refused(copy_with(original.substr(0, length)));
    }

    // Resealed (envelope CRC and the manifest's seal recomputed): only the payload's structure can tell.
    const auto resealed = [&](const std::string& new_payload) {
        auto dir = build();
        auto mm = read_latest_manifest(*dir);
        REQUIRE(mm.has_value());
        const auto [bytes, crc] = envelope_like(original, new_payload);
        dir->write_raw(file, bytes);
        const auto slot = static_cast<std::size_t>(std::find(std::begin(segment_files::all), std::end(segment_files::all),
                                                             std::string_view(segment_files::values)) -
                                                   std::begin(segment_files::all));
        mm->segments[0].files.at(slot) = {bytes.size(), crc};
        write_manifest(*dir, *mm);
        return dir;
    };
    REQUIRE(index_reader::open(resealed(payload)).passage_count() == index_reader::open(source).passage_count());
    REQUIRE(check_index(resealed(payload)).ok());
    auto below = payload;
    below[text_number - payload_at] = 1;
    refused(resealed(below));
    // Every summary length one more than the postings were written with (the column's smallest
    // value, `lo`, right after the field number and its count of present articles): the index
    // opens, and check_index reports the bounds that disagree with the lengths.
    auto longer = payload;
    const auto present_at = text_number - payload_at + 1;
    const auto present = static_cast<unsigned char>(longer[present_at]);
    REQUIRE(present < 0x80);
    REQUIRE(present > 0);
    // Some of the six articles lack a summary (numbered(5)): a presence word precedes lo.
    const auto lo_at = present_at + 1 + (present == 6 ? 0 : 8);
    const auto lo = static_cast<unsigned char>(longer[lo_at]);
    REQUIRE(lo < 0x7E);
    REQUIRE(lo % 2 == 0);  // zigzag of a non-negative length
    longer[lo_at] = static_cast<char>(lo + 2);
    const auto dir = resealed(longer);
    const auto r = index_reader::open(dir);
    CHECK(field_lengths(r, summary_field) != field_lengths(index_reader::open(source), summary_field));
    CHECK_FALSE(check_index(dir).ok());
}

// ---------------------------------------------------------------- highlights

TEST_CASE("index: highlight_terms and field_snippet mark a text field with its own analyzer") {
    analysis::register_analyzer("text-fields-test-reverse", reversing_analyzer());
    const auto s = parse_schema(R"({"fields": [{"name": "summary", "type": "text"},
        {"name": "plain", "type": "text", "analyzer": {"language": "none"}},
        {"name": "code", "type": "text", "analyzer": {"custom": "text-fields-test-reverse"}}]})");
    const auto plain = *s.text_field("plain");
    const auto code = *s.text_field("code");
    const auto dir = std::make_shared<storage::memory_directory>();
    const std::string summary_text = "Customers trust teams that keep their promises";
    {
        index_writer w(dir, writer_options(s));
        w.add(article("h1", "Trust", "Trusting the body too.",
                      {{"summary", json_string(summary_text)},
                       {"plain", json_string("Running and runs")},
                       {"code", json_string("abc def")}}));
        w.commit();
    }
    const auto r = index_reader::open(dir);
    const search::searcher qs(r);

    // summary:trusting is stemmed as the body is: "trust"; it marks the summary, not the body.
    const auto q = qs.parse("summary:trusting");
    const auto marks = qs.highlight_terms(q, summary_field);
    CHECK(marks.terms == std::vector<std::string>{"trust"});
    CHECK(qs.highlight_terms(q).parts() == 0);  // the body
    CHECK(qs.highlight_terms(q, plain).parts() == 0);
    const auto snip = qs.field_snippet(summary_text, summary_field, marks);
    REQUIRE(snip.matches.size() == 1);
    CHECK(summary_text.substr(snip.matches[0].begin, snip.matches[0].end - snip.matches[0].begin) == "trust");
    CHECK(contains(highlight::render_plain(summary_text, snip), "Customers [trust] teams"));

    // A phrase of the field is marked as a phrase.
    const auto phrase = qs.highlight_terms(qs.parse("summary:\"keep their promises\""), summary_field);
    CHECK(phrase.phrases.size() == 1);
    CHECK(contains(highlight::render_plain(summary_text, qs.field_snippet(summary_text, summary_field, phrase)),
                   "that [keep their promises]"));
    // Words that are not next to each other in the field are no phrase there.
    const auto apart = qs.highlight_terms(qs.parse("summary:\"keep promises\""), summary_field);
    CHECK(qs.field_snippet(summary_text, summary_field, apart).matches.empty());

    // language none: "running" marks "Running" only, not "runs".
    const std::string plain_text = "Running and runs";
    const auto running = qs.highlight_terms(qs.parse("plain:running"), plain);
    CHECK(running.terms == std::vector<std::string>{"running"});
    CHECK(highlight::render_plain(plain_text, qs.field_snippet(plain_text, plain, running)) == "[Running] and runs");

    // The custom pipeline analyses the field's text for the snippet: "abc" is indexed as "cba".
    const std::string code_text = "abc def";
    const auto reversed = qs.highlight_terms(qs.parse("code:ABC"), code);
    CHECK(reversed.terms == std::vector<std::string>{"cba"});
    CHECK(highlight::render_plain(code_text, qs.field_snippet(code_text, code, reversed)) == "[abc] def");
    // The body's analyzer would not find "cba" in the text.
    CHECK(qs.snippet(code_text, reversed).matches.empty());

    // A prefix of the field marks the words it expands to there.
    const auto prefixed = qs.highlight_terms(qs.parse("summary:promi*"), summary_field);
    CHECK(prefixed.terms == std::vector<std::string>{"promis"});
    CHECK(contains(highlight::render_plain(summary_text, qs.field_snippet(summary_text, summary_field, prefixed)),
                   "their [promises]"));

    // Default fields that list the field mark it too; without it, nothing.
    search::search_options o;
    o.fields = {{field::body, 1.0}, {summary_field, 1.0}};
    const auto bare = qs.parse("promises");
    CHECK(qs.highlight_terms(bare, summary_field, o).terms == std::vector<std::string>{"promis"});
    CHECK(qs.highlight_terms(bare, summary_field).parts() == 0);
    // A clause that excludes the field marks nothing.
    CHECK(qs.highlight_terms(qs.parse("body:trusting -summary:promises"), summary_field).parts() == 0);
}
