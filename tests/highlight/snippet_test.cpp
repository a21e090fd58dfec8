// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "rapport/highlight/snippet.hpp"
#include "support/hand_index.hpp"
#include "support/seed.hpp"

using namespace rapport;
using namespace rapport::highlight;

TEST_CASE("highlight: short passages are shown whole with every match marked") {
    const std::string text = "business is building trust";
    const auto toks = test::hand_tokens(text);
    const std::vector<std::string_view> q{"trust", "building"};
    const auto s = make_snippet(text, toks, q);
    CHECK(s.begin == 0);
    CHECK(s.end == text.size());
    REQUIRE(s.matches.size() == 2);
    CHECK(s.matches[0] == match_span{12, 20});
    CHECK(s.matches[1] == match_span{21, 26});
    CHECK(render_plain(text, s) == "business is [building] [trust]");
    CHECK(render_terminal(text, s) == "business is \x1b[1mbuilding\x1b[0m \x1b[1mtrust\x1b[0m");
}

TEST_CASE("highlight: the window with most distinct query terms wins and edges snap to words") {
    std::string text;
    for (int i = 0; i < 40; ++i) text += "filler ";
    text += "trust once ";
    for (int i = 0; i < 40; ++i) text += "filler ";
    const auto both_at = text.size();
    text += "building trust here ";
    for (int i = 0; i < 40; ++i) text += "filler ";
    const auto toks = test::hand_tokens(text);
    const std::vector<std::string_view> q{"building", "trust"};
    const auto s = make_snippet(text, toks, q, {.max_bytes = 60});
    CHECK(s.end - s.begin <= 60);
    CHECK(s.begin <= both_at);
    CHECK(s.end >= both_at + 14);
    REQUIRE(s.matches.size() == 2);
    CHECK(text.substr(s.matches[0].begin, s.matches[0].end - s.matches[0].begin) == "building");
    // Snapped: the window starts at a word start and ends at a word end.
    CHECK(text[s.begin - 1] == ' ');
    CHECK(text[s.end] == ' ');
    const auto plain = render_plain(text, s);
    CHECK(plain.starts_with("…"));
    CHECK(plain.ends_with("…"));
    CHECK(plain.find("[building] [trust]") != std::string::npos);
}

TEST_CASE("highlight: no match shows the start; text without spaces never splits a UTF-8 sequence") {
    SUBCASE("no match") {
        std::string text;
        for (int i = 0; i < 100; ++i) text += "word ";
        const auto s = make_snippet(text, test::hand_tokens(text), std::vector<std::string_view>{"zzz"}, {.max_bytes = 32});
        CHECK(s.begin == 0);
        CHECK(s.end <= 32);
        CHECK(s.matches.empty());
    }
    SUBCASE("CJK") {
        std::string text;
        for (int i = 0; i < 60; ++i) text += "信任";  // 6 bytes per repetition, no spaces
        const analysis::token t{"信任", 30, 180, 186};
        const auto s = make_snippet(text, std::vector<analysis::token>{t}, std::vector<std::string_view>{"信任"},
                                    {.max_bytes = 50});
        CHECK(s.end - s.begin <= 50);
        CHECK((static_cast<unsigned char>(text[s.begin]) & 0xC0) != 0x80);
        CHECK((s.end == text.size() || (static_cast<unsigned char>(text[s.end]) & 0xC0) != 0x80));
        REQUIRE(s.matches.size() == 1);
        CHECK(s.matches[0] == match_span{180, 186});
    }
}


TEST_CASE("highlight: a phrase is marked as one span where its words stand in order") {
    const std::string text = "trust building is not building trust, but building trust takes time";
    const auto toks = test::hand_tokens(text);
    highlight_query q;
    q.phrases.push_back({{"building", "trust"}, {}, 0});
    const auto m = find_matches(toks, q);
    // "building trust," is tokenised by hand_tokens as "trust," so only the second one matches exactly.
    REQUIRE(m.size() == 1);
    CHECK(text.substr(m[0].span.begin, m[0].span.end - m[0].span.begin) == "building trust");
    CHECK(m[0].span.begin == text.find("but building") + 4);
    const auto s = make_snippet(text, toks, q);
    CHECK(render_plain(text, s) == "trust building is not building trust, but [building trust] takes time");

    SUBCASE("a stopword gap inside the phrase is kept by offsets") {
        const std::string t2 = "we trust the process and the process of trust";
        highlight_query g;
        g.phrases.push_back({{"trust", "process"}, {0, 2}, 0});
        const auto gm = find_matches(test::hand_tokens(t2), g);
        REQUIRE(gm.size() == 1);
        CHECK(t2.substr(gm[0].span.begin, gm[0].span.end - gm[0].span.begin) == "trust the process");
    }
    SUBCASE("slop admits words in between and reordering within the distance") {
        const std::string t3 = "building mutual trust matters; trust in building too";
        highlight_query exact, sloppy, reordered;
        exact.phrases.push_back({{"building", "trust"}, {}, 0});
        sloppy.phrases.push_back({{"building", "trust"}, {}, 1});
        reordered.phrases.push_back({{"building", "trust"}, {}, 3});
        const auto toks3 = test::hand_tokens(t3);
        CHECK(find_matches(toks3, exact).empty());
        const auto sm = find_matches(toks3, sloppy);
        REQUIRE(sm.size() == 1);
        CHECK(t3.substr(sm[0].span.begin, sm[0].span.end - sm[0].span.begin) == "building mutual trust");
        // "trust in building": positions 4, 6 → p = 6 − 0 = 6 for building, 4 − 1 = 3 for trust: spread 3.
        CHECK(find_matches(toks3, reordered).size() == 2);
    }
    SUBCASE("a term inside a phrase match is not marked twice") {
        highlight_query both;
        both.terms = {"trust"};
        both.phrases.push_back({{"building", "trust"}, {}, 0});
        const auto s2 = make_snippet(text, toks, both);
        CHECK(render_plain(text, s2) ==
              "[trust] building is not building trust, but [building trust] takes time");
    }
}

