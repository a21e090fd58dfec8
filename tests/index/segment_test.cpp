// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <vector>

#include "rapport/index/segment.hpp"
#include "support/hand_index.hpp"

using namespace rapport;

TEST_CASE("index: segment_writer builds sorted dictionary, postings, positions and exact lengths") {
    const auto seg = test::hand_segment({"a b a", "b c", "a c c c", ""});
    CHECK(seg.size() == 4);
    CHECK(seg.term_count() == 3);
    const std::vector<std::string> terms(seg.terms().begin(), seg.terms().end());
    CHECK(terms == std::vector<std::string>{"a", "b", "c"});
    CHECK(seg.length(0) == 3);
    CHECK(seg.length(1) == 2);
    CHECK(seg.length(2) == 4);
    CHECK(seg.length(3) == 0);
    CHECK(seg.total_length() == 9);

    SUBCASE("postings of a") {
        const auto& p = seg.postings(*seg.find_term("a"));
        CHECK(p.docids == std::vector<docid_t>{0, 2});
        CHECK(p.freqs == std::vector<std::uint32_t>{2, 1});
        auto c = seg.cursor("a");
        CHECK(c.docid() == 0);
        CHECK(std::vector<std::uint32_t>(c.positions().begin(), c.positions().end()) == std::vector<std::uint32_t>{0, 2});
        c.next();
        CHECK(c.docid() == 2);
        CHECK(std::vector<std::uint32_t>(c.positions().begin(), c.positions().end()) == std::vector<std::uint32_t>{0});
        c.next();
        CHECK(c.docid() == end_docid);
    }
    SUBCASE("absent term gives an exhausted cursor") {
        CHECK_FALSE(seg.find_term("zzz"));
        CHECK(seg.cursor("zzz").docid() == end_docid);
        CHECK(seg.df("zzz") == 0);
        CHECK(seg.df("c") == 2);
    }
    SUBCASE("stored passages and articles") {
        CHECK(seg.passage(2).text == "a c c c");
        CHECK(seg.article(seg.passage(2).article).id == article_id{"doc2"});
    }
}

TEST_CASE("index: postings_cursor seek never moves backwards and gallops to the first docid >= target") {
    std::vector<std::string> docs(300);
    for (std::size_t i = 0; i < docs.size(); ++i) docs[i] = (i % 3 == 0) ? "x y" : "y";
    const auto seg = test::hand_segment(docs);
    auto c = seg.cursor("x");
    CHECK(c.size() == 100);
    c.seek(1);
    CHECK(c.docid() == 3);
    c.seek(3);
    CHECK(c.docid() == 3);
    c.seek(0);  // backwards target: no move
    CHECK(c.docid() == 3);
    c.seek(250);
    CHECK(c.docid() == 252);
    c.seek(297);
    CHECK(c.docid() == 297);
    c.seek(298);
    CHECK(c.docid() == end_docid);
    c.seek(5);
    CHECK(c.docid() == end_docid);
}
