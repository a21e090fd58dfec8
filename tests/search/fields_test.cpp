// SPDX-License-Identifier: MIT
// Fields in searcher: `title:` clauses score with the title field's df, lengths and avgdl;
// default fields summed with weights; BM25F (Lucene's CombinedFieldQuery form) against values worked
// out by hand on a three-passage index; explain equals the score; highlighting ignores the title;
// bad field settings are refused.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "rapport/core/error.hpp"
#include "rapport/index/index_builder.hpp"
#include "rapport/search/searcher.hpp"

using namespace rapport;
using index::field;
namespace qy = rapport::query;

namespace {
// No stopwords, no stemming: terms are the lower-cased words, lengths count every word.
//   passage 0: title "building trust" (2)       body "trust grows with every customer" (5)
//   passage 1: title "customer service" (2)     body "answer the customer and the customer smiles" (7)
//   passage 2: title "team trust building" (3)  body "a team needs trust" (4)
// Title total 7, avgdl 7/3; body total 16, avgdl 16/3; N = 3.
index::index_reader tiny() {
    index::index_options o;
    o.analyzer.stopwords = std::vector<std::string>{};
    o.analyzer.language = "";
    index::index_builder b(o);
    b.add_passage({"p0"}, "Building trust", "Trust grows with every customer");
    b.add_passage({"p1"}, "Customer service", "Answer the customer and the customer smiles");
    b.add_passage({"p2"}, "Team trust building", "A team needs trust");
    return b.finish();
}

double score_of(const std::vector<search::scored_doc>& hits, docid_t d) {
    for (const auto& h : hits)
        if (h.docid == d) return h.score;
    return -1;
}
}  // namespace

TEST_CASE("fields: title clauses use the title's statistics (hand-computed BM25)") {
    const auto r = tiny();
    REQUIRE(r.total_length(field::title) == 7);
    REQUIRE(r.total_length() == 16);
    search::searcher qs(r);

    // title:trust: df 2 (p0, p2), N 3 → idf ln(1 + 1.5/2.5) = 0.47000362924573558.
    // p0: tf 1, dl 2: 1.9 / (1 + 0.9 · (0.6 + 0.4 · 2 / (7/3))) = 1.9 / 1.8485714285714285.
    // p2: tf 1, dl 3: 1.9 / (1 + 0.9 · (0.6 + 0.4 · 3 / (7/3))) = 1.9 / 2.0028571428571427.
    const auto hits = qs.top_k(qs.parse("title:trust"));
    REQUIRE(hits.size() == 2);
    CHECK(score_of(hits, 0) == doctest::Approx(0.47000362924573558 * 1.9 / 1.8485714285714285).epsilon(1e-12));
    CHECK(score_of(hits, 2) == doctest::Approx(0.47000362924573558 * 1.9 / 2.0028571428571427).epsilon(1e-12));

    // Phrases and prefixes within the title, with positions counted in the title.
    CHECK(qs.top_k(qs.parse("title:\"trust building\"")).size() == 1);   // p2 only
    CHECK(qs.top_k(qs.parse("title:\"building trust\"")).size() == 1);   // p0 only
    CHECK(qs.top_k(qs.parse("title:serv*")).size() == 1);
    CHECK(qs.top_k(qs.parse("title:smiles")).empty());  // a body word
    CHECK(qs.top_k(qs.parse("body:service")).empty());  // a title word
    // A group restricted to the title, with a body clause beside it.
    const auto mixed = qs.top_k(qs.parse("+title:(team OR service) +body:customer"));
    REQUIRE(mixed.size() == 1);
    CHECK(mixed[0].docid == 1);
}

TEST_CASE("fields: default fields are summed with their weights") {
    const auto r = tiny();
    search::searcher qs(r);
    const auto tree = qs.parse("customer trust");
    const auto title = qs.top_k(qs.parse("title:(customer trust)"));
    const auto body = qs.top_k(qs.parse("body:(customer trust)"));
    search::search_options o;
    o.fields = {{field::title, 2.0}, {field::body, 1.0}};
    const auto both = qs.top_k(tree, o);
    REQUIRE(both.size() == 3);
    for (docid_t d = 0; d < 3; ++d) {
        CAPTURE(d);
        const double t = std::max(0.0, score_of(title, d));
        const double b = std::max(0.0, score_of(body, d));
        CHECK(score_of(both, d) == doctest::Approx(2 * t + b).epsilon(1e-12));
        CHECK(qs.explain(tree, d, o).value == score_of(both, d));
    }
    // The title field alone as the default.
    o.fields = {{field::title, 1.0}};
    CHECK(qs.top_k(tree, o).size() == title.size());
}

