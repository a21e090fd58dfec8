// SPDX-License-Identifier: MIT
// Reads the bundled example articles (examples/data/articles) and splits every body.
#include <doctest/doctest.h>

#include <string>

#include "ingest/test_util.hpp"
#include "rapport/ingest/passage.hpp"
#include "rapport/ingest/readers.hpp"

using rapport::ingest::passage_options;
using rapport::ingest::read_text_directory;
using rapport::ingest::split_passages;

TEST_CASE("ingest: the bundled example articles") {
    const auto articles = read_text_directory(RAPPORT_EXAMPLE_DATA_DIR "/articles");
    REQUIRE(articles.size() == 5);  // README.md is not a .txt file

    CHECK(articles[0].id.value == "000_339fa3b478df9228");
    CHECK(articles[1].id.value == "001_f85b0c870310a4e8");
    CHECK(articles[2].id.value == "002_5ab3b8987bf74dc9");
    CHECK(articles[3].id.value == "003_58a3898842634d10");
    CHECK(articles[4].id.value == "004_7b2e436cfdd8e345");

    // First lines that are sentences (ending in '.') stay in the body; their opening words title the article.
    CHECK(articles[0].title == "Herman Melville, the American writer/novelist, once said: We…");
    CHECK(articles[0].body.starts_with("Herman Melville"));
    CHECK(articles[1].title == "Partner With Customers When Building Positive Customer Service Cultures");
    CHECK(articles[2].title == "How Your Personal Network Improves Your Customer Service");
    CHECK(articles[2].body.starts_with("One of the most overlooked"));
    CHECK(articles[3].title == "Customer service is about building relationships, not…");
    CHECK(articles[4].title == "Saturday, December 4, 2010");  // a blog date line: short, no final '.'
    CHECK(articles[4].body.starts_with("Values in Competition\n"));

    for (const passage_options& options :
         {passage_options{}, passage_options{.max_bytes = 300, .min_bytes = 80, .overlap_sentences = 1},
          passage_options{.max_bytes = 500, .min_bytes = 100, .paragraphs = rapport::ingest::paragraph_break::blank_line}}) {
        for (const auto& a : articles) {
            CAPTURE(a.id.value);
            CAPTURE(options.max_bytes);
            const auto passages = split_passages(a.body, options);
            CHECK_FALSE(passages.empty());
            rapport::ingest::test::check_passages(a.body, passages, options);
        }
    }
}
