// SPDX-License-Identifier: MIT
// Tests of normalize_article: UTF-8 policy, NFC, title trimming, id checks.
#include <doctest/doctest.h>

#include <string>

#include "rapport/core/error.hpp"
#include "rapport/ingest/article.hpp"

using rapport::article_id;
using rapport::invalid_utf8_policy;
using rapport::ingest::article;
using rapport::ingest::normalize_article;

TEST_CASE("ingest: normalize_article converts title and body to NFC") {
    SUBCASE("e + U+0301 becomes U+00E9") {
        const article a = normalize_article({article_id{"x"}, "Caf" "e\xCC\x81", "caf" "e\xCC\x81 au lait"});
        CHECK(a.title == "Caf\xC3\xA9");
        CHECK(a.body == "caf\xC3\xA9 au lait");
    }
    SUBCASE("text already in NFC is unchanged") {
        const std::string body = "na\xC3\xAFve \xE6\x97\xA5\xE6\x9C\xAC plain ascii";
        const article a = normalize_article({article_id{"x"}, "t", body});
        CHECK(a.body == body);
    }
    SUBCASE("Hangul jamo compose") {
        // U+1100 U+1161 → U+AC00
        const article a = normalize_article({article_id{"x"}, "", "\xE1\x84\x80\xE1\x85\xA1"});
        CHECK(a.body == "\xEA\xB0\x80");
    }
    SUBCASE("the id is not normalised") {
        const article a = normalize_article({article_id{"e\xCC\x81"}, "", ""});
        CHECK(a.id.value == "e\xCC\x81");
    }
}

TEST_CASE("ingest: normalize_article trims the title") {
    const article a = normalize_article({article_id{"id"}, " \t Hello world\xE3\x80\x80\n", "  body  "});
    CHECK(a.title == "Hello world");
    CHECK(a.body == "  body  ");  // the body keeps its bytes; passages are trimmed instead
    CHECK(normalize_article({article_id{"id"}, "   ", "b"}).title.empty());
}

TEST_CASE("ingest: normalize_article checks the id and UTF-8") {
    SUBCASE("empty id") {
        CHECK_THROWS_AS((void)normalize_article({article_id{""}, "t", "b"}), rapport::invalid_argument);
    }
    SUBCASE("reject names the field and the offset") {
        try {
            (void)normalize_article({article_id{"doc7"}, "ok", "abc\xFF" "def"});
            FAIL("no exception");
        } catch (const rapport::invalid_argument& e) {
            REQUIRE(e.offset().has_value());
            CHECK(*e.offset() == 3);
            const std::string what = e.what();
            CHECK(what.find("doc7") != std::string::npos);
            CHECK(what.find("body") != std::string::npos);
        }
        CHECK_THROWS_AS((void)normalize_article({article_id{"a\xC0"}, "", ""}), rapport::invalid_argument);
        CHECK_THROWS_AS((void)normalize_article({article_id{"a"}, "\xED\xA0\x80", ""}), rapport::invalid_argument);
    }
    SUBCASE("replace gives U+FFFD") {
        const article a = normalize_article({article_id{"i\xFF"}, "t\xC3", "abc\xFF" "def"},
                                            invalid_utf8_policy::replace);
        CHECK(a.id.value == "i\xEF\xBF\xBD");
        CHECK(a.title == "t\xEF\xBF\xBD");
        CHECK(a.body == "abc\xEF\xBF\xBD" "def");
    }
}