TEST_CASE("fields: BM25F combines frequencies and lengths before saturating (hand-computed)") {
    const auto r = tiny();
    search::searcher qs(r);
    search::search_options o;
    o.bm25f = true;
    o.fields = {{field::title, 2.0}, {field::body, 1.0}};
    // "customer": title df 1 (p1), body df 2 (p0, p1) → df max(1, 2) = 2, idf ln(1 + 1.5/2.5).
    // avgdl = 2 · 7/3 + 16/3 = 10. p1: tf = 2·1 + 1·2 = 4, dl = 2·2 + 7 = 11:
    //   0.47000362924573558 · 4 · 1.9 / (4 + 0.9 · (0.6 + 0.4 · 11/10)) = 0.47000362924573558 · 7.6 / 4.936
    // p0: tf = 0 + 1 = 1, dl = 2·2 + 5 = 9: 0.47000362924573558 · 1.9 / (1 + 0.9 · (0.6 + 0.36)) = … / 1.864
    const auto tree = qs.parse("customer");
    const auto hits = qs.top_k(tree, o);
    REQUIRE(hits.size() == 2);
    CHECK(hits[0].docid == 1);
    CHECK(hits[0].score == doctest::Approx(0.47000362924573558 * 7.6 / 4.936).epsilon(1e-12));
    CHECK(score_of(hits, 0) == doctest::Approx(0.47000362924573558 * 1.9 / 1.864).epsilon(1e-12));
    for (const auto& h : hits) CHECK(qs.explain(tree, h.docid, o).value == h.score);
    CHECK(qs.explain(tree, 1, o).to_string().find("BM25F") != std::string::npos);

    // A term in both fields of one passage counts once in the df: "trust" is in p0 and p2 in both
    // fields, df 2. p2: tf = 2·1 + 1 = 3, dl = 2·3 + 4 = 10, avgdl 10:
    //   0.47000362924573558 · 3 · 1.9 / (3 + 0.9) = 0.47000362924573558 · 5.7 / 3.9
    const auto trust = qs.top_k(qs.parse("trust"), o);
    CHECK(score_of(trust, 2) == doctest::Approx(0.47000362924573558 * 5.7 / 3.9).epsilon(1e-12));

    // Phrases are scored per field and summed (BM25F covers terms only).
    search::search_options sum = o;
    sum.bm25f = false;
    const auto phrase = qs.parse("\"building trust\"");
    CHECK(qs.top_k(phrase, o).size() == qs.top_k(phrase, sum).size());
    CHECK(qs.top_k(phrase, o)[0].score == qs.top_k(phrase, sum)[0].score);
}

TEST_CASE("fields: BM25F over a body and empty titles is body scoring, bit for bit") {
    index::index_options io;
    io.analyzer.stopwords = std::vector<std::string>{};
    index::index_builder b(io);
    const char* texts[] = {"alpha beta gamma", "beta beta delta", "gamma alpha alpha alpha", "delta"};
    for (int i = 0; i < 4; ++i) b.add_passage({"a" + std::to_string(i)}, "", texts[i]);
    const auto r = b.finish();
    search::searcher qs(r);
    search::search_options o;
    o.bm25f = true;
    o.fields = {{field::body, 1.0}, {field::title, 1.0}};
    for (const char* q : {"alpha", "beta delta", "gamma alpha beta"}) {
        CAPTURE(q);
        const auto tree = qs.parse(q);
        const auto plain = qs.top_k(tree);
        const auto f = qs.top_k(tree, o);
        REQUIRE(plain.size() == f.size());
        for (std::size_t i = 0; i < plain.size(); ++i) {
            CHECK(plain[i].docid == f[i].docid);
            CHECK(plain[i].score == f[i].score);
        }
    }
}

