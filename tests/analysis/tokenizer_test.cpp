// SPDX-License-Identifier: MIT
// Tokenizer behaviour: words, offsets, CJK, combining marks, emoji, and the ASCII fast path
// checked against ICU alone.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/analysis/tokenizer.hpp"
#include "rapport/core/error.hpp"
#include "support/seed.hpp"

using rapport::analysis::token;
using rapport::analysis::tokenizer;

namespace {

std::vector<token> tokenize(std::string_view text, bool fast = true) {
    tokenizer t;
    t.set_ascii_fast_path(fast);
    std::vector<token> out;
    t.tokenize(text, out);
    return out;
}

std::vector<std::string> terms(const std::vector<token>& tokens) {
    std::vector<std::string> out;
    for (const auto& t : tokens) out.push_back(t.term);
    return out;
}

// Every token's offsets must select exactly its surface form, positions must count 0, 1, 2...
void check_offsets(std::string_view text, const std::vector<token>& tokens) {
    std::uint32_t last_end = 0;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const auto& t = tokens[i];
        CAPTURE(t.term);
        CHECK(t.position == i);
        CHECK(t.begin < t.end);
        CHECK(t.begin >= last_end);
        REQUIRE(t.end <= text.size());
        CHECK(text.substr(t.begin, t.end - t.begin) == t.term);
        last_end = t.end;
    }
}

}  // namespace

TEST_CASE("analysis: tokenizer splits words and keeps exact offsets") {
    SUBCASE("plain English") {
        const std::string text = "The quick brown fox, it jumps!";
        const auto tokens = tokenize(text);
        CHECK(terms(tokens) == std::vector<std::string>{"The", "quick", "brown", "fox", "it", "jumps"});
        check_offsets(text, tokens);
        CHECK(tokens[3].begin == 16);
        CHECK(tokens[3].end == 19);
    }
    SUBCASE("UAX #29 keeps apostrophes, decimals, thousands and abbreviations inside words") {
        const std::string text = "don't pay 3.14 or 1,000 in the U.S.A. at x@y.com or a:b_c";
        const auto tokens = tokenize(text);
        CHECK(terms(tokens) == std::vector<std::string>{"don't", "pay", "3.14", "or", "1,000", "in", "the", "U.S.A",
                                                        "at", "x@y.com", "or", "a:b_c"});
        check_offsets(text, tokens);
    }
    SUBCASE("punctuation, hyphens and URLs split") {
        const std::string text = "state-of-the-art http://example.com/a_b?q=1 --- ...";
        const auto tokens = tokenize(text);
        CHECK(terms(tokens) ==
              std::vector<std::string>{"state", "of", "the", "art", "http", "example.com", "a_b", "q", "1"});
        check_offsets(text, tokens);
    }
    SUBCASE("empty and word-free text") {
        CHECK(tokenize("").empty());
        CHECK(tokenize("  ,.;!? \n\t -- _").empty());
        tokenizer t;
        CHECK(t.boundaries("") == std::vector<std::uint32_t>{0});
        CHECK(t.boundaries("a b") == std::vector<std::uint32_t>{0, 1, 2, 3});
    }
    SUBCASE("tokenize appends and numbers each call from 0") {
        tokenizer t;
        std::vector<token> out;
        t.tokenize("one two", out);
        t.tokenize("three", out);
        REQUIRE(out.size() == 3);
        CHECK(out[2] == token{"three", 0, 0, 5});
    }
}

