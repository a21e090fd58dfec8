// SPDX-License-Identifier: MIT
// Synonym groups at query time score as Lucene's SynonymQuery: one term whose frequency is the sum
// of its members' and whose idf comes from the largest df; pruned and exhaustive evaluation agree;
// explain equals the score; on the bundled articles "client" finds the customer passages.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "rapport/index/index_builder.hpp"
#include "rapport/ingest/readers.hpp"
#include "rapport/query/synonyms.hpp"
#include "rapport/search/searcher.hpp"
#include "support/random_texts.hpp"
#include "support/seed.hpp"

using namespace rapport;
namespace qy = rapport::query;

namespace {
index::index_reader plain_index(const std::vector<std::string>& texts) {
    index::index_options o;
    o.analyzer.stopwords = std::vector<std::string>{};
    o.analyzer.language = "";
    index::index_builder b(o);
    for (std::size_t i = 0; i < texts.size(); ++i) b.add_passage(article_id{"p" + std::to_string(i)}, "", texts[i]);
    return b.finish();
}

// Every pruning algorithm returns what exhaustive evaluation returns for `q` under `o`, and
// explain equals each score; returns the number of hits compared.
std::size_t check_pruned_as_exhaustive(const search::searcher& s, const qy::query& q, search::search_options o) {
    o.algorithm = search::algorithm::exhaustive;
    const auto want = s.top_k(q, o);
    for (const auto a : {search::algorithm::maxscore, search::algorithm::block_max_wand, search::algorithm::automatic}) {
        o.algorithm = a;
        CHECK(s.top_k(q, o) == want);
    }
    for (const auto& h : want) CHECK(s.explain(q, h.docid, o).value == h.score);
    return want.size();
}
}  // namespace

TEST_CASE("search: a synonym group is one term: summed tf, the largest df, by hand") {
    // couch in 0, 1; sofa in 1, 2, 3: df(couch) 2, df(sofa) 3; passage 1 holds both.
    const auto index = plain_index({"couch here", "couch sofa sofa", "sofa there", "sofa", "nothing"});
    search::searcher s(index);
    const auto table = s.synonyms(qy::parse_synonyms("couch, sofa"));
    CHECK(table.skipped_entries == 0);
    const auto q = s.expand_synonyms(s.parse("couch"), table);
    const auto* t = q.get_if<qy::term_node>();
    REQUIRE(t != nullptr);
    CHECK(t->text == "couch");
    CHECK(t->synonyms == std::vector<std::string>{"sofa"});
    search::search_options o{.k = 10};
    o.fields = {{index::field::body, 1.0}};
    const auto hits = s.top_k(q, o);
    REQUIRE(hits.size() == 4);
    // BM25 of one term with df = max(2, 3) = 3, N = 5, and tf the members' sum.
    const double n = 5, df = 3, k1 = 0.9, b = 0.4;
    const double idf = std::log(1 + (n - df + 0.5) / (df + 0.5));
    const double avgdl = (2 + 3 + 2 + 1 + 1) / n;
    const auto bm25 = [&](double tf, double dl) { return idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)); };
    for (const auto& h : hits) {
        CAPTURE(h.docid);
        const double expected = h.docid == 1 ? bm25(3, 3) : h.docid == 3 ? bm25(1, 1) : bm25(1, 2);
        CHECK(h.score == doctest::Approx(expected).epsilon(1e-12));
        CHECK(s.explain(q, h.docid, o).value == h.score);
    }
    // Not a sum of two terms: the passage with both words scores less than couch + sofa would.
    const auto both = s.top_k(s.parse("couch sofa"), o);
    CHECK(hits.front().score < both.front().score);
    // An explicit rule replaces the word.
    const auto replaced = s.expand_synonyms(s.parse("settee"), s.synonyms(qy::parse_synonyms("settee => sofa")));
    REQUIRE(replaced.get_if<qy::term_node>() != nullptr);
    CHECK(replaced.get_if<qy::term_node>()->text == "sofa");
    CHECK(replaced.get_if<qy::term_node>()->synonyms.empty());
    // Phrases are left alone; stopwords and multi-word entries are skipped and counted.
    CHECK(s.expand_synonyms(s.parse("\"couch here\""), table) == s.parse("\"couch here\""));
}

TEST_CASE("search: synonym groups prune exactly as exhaustive evaluation, in every field setting") {
    std::mt19937 rng(rapport::test::seed(57));
    const auto texts = test::skewed_texts(rng, 500, 3, 20, 25);
    const auto index = plain_index(texts);
    search::searcher s(index);
    const auto table = s.synonyms(qy::parse_synonyms("w1, w2, w7\nw3, w9\nw4 => w5, w6\n"));
    std::size_t checked = 0;
    for (int round = 0; round < 80; ++round) {
        std::string text;
        for (int j = 0, n = 1 + static_cast<int>(rng() % 4); j < n; ++j) text += "w" + std::to_string(rng() % 12) + " ";
        if (round % 5 == 0) text = "+" + text;
        CAPTURE(text);
        const auto q = s.expand_synonyms(s.parse(text), table);
        search::search_options o{.k = 1 + rng() % 20};
        if (round % 3 == 1) o.bm25f = true;
        checked += check_pruned_as_exhaustive(s, q, o);
    }
    CHECK(checked > 300);
}