TEST_CASE("fields: highlighting ignores title-only clauses; bad settings are refused") {
    const auto r = tiny();
    search::searcher qs(r);
    const auto h = qs.highlight_terms(qs.parse("title:team customer title:(serv* OR trust)"));
    CHECK(h.terms == std::vector<std::string>{"customer"});
    // Default fields without the body mark nothing unless a clause names the body.
    search::search_options title_only;
    title_only.fields = {{field::title, 1.0}};
    CHECK(qs.highlight_terms(qs.parse("customer \"building trust\" cust*"), title_only).terms.empty());
    CHECK(qs.highlight_terms(qs.parse("customer body:smiles"), title_only).terms == std::vector<std::string>{"smiles"});
    // Prefix marks come from the body even when expansion options name the title.
    search::search_options expand_title;
    expand_title.expansion.field = field::title;
    CHECK(qs.highlight_terms(qs.parse("serv* answ*"), expand_title).terms == std::vector<std::string>{"answer"});
    // RM3 keeps the searched fields: over the title only, the expanded query still searches the title.
    const auto fed = qs.rm3(qs.parse("service"), title_only);
    for (const auto& hit : qs.top_k(fed, title_only)) CHECK(hit.docid == 1);
    // Filtered-out passages are explained as such.
    const auto only_p0 = search::make_passage_filter(std::vector<docid_t>{0}, 3);
    search::search_options filtered;
    filtered.filter = only_p0;
    CHECK(qs.explain(qs.parse("customer"), 1, filtered).description.find("outside the filter") != std::string::npos);

    search::search_options o;
    o.fields = {};
    CHECK_THROWS_AS((void)qs.top_k(qs.parse("trust"), o), invalid_argument);
    o.fields = {{field::body, 1.0}, {field::body, 2.0}};
    CHECK_THROWS_AS((void)qs.top_k(qs.parse("trust"), o), invalid_argument);
    o.fields = {{field::title, 0.0}};
    CHECK_THROWS_AS((void)qs.top_k(qs.parse("trust"), o), invalid_argument);
    o.fields = {{field::title, 1e7}};
    CHECK_THROWS_AS((void)qs.top_k(qs.parse("trust"), o), invalid_argument);
    o.fields = {{field::title, std::nan("")}};
    CHECK_THROWS_AS((void)qs.explain(qs.parse("trust"), 0, o), invalid_argument);
    CHECK_THROWS_AS((void)qs.top_k(qy::term("trust").field("author")), invalid_argument);
}

TEST_CASE("fields: many field settings on one searcher answer as fresh searchers do (normaliser cache)") {
    const auto r = tiny();
    search::searcher shared(r);
    const auto tree = shared.parse("customer trust building");
    // More settings than the cache keeps, revisited out of order, each needing a title table and a
    // combined table in the same query.
    for (const double w : {1.0, 2.0, 3.0, 4.0, 5.0, 1.0, 6.0, 2.0, 7.0, 3.0}) {
        for (const auto model : {search::scoring_model::bm25, search::scoring_model::bm25l}) {
            CAPTURE(w);
            search::search_options o;
            o.bm25f = true;
            o.bm25.model = model;
            o.fields = {{field::title, w}, {field::body, 1.0}};
            search::searcher fresh(r);
            const auto a = shared.top_k(tree, o);
            const auto b = fresh.top_k(tree, o);
            REQUIRE(a.size() == b.size());
            for (std::size_t i = 0; i < a.size(); ++i) {
                CHECK(a[i].docid == b[i].docid);
                CHECK(a[i].score == b[i].score);
            }
        }
    }
}

TEST_CASE("fields: a bag of terms under several fields or BM25F is scored as the query tree it stands for") {
    const auto r = tiny();
    const search::searcher s(r);
    for (const bool bm25f : {false, true}) {
        CAPTURE(bm25f);
        search::search_options o{.k = 10, .fields = {{field::title, 2.0}, {field::body, 1.0}}, .bm25f = bm25f};
        const auto bag = s.analyze("trust customer customer");
        // any: one optional clause per term, boosted by its count.
        const auto any = s.top_k(bag, o);
        const auto tree = s.top_k(s.parse("trust customer^2"), o);
        REQUIRE(any.size() == 3);
        CHECK(any == tree);
        CHECK(s.count(bag, o) == 3);
        for (const auto& h : any) {
            const auto e = s.explain(bag, h.docid, o);
            CHECK(e.matches);
            CHECK(e.value == h.score);
        }
        // all: required clauses; only passage 0 holds both words (in some field).
        o.mode = search::match_mode::all;
        const auto all = s.top_k(bag, o);
        CHECK(all == s.top_k(s.parse("+trust +customer^2"), o));
        REQUIRE(all.size() == 1);
        CHECK(all[0].docid == 0);
        CHECK(s.count(bag, o) == 1);
        CHECK(s.top_k_articles(bag, o).size() == 1);
    }
}