TEST_CASE("highlight: prefix and fuzzy matches are marked through their expansions") {
    const std::string text = "customers and custodians, a costumer and a customer";
    highlight_query q;
    q.terms = {"customers", "customer", "costumer"};  // what cust* and customer~1 expanded to
    const auto s = make_snippet(text, test::hand_tokens(text), q);
    CHECK(render_plain(text, s) == "[customers] and custodians, a [costumer] and a [customer]");
}

TEST_CASE("highlight: fragments cover different query parts, in text order, without overlap") {
    std::string text;
    for (int i = 0; i < 30; ++i) text += "filler ";
    text += "loyalty grows ";
    for (int i = 0; i < 30; ++i) text += "filler ";
    text += "when trust grows ";
    for (int i = 0; i < 30; ++i) text += "filler ";
    text += "and trust again";
    const auto toks = test::hand_tokens(text);
    highlight_query q;
    q.terms = {"trust", "loyalty"};
    const auto f = make_fragments(text, toks, q, {.max_bytes = 40, .max_fragments = 3});
    // Two fragments: one per term; a third would add no new part.
    REQUIRE(f.size() == 2);
    CHECK(f[0].end <= f[1].begin);
    for (const auto& s : f) {
        CHECK(s.end - s.begin <= 40);
        CHECK(s.matches.size() == 1);
    }
    const auto r = render_fragments(text, f, "[", "]");
    CHECK(r.find("[loyalty]") < r.find("[trust]"));
    CHECK(r.find(" … ") != std::string::npos);
    CHECK(r.find("… …") == std::string::npos);
    SUBCASE("max_fragments = 1 is make_snippet") {
        const auto one = make_fragments(text, toks, q, {.max_bytes = 40, .max_fragments = 1});
        REQUIRE(one.size() == 1);
        const auto s = make_snippet(text, toks, q, {.max_bytes = 40});
        CHECK(one[0].begin == s.begin);
        CHECK(one[0].end == s.end);
    }
}

TEST_CASE("highlight: window edges never split a grapheme cluster (combining marks, emoji, CJK)") {
    // Text without spaces, so edges fall back from whitespace to grapheme boundaries.
    const std::string e_acute = "e\xCC\x81";                                     // e + U+0301
    const std::string family = "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";  // 👩‍👧 (ZWJ sequence)
    const std::string flag = "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7";                 // 🇫🇷 (regional indicators)
    const std::string thumbs = "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD";               // 👍🏽 (skin tone modifier)
    const std::string cjk = "信任";
    const std::vector<std::string> pieces{e_acute, family, flag, thumbs, cjk, "a\xCC\x80\xCC\x81"};
    std::mt19937 rng(rapport::test::seed(7));
    for (int round = 0; round < 300; ++round) {
        std::string text;
        std::vector<std::size_t> boundaries{0};
        const int n = 20 + static_cast<int>(rng() % 60);
        std::size_t target_at = 0;
        for (int i = 0; i < n; ++i) {
            if (i == n / 2) {
                target_at = text.size();
                text += "信任";
                boundaries.push_back(text.size() - 3);
            } else {
                const auto& piece = pieces[rng() % pieces.size()];
                if (piece == cjk) boundaries.push_back(text.size() + 3);  // two characters, two clusters
                text += piece;
            }
            boundaries.push_back(text.size());
        }
        const analysis::token t{"信任", 1, static_cast<std::uint32_t>(target_at), static_cast<std::uint32_t>(target_at + 6)};
        const std::size_t max_bytes = 10 + rng() % 40;
        const auto s = make_snippet(text, std::vector<analysis::token>{t}, std::vector<std::string_view>{"信任"},
                                    {.max_bytes = max_bytes});
        CAPTURE(round);
        CHECK(std::find(boundaries.begin(), boundaries.end(), s.begin) != boundaries.end());
        CHECK(std::find(boundaries.begin(), boundaries.end(), s.end) != boundaries.end());
        CHECK(s.begin <= target_at);
        CHECK(s.end >= target_at + 6);
        CHECK(s.end - s.begin <= std::max<std::size_t>(max_bytes, 6));
        REQUIRE(s.matches.size() == 1);
    }
    CHECK(grapheme_ceil(e_acute + "x", 1) == 3);
    CHECK(grapheme_floor(e_acute + "x", 2) == 0);
    CHECK(grapheme_floor(family, 5) == 0);
    CHECK(grapheme_ceil(family, 5) == family.size());
}
