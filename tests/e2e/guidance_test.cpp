// SPDX-License-Identifier: MIT
// End to end over the bundled articles: read, split, analyse, index, search, highlight.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "rapport/core/error.hpp"
#include "rapport/highlight/snippet.hpp"
#include "rapport/index/index_builder.hpp"
#include "rapport/ingest/readers.hpp"
#include "rapport/search/searcher.hpp"

using namespace rapport;

namespace {
index::index_reader bundled_index() {
    index::index_builder builder;
    for (auto& a : ingest::read_text_directory(RAPPORT_EXAMPLE_DATA_DIR "/articles")) builder.add(std::move(a));
    return builder.finish();
}
}  // namespace

TEST_CASE("e2e: 'building trust' finds the passage on the consistent building of trust in the top 3") {
    const auto index = bundled_index();
    CHECK(index.article_count() == 5);
    CHECK(index.passage_count() > 20);
    search::searcher s(index);
    const auto query = s.analyze("building trust");
    REQUIRE(query.terms.size() == 2);
    CHECK(query.terms[0].text == "build");
    CHECK(query.terms[1].text == "trust");
    const auto hits = s.search(query, {.k = 3});
    REQUIRE(hits.size() == 3);
    const auto it = std::find_if(hits.begin(), hits.end(), [](const search::hit& h) {
        return h.text.find("the consistent building of trust") != std::string::npos;
    });
    CHECK(it != hits.end());
    for (std::size_t i = 1; i < hits.size(); ++i) CHECK(hits[i - 1].score >= hits[i].score);

    SUBCASE("hits carry stored fields that match the article") {
        for (const auto& h : hits) {
            CHECK_FALSE(h.article.value.empty());
            CHECK_FALSE(h.title.empty());
            CHECK(h.end - h.begin == h.text.size());
        }
    }
    SUBCASE("the snippet marks the query terms") {
        const auto snip = s.snippet(*it, query);
        const auto plain = highlight::render_plain(it->text, snip);
        CHECK(plain.find("[building] of [trust]") != std::string::npos);
    }
}

TEST_CASE("e2e: AND needs every term, OR any; empty and stopword-only queries return nothing") {
    const auto index = bundled_index();
    search::searcher s(index);
    const auto any = s.search("trust melville", {.k = 100});
    const auto all = s.search("trust melville", {.k = 100, .mode = search::match_mode::all});
    CHECK(any.size() > all.size());
    // Each word is in the passage or in its article's title (the default fields search both).
    for (const auto& h : all) {
        CHECK((h.title + "\n" + h.text).find("rust") != std::string::npos);
        CHECK((h.title + "\n" + h.text).find("Melville") != std::string::npos);
    }
    CHECK(s.search("").empty());
    CHECK(s.search("the of and").empty());
    CHECK(s.search("zzzqqq").empty());
    CHECK(s.search("trust", {.k = 0}).empty());
    CHECK_THROWS_AS((void)s.search("trust", {.bm25 = {0.9, 2.0}}), rapport::invalid_argument);
    // Invalid UTF-8 in a query is repaired, never thrown.
    CHECK_NOTHROW((void)s.search(std::string("tru\xff") + "st trust"));
}

TEST_CASE("e2e: bad input to the builder is rejected and leaves the index unchanged") {
    index::index_builder builder;
    builder.add({{"a"}, "A", "Trust is built slowly."});
    CHECK_THROWS_AS(builder.add({{"a"}, "again", "duplicate id"}), rapport::invalid_argument);
    CHECK_THROWS_AS(builder.add({{""}, "no id", "text"}), rapport::invalid_argument);
    CHECK_THROWS_AS(builder.add({{"b"}, "bad", std::string("caf\xc3") + "trust"}), rapport::invalid_argument);
    builder.add({{"c"}, "Empty", "   "});  // a title and no body: one empty passage, found by its title
    CHECK(builder.article_count() == 2);
    CHECK(builder.passage_count() == 2);
    const auto index = builder.finish();
    search::searcher s(index);
    const auto hits = s.search("trust");
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].article == article_id{"a"});
    CHECK_THROWS_AS((void)ingest::read_text_directory("/nonexistent/rapport/dir"), rapport::io_error);
}