TEST_CASE("analysis: tokenizer handles non-Latin scripts") {
    SUBCASE("Chinese uses ICU's dictionary") {
        const std::string text = "我们在北京大学学习中文。";
        const auto tokens = tokenize(text);
        check_offsets(text, tokens);
        const auto t = terms(tokens);
        // Dictionary segmentation groups ideographs into words instead of one token per character.
        CHECK(t.size() < 11);
        CHECK(t.size() >= 4);
        CHECK(std::find(t.begin(), t.end(), "北京") != t.end());
        CHECK(std::find(t.begin(), t.end(), "中文") != t.end());
    }
    SUBCASE("Japanese mixes kanji, hiragana and katakana") {
        const std::string text = "東京都に住んでいます。コンピューターを使う";
        const auto tokens = tokenize(text);
        check_offsets(text, tokens);
        const auto t = terms(tokens);
        CHECK(std::find(t.begin(), t.end(), "東京") != t.end());
        CHECK(std::find(t.begin(), t.end(), "コンピューター") != t.end());
        CHECK(std::find(t.begin(), t.end(), "。") == t.end());
    }
    SUBCASE("Thai, Korean, Greek, Cyrillic, Arabic") {
        const std::string text = "ภาษาไทยง่าย 한국어 텍스트 Σίσυφος Москва مرحبا";
        const auto tokens = tokenize(text);
        check_offsets(text, tokens);
        const auto t = terms(tokens);
        CHECK(t.size() >= 8);
        CHECK(t[0] == "ภาษา");
        CHECK(std::find(t.begin(), t.end(), "한국어") != t.end());
        CHECK(std::find(t.begin(), t.end(), "Σίσυφος") != t.end());
        CHECK(t.back() == "مرحبا");
    }
    SUBCASE("combining marks stay in their word") {
        const std::string text = "cafe\u0301 e\u0301te\u0301";
        const auto tokens = tokenize(text);
        CHECK(terms(tokens) == std::vector<std::string>{"cafe\u0301", "e\u0301te\u0301"});
        check_offsets(text, tokens);
        CHECK(tokens[0].end == 6);
    }
}

TEST_CASE("analysis: tokenizer emits emoji as tokens") {
    const std::string text = "I \xE2\x9D\xA4\xEF\xB8\x8F rust \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD "  // ❤️ and 👍🏽
                             "\xF0\x9F\x87\xBA\xF0\x9F\x87\xB8 "                                   // 🇺🇸
                             "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 "  // 👨‍👩‍👧
                             "#\xEF\xB8\x8F\xE2\x83\xA3 \xE2\x80\x94 \xC2\xBF";  // #️⃣, em dash, ¿
    const auto tokens = tokenize(text);
    check_offsets(text, tokens);
    CHECK(terms(tokens) ==
          std::vector<std::string>{"I", "\xE2\x9D\xA4\xEF\xB8\x8F", "rust", "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
                                   "\xF0\x9F\x87\xBA\xF0\x9F\x87\xB8",
                                   "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7",
                                   "#\xEF\xB8\x8F\xE2\x83\xA3"});
}

TEST_CASE("analysis: tokenizer copies and moves") {
    tokenizer a;
    a.set_ascii_fast_path(false);
    tokenizer b = a;
    CHECK_FALSE(b.ascii_fast_path());
    std::vector<token> out;
    b.tokenize("copy works", out);
    CHECK(out.size() == 2);
    tokenizer c = std::move(b);
    out.clear();
    c.tokenize("move works too", out);
    CHECK(out.size() == 3);
    out.clear();
    b.tokenize("moved-from is usable", out);  // NOLINT(bugprone-use-after-move): documented
    CHECK(out.size() == 4);
    a = c;
    CHECK_FALSE(a.ascii_fast_path());
}