TEST_CASE("search: on the bundled articles, 'shopper' finds the customer-service passages through a synonym file") {
    index::index_builder builder;
    for (auto& a : ingest::read_text_directory(RAPPORT_EXAMPLE_DATA_DIR "/articles")) builder.add(std::move(a));
    const auto index = builder.finish();
    search::searcher s(index);
    CHECK(s.search(s.parse("shopper")).empty());  // the articles never say "shopper"
    const auto table = s.synonyms(qy::parse_synonyms("customer, shopper\nco-worker, colleague\nthe, a\n"));
    CHECK(table.skipped_entries == 2);  // "the" and "a" are stopwords; "co-worker" is a multi-word entry
    CHECK(table.multi_words.count({"co", "worker"}) == 1);
    const auto hits = s.search(s.expand_synonyms(s.parse("shopper loyalty"), table));
    REQUIRE_FALSE(hits.empty());
    CHECK(hits.front().text.find("ustomer") != std::string::npos);
    // Highlighting marks the synonyms the passages hold.
    const auto marks = s.highlight_terms(s.expand_synonyms(s.parse("shopper"), table), {});
    CHECK(std::find(marks.terms.begin(), marks.terms.end(), "custom") != marks.terms.end());
}

namespace {
index::index_reader usa_index() {
    index::index_builder b;  // English: stopwords and stems
    b.add_passage(article_id{"usa"}, "", "The USA has fifty states.");
    b.add_passage(article_id{"us"}, "", "The United States of America declared independence.");
    b.add_passage(article_id{"apart"}, "", "United Airlines states its baggage policy.");
    b.add_passage(article_id{"history"}, "", "A short history of the USA.");
    b.add_passage(article_id{"statue"}, "", "The Statue of Liberty stands in the harbour.");
    return b.finish();
}

std::vector<std::string> found(const search::searcher& s, const qy::query& q) {
    std::vector<std::string> out;
    for (const auto& d : s.top_k(q, {.k = 100})) out.push_back(s.fetch_article(d.docid).id.value);
    std::sort(out.begin(), out.end());
    return out;
}
}  // namespace

TEST_CASE("search: multi-word synonyms expand a word to phrases and a run of words to its synonyms") {
    const auto index = usa_index();
    search::searcher s(index);
    const auto table = s.synonyms(qy::parse_synonyms("usa, united states\nstatue of liberty, lady liberty\n"));
    CHECK(table.skipped_entries == 0);
    REQUIRE(table.multi_words.count({"unit", "state"}) == 1);
    CHECK(table.multi_words.at({"unit", "state"}).terms == std::vector<std::string>{"usa"});
    // The stopword "of" leaves its gap in the entry's phrase.
    REQUIRE(table.multi_words.count({"statu", "liberti"}) == 1);
    CHECK(table.multi_words.at({"statu", "liberti"}).positions == std::vector<std::uint32_t>{0, 2});
    CHECK(table.groups.count("usa") == 0);  // its whole expansion is in multi_words

    // "usa" finds the phrase "united states", not the two words apart.
    CHECK(found(s, s.expand_synonyms(s.parse("usa"), table)) == std::vector<std::string>{"history", "us", "usa"});
    // "united states" keeps its words (so "apart" still matches) and adds "usa".
    CHECK(found(s, s.expand_synonyms(s.parse("united states"), table)) ==
          std::vector<std::string>{"apart", "history", "us", "usa"});
    // Required words are replaced by the phrase or its synonyms: "apart" no longer matches.
    qy::parser_options all;
    all.op = qy::default_operator::and_;
    CHECK(found(s, s.expand_synonyms(s.parse("united states", all), table)) ==
          std::vector<std::string>{"history", "us", "usa"});
    // A phrase entry with a stopword gap: "lady liberty" reaches "Statue of Liberty".
    CHECK(found(s, s.expand_synonyms(s.parse("lady liberty"), table)) == std::vector<std::string>{"statue"});
    // A word with a field and a boost of its own is not part of a run.
    const auto kept = s.parse("united title:states");
    CHECK(s.expand_synonyms(kept, table) == kept);
    // Highlighting marks the phrase a synonym matched.
    const auto marks = s.highlight_terms(s.expand_synonyms(s.parse("usa"), table), {});
    CHECK(marks.phrases.size() == 1);
}

TEST_CASE("search: explicit multi-word rules replace the word or the run") {
    const auto index = usa_index();
    search::searcher s(index);
    const auto to_phrase = s.synonyms(qy::parse_synonyms("usa => united states\n"));
    CHECK(found(s, s.expand_synonyms(s.parse("usa"), to_phrase)) == std::vector<std::string>{"us"});
    const auto to_word = s.synonyms(qy::parse_synonyms("united states => usa\n"));
    CHECK(found(s, s.expand_synonyms(s.parse("united states"), to_word)) == std::vector<std::string>{"history", "usa"});
    // Other words of the query stay.
    CHECK(found(s, s.expand_synonyms(s.parse("united states liberty"), to_word)) ==
          std::vector<std::string>{"history", "statue", "usa"});
}

TEST_CASE("search: multi-word synonym expansions prune exactly as exhaustive evaluation") {
    std::mt19937 rng(rapport::test::seed(58));
    const auto texts = test::skewed_texts(rng, 500, 3, 20, 25);
    const auto index = plain_index(texts);
    search::searcher s(index);
    const auto table = s.synonyms(qy::parse_synonyms("w1, w2 w3\nw4 w5, w6 w7, w8\nw9 => w10 w11\n"));
    REQUIRE(table.multi_words.size() >= 4);
    std::size_t checked = 0;
    for (int round = 0; round < 80; ++round) {
        std::string text;
        for (int j = 0, n = 1 + static_cast<int>(rng() % 5); j < n; ++j) text += "w" + std::to_string(rng() % 12) + " ";
        if (round % 4 == 0) text = "+" + text;
        CAPTURE(text);
        qy::parser_options po;
        if (round % 3 == 2) po.op = qy::default_operator::and_;
        const auto q = s.expand_synonyms(s.parse(text, po), table);
        search::search_options o{.k = 1 + rng() % 20};
        checked += check_pruned_as_exhaustive(s, q, o);
    }
    CHECK(checked > 300);
}
