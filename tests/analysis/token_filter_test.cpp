// SPDX-License-Identifier: MIT
// Token filters on their own: case folding, stopwords, Snowball stemming.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "rapport/analysis/token_filter.hpp"
#include "rapport/core/error.hpp"

using namespace rapport::analysis;

namespace {

std::string run(token_filter& f, std::string term) {
    const bool kept = f.apply(term);
    return kept ? term : "<dropped>";
}

}  // namespace

TEST_CASE("analysis: case fold filter applies NFKC_Casefold") {
    auto f = make_case_fold_filter();
    SUBCASE("ASCII") {
        CHECK(run(*f, "Hello") == "hello");
        CHECK(run(*f, "U.S.A") == "u.s.a");
        CHECK(run(*f, "x@Y.com_1") == "x@y.com_1");
    }
    SUBCASE("full case folding") {
        CHECK(run(*f, "Straße") == "strasse");
        CHECK(run(*f, "STRASSE") == "strasse");
        CHECK(run(*f, "ΣΊΣΥΦΟΣ") == "σίσυφοσ");
        CHECK(run(*f, "Σίσυφος") == "σίσυφοσ");  // final sigma folds to sigma as well
        CHECK(run(*f, "İstanbul") == "i\u0307stanbul");
        CHECK(run(*f, "МОСКВА") == "москва");
    }
    SUBCASE("compatibility and composition") {
        CHECK(run(*f, "cafe\u0301") == "café");  // NFC composes e + U+0301
        CHECK(run(*f, "ﬁne") == "fine");        // ligature
        CHECK(run(*f, "Ｆｕｌｌ") == "full");    // fullwidth
        CHECK(run(*f, "x²") == "x2");
        CHECK(run(*f, "soft\u00ADhyphen") == "softhyphen");  // default-ignorable removed
    }
    SUBCASE("a term that folds to nothing is dropped") { CHECK(run(*f, "\u200B\u2060") == "<dropped>"); }
    SUBCASE("clone") {
        auto g = f->clone();
        CHECK(run(*g, "ÉTÉ") == "été");
    }
}

TEST_CASE("analysis: stopword filter drops listed words after folding") {
    auto f = make_stopword_filter({"The", "and", "STRASSE", ""});
    CHECK(run(*f, "the") == "<dropped>");
    CHECK(run(*f, "The") == "<dropped>");  // compared after folding
    CHECK(run(*f, "AND") == "<dropped>");
    CHECK(run(*f, "Straße") == "<dropped>");
    CHECK(run(*f, "theory") == "theory");
    CHECK(run(*f, "Ant") == "Ant");  // kept terms are not rewritten
    auto g = f->clone();
    CHECK(run(*g, "tHe") == "<dropped>");
    auto none = make_stopword_filter({});
    CHECK(run(*none, "the") == "the");

    const auto& english = english_stopwords();
    CHECK(english.size() == 174 + 50);  // Snowball's list + its 50 contractions spelled with U+2019
    CHECK(std::is_sorted(english.begin(), english.end()));
    CHECK(std::adjacent_find(english.begin(), english.end()) == english.end());
    for (const char* w : {"the", "with", "what", "when", "don't", "don\u2019t", "very"})
        CHECK(std::binary_search(english.begin(), english.end(), w));
    for (const char* w : {"trust", "customer", "must"}) CHECK_FALSE(std::binary_search(english.begin(), english.end(), w));
}

TEST_CASE("analysis: stemmer filter runs Snowball") {
    SUBCASE("English") {
        auto f = make_stemmer_filter("english");
        CHECK(run(*f, "running") == "run");
        CHECK(run(*f, "building") == "build");
        CHECK(run(*f, "buildings") == "build");
        CHECK(run(*f, "generously") == "generous");
        CHECK(run(*f, "running") == "run");  // from the cache
        for (int i = 0; i < 40000; ++i) (void)run(*f, "word" + std::to_string(i) + "ing");  // cache stays bounded
        CHECK(run(*f, "building") == "build");
        CHECK(run(*f, "runner") == "runner");
    }
    SUBCASE("German, French, Russian") {
        auto de = make_stemmer_filter("german");
        CHECK(run(*de, "häuser") == "haus");
        CHECK(run(*de, "katzen") == "katz");
        auto fr = make_stemmer_filter("French");  // ASCII case is ignored
        CHECK(run(*fr, "continuellement") == "continuel");
        CHECK(run(*fr, "chanteuses") == "chanteux");
        auto ru = make_stemmer_filter("ru");  // ISO code
        CHECK(run(*ru, "книги") == "книг");
    }
    SUBCASE("unknown language") {
        CHECK_THROWS_AS((void)make_stemmer_filter("klingon"), rapport::invalid_argument);
        try {
            (void)make_stemmer_filter("klingon");
        } catch (const rapport::invalid_argument& e) {
            const std::string what = e.what();
            CHECK(what.find("klingon") != std::string::npos);
            CHECK(what.find("english") != std::string::npos);
            CHECK(what.find("german") != std::string::npos);
        }
        CHECK_THROWS_AS((void)make_stemmer_filter(""), rapport::invalid_argument);
    }
    SUBCASE("languages list") {
        const auto langs = stemmer_languages();
        CHECK(langs.size() >= 20);
        for (const char* name : {"english", "german", "french", "russian", "porter"})
            CHECK(std::find(langs.begin(), langs.end(), name) != langs.end());
        for (const auto& lang : langs) CHECK_NOTHROW((void)make_stemmer_filter(lang));
    }
    SUBCASE("clone is independent") {
        auto f = make_stemmer_filter("english");
        auto g = f->clone();
        f.reset();
        CHECK(run(*g, "connections") == "connect");
    }
}