TEST_CASE("analysis: ASCII fast path matches ICU exactly") {
    tokenizer fast;
    tokenizer icu;
    icu.set_ascii_fast_path(false);
    const auto same = [&](const std::string& text) {
        CAPTURE(text);
        CHECK(fast.boundaries(text) == icu.boundaries(text));
        std::vector<token> a;
        std::vector<token> b;
        fast.tokenize(text, a);
        icu.tokenize(text, b);
        CHECK(a == b);
    };

    SUBCASE("curated text") {
        for (const char* text : {
                 "don't can't rock'n'roll 'quoted' ''", "U.S.A. e.g. i.e., a.b.c. .a. a..b", "3.14 1,000 1,000.5 1.2.3 1;2 1:2 1'2",
                 "a1 1a a_1 _a a_ __ _ ___ a__b 1__2 _1_", "x@y.com @home a@ @ @@ a@b.c.d", "http://www.example.com/path?q=1&r=2#frag",
                 "state-of-the-art -- co-op", "a:b a::b :a a: 12:30 a:1", "\"quoted\" a\"b", "tab\tsep\r\nline\nfeed\vvt\fff\r",
                 "   leading and trailing   ", "Mr. O'Neil's 1990s-era $5.00 (approx.) #hashtag", "a.1 1.a a,b 1,a a'1 1'a",
                 "", "a", ".", " ", "_", "'", "\r\n\r\n", "end.", "x;y", "A_B.C_D"})
            same(text);
    }
    SUBCASE("mixed ASCII and non-ASCII") {
        for (const char* text : {
                 "café au lait", "naïve cooperation", "a\u0301 b \u0301c  \u0301 d", "2\u00A0000 a\u00A0b", "日本 語 and English",
                 "x \u200D\xF0\x9F\x91\x8D y", "a\u2060b c\u00ADd", "\xD7\x90'\xD7\x91 \xD7\x90\"\xD7\x91", "naïve, don't",
                 "e\u0301.e\u0301 1\u0301.2", "\u3000a\u3000 b", "ß.ss ſ", "\n\u0301 \n\n\u0308a", "a \xF0\x9F\x87\xBA\xF0\x9F\x87\xB8\xF0\x9F\x87\xBA x"})
            same(text);
    }
    SUBCASE("random strings") {
        // Pieces weighted towards the characters whose rules the fast path implements, plus
        // non-ASCII neighbours that force the hand-over to ICU at every kind of place.
        const std::vector<std::string> pieces = {
            "a", "Z", "q", "@", "0", "7", "_", ".", "'", ":", ",", ";", "\"", " ", " ", "  ", "\r", "\n", "\t",
            "-", "/", "!", "#", "\v", "\f", "$", "é", "\u0301", "\u00A0", "中", "ア", "\xF0\x9F\x91\x8D", "\u200D",
            "\xF0\x9F\x87\xBA", "\xD7\x90", "\u2060", "\u3000", "ß", "\xD9\xA3", "\u00B7", "\uFE55", "\u2024", "\u0E01"};
        std::mt19937 rng(rapport::test::seed(20240601));
        std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
        std::uniform_int_distribution<int> length(0, 24);
        std::uniform_int_distribution<int> ascii_only(0, 2);
        std::uniform_int_distribution<int> any_ascii(1, 127);
        std::uniform_int_distribution<int> one_in_eight(0, 7);
        for (int i = 0; i < 30000; ++i) {
            std::string text;
            const bool ascii = ascii_only(rng) != 0;
            for (int n = length(rng); n > 0; --n) {
                if (one_in_eight(rng) == 0) {  // any ASCII character at all
                    text += static_cast<char>(any_ascii(rng));
                    continue;
                }
                const auto& p = pieces[pick(rng)];
                if (ascii && static_cast<unsigned char>(p[0]) >= 0x80) continue;
                text += p;
            }
            same(text);
        }
    }
}

TEST_CASE("analysis: tokenizer handles large text") {
    std::string text;
    while (text.size() < 4'000'000) text += "Running runners ran 3.14 miles, don't they? Ça va très bien. 東京 ";
    tokenizer t;
    std::vector<token> out;
    t.tokenize(text, out);
    CHECK(out.size() > 400'000);
    CHECK(out.back().end <= text.size());
    CHECK(text.substr(out.back().begin, out.back().end - out.back().begin) == out.back().term);
    CHECK(out.back().position == out.size() - 1);
}
