// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "rapport/highlight/snippet.hpp"
#include "support/hand_index.hpp"

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
