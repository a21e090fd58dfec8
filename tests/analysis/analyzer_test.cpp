// SPDX-License-Identifier: MIT
// The analysis pipeline end to end: positions and gaps, offsets, options, invalid UTF-8, limits.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/analysis/stopwords.hpp"
#include "rapport/core/error.hpp"

using namespace rapport::analysis;

namespace {

std::vector<std::string> terms(const std::vector<token>& tokens) {
    std::vector<std::string> out;
    for (const auto& t : tokens) out.push_back(t.term);
    return out;
}

std::vector<std::uint32_t> positions(const std::vector<token>& tokens) {
    std::vector<std::uint32_t> out;
    for (const auto& t : tokens) out.push_back(t.position);
    return out;
}

// A custom filter for add_filter: drops terms containing a digit, doubles 'x'.
class no_digits final : public token_filter {
public:
    bool apply(std::string& term) override {
        if (term.find_first_of("0123456789") != std::string::npos) return false;
        if (term == "x") term = "xx";
        return true;
    }
    [[nodiscard]] std::unique_ptr<token_filter> clone() const override { return std::make_unique<no_digits>(); }
};

}  // namespace

TEST_CASE("analysis: English analyzer folds, removes stopwords with gaps, stems") {
    auto a = analyzer::english();
    const std::string text = "The Runners were running to the BUILDINGS in Straße, don\u2019t";
    const auto tokens = a.analyze(text);
    // "the", "were", "to", "in" and "don’t" are Snowball English stopwords.
    CHECK(terms(tokens) == std::vector<std::string>{"runner", "run", "build", "strass"});
    CHECK(positions(tokens) == std::vector<std::uint32_t>{1, 3, 6, 8});
    for (const auto& t : tokens) CHECK(t.end > t.begin);
    CHECK(text.substr(tokens[2].begin, tokens[2].end - tokens[2].begin) == "BUILDINGS");
    CHECK(text.substr(tokens[3].begin, tokens[3].end - tokens[3].begin) == "Straße");
    CHECK(a.filter_count() == 4);  // case fold, stopwords, stemmer, accent folding
}

TEST_CASE("analysis: curly, modifier and fullwidth apostrophes stem as the ASCII one does") {
    auto a = analyzer::english();
    const auto ascii = terms(a.analyze("the vendor's customers' doesn't"));
    CHECK(ascii == std::vector<std::string>{"vendor", "custom"});
    CHECK(terms(a.analyze("the vendor\u2019s customers\u2019 doesn\u2019t")) == ascii);
    CHECK(terms(a.analyze("the vendor\u02BCs customers\u02BC")) == ascii);
    CHECK(terms(a.analyze("the vendor\uFF07s customers\uFF07")) == ascii);
    CHECK(terms(a.analyze("Vendor\u2019s")) == std::vector<std::string>{"vendor"});
    SUBCASE("without case folding the stemmer still sees one apostrophe") {
        analyzer_options o;
        o.case_fold = false;
        analyzer raw(o);
        CHECK(terms(raw.analyze("vendor\u2019s")) == terms(raw.analyze("vendor's")));
    }
    SUBCASE("without stemming the folded term keeps an ASCII apostrophe") {
        analyzer_options o;
        o.language = "none";
        o.stopwords = std::vector<std::string>{};
        analyzer plain(o);
        CHECK(terms(plain.analyze("Vendor\u2019s")) == std::vector<std::string>{"vendor's"});
    }
}

TEST_CASE("analysis: analyzer options") {
    SUBCASE("no stemming, no stopwords, no folding") {
        analyzer_options o;
        o.language = "none";
        o.stopwords = std::vector<std::string>{};
        o.case_fold = false;
        analyzer a(o);
        CHECK(a.filter_count() == 0);
        CHECK(terms(a.analyze("The Runners")) == std::vector<std::string>{"The", "Runners"});
    }
    SUBCASE("custom stopwords replace the default") {
        analyzer_options o;
        o.stopwords = std::vector<std::string>{"runners"};
        analyzer a(o);
        CHECK(terms(a.analyze("The Runners ran")) == std::vector<std::string>{"the", "ran"});
    }
    SUBCASE("German defaults to the Snowball German stop list; an empty list keeps every word") {
        analyzer_options o;
        o.language = "german";
        const auto tokens = analyzer(o).analyze("Die Häuser und die Katzen");
        CHECK(terms(tokens) == std::vector<std::string>{"haus", "katz"});
        CHECK(positions(tokens) == std::vector<std::uint32_t>{1, 4});  // gaps where stopwords were
        o.stopwords = std::vector<std::string>{};
        CHECK(terms(analyzer(o).analyze("Die Häuser und die Katzen")) ==
              std::vector<std::string>{"die", "haus", "und", "die", "katz"});
    }
    SUBCASE("every Snowball list is there, by name or ISO code; languages without one get none") {
        for (const char* l : {"danish", "dutch", "finnish", "french", "german", "hungarian", "italian", "nepali",
                              "norwegian", "portuguese", "russian", "spanish", "swedish", "turkish", "english"}) {
            CAPTURE(l);
            const auto list = stopwords_for(l);
            REQUIRE(list.has_value());
            CHECK(list->size() > 40);
        }
        CHECK(stopwords_for("FR") == stopwords_for("french"));
        CHECK(stopwords_for("deu") == stopwords_for("german"));
        const auto fr = *stopwords_for("french");
        CHECK(std::find(fr.begin(), fr.end(), "le") != fr.end());
        const auto ru = *stopwords_for("ru");
        CHECK(std::find(ru.begin(), ru.end(), "и") != ru.end());
        CHECK_FALSE(stopwords_for("greek").has_value());
        CHECK_FALSE(stopwords_for("").has_value());
        analyzer_options es;
        es.language = "spanish";
        CHECK(terms(analyzer(es).analyze("El perro de la casa")) == std::vector<std::string>{"perr", "cas"});
    }
    SUBCASE("French") {
        analyzer_options o;
        o.language = "french";
        analyzer a(o);
        CHECK(terms(a.analyze("Les chanteuses CONTINUELLEMENT")) ==
              std::vector<std::string>{"le", "chanteux", "continuel"});
    }
    SUBCASE("unknown language") {
        analyzer_options o;
        o.language = "elvish";
        CHECK_THROWS_AS(analyzer{o}, rapport::invalid_argument);
    }
    SUBCASE("the bare analyzer only tokenizes") {
        analyzer a;
        CHECK(a.filter_count() == 0);
        CHECK(terms(a.analyze("The Runners")) == std::vector<std::string>{"The", "Runners"});
    }
}

TEST_CASE("analysis: analyzer offsets and folding of combining marks, CJK, emoji") {
    auto a = analyzer::english();
    const std::string text = "Cafe\u0301 ΣΊΣΥΦΟΣ 北京大学 \xF0\x9F\x91\x8D";
    const auto tokens = a.analyze(text);
    REQUIRE(tokens.size() == 10);
    CHECK(tokens[0].term == "cafe");  // NFKC composes e + U+0301; English folds the accent away
    CHECK(text.substr(tokens[0].begin, tokens[0].end - tokens[0].begin) == "Cafe\u0301");
    CHECK(tokens[1].term == "σίσυφοσ");
    // CJK: each character a unigram at its own position, with the bigram it starts beside it.
    CHECK(terms(tokens) == std::vector<std::string>{"cafe", "σίσυφοσ", "北", "北京", "京", "京大", "大", "大学", "学",
                                                    "\xF0\x9F\x91\x8D"});
    CHECK(positions(tokens) == std::vector<std::uint32_t>{0, 1, 2, 2, 3, 3, 4, 4, 5, 6});
    CHECK(text.substr(tokens[3].begin, tokens[3].end - tokens[3].begin) == "北京");
    CHECK(tokens[9].end == text.size());
    CHECK(a.position_count() == 7);
    // Without bigrams, ICU's dictionary words, one position each.
    auto words = analyzer::english();
    words.set_cjk_bigrams(false);
    CHECK(terms(words.analyze(text)) == std::vector<std::string>{"cafe", "σίσυφοσ", "北京", "大学", "\xF0\x9F\x91\x8D"});
    CHECK(positions(words.analyze(text)) == std::vector<std::uint32_t>{0, 1, 2, 3, 4});
}

TEST_CASE("analysis: accents fold where the language's practice says so") {
    // English folds by default: the loanwords match however they are typed.
    auto en = analyzer::english();
    CHECK(terms(en.analyze("The café served a naïve crème brûlée")) == terms(en.analyze("the cafe served a naive creme brulee")));
    CHECK(terms(en.analyze("Ærøskøbing, Łódź")) == std::vector<std::string>{"aeroskob", "lodz"});
    CHECK(terms(en.analyze("σίσυφος")) == std::vector<std::string>{"σίσυφοσ"});  // Latin only
    // Off on request, and by default for French, whose stemmer reads its accents.
    analyzer_options keep;
    keep.fold_accents = false;
    CHECK(terms(analyzer(keep).analyze("café")) == std::vector<std::string>{"café"});
    analyzer_options fr;
    fr.language = "french";
    CHECK_FALSE(folds_accents(fr));
    CHECK(terms(analyzer(fr).analyze("élève")) == std::vector<std::string>{"élev"});
    fr.fold_accents = true;
    CHECK(terms(analyzer(fr).analyze("élève")) == terms(analyzer(fr).analyze("eleve")));
}

TEST_CASE("analysis: French, Italian and Catalan elisions go before stemming") {
    analyzer_options fr;
    fr.language = "french";
    CHECK(removes_elisions(fr));
    analyzer french(fr);
    // "l'élève" is one word to Unicode word breaking; the article goes, the noun stems as alone.
    CHECK(terms(french.analyze("l'élève")) == terms(french.analyze("élève")));
    CHECK(terms(french.analyze("L’Élève d'accord qu'il jusqu'ici")) ==
          terms(french.analyze("élève accord il ici")));
    // "aujourd'hui" keeps its apostrophe: "aujourd" is not an elided word.
    CHECK(terms(french.analyze("aujourd'hui")).size() == 1);
    CHECK(terms(french.analyze("aujourd'hui")).front().find('\'') != std::string::npos);
    analyzer_options it;
    it.language = "italian";
    analyzer italian(it);
    CHECK(terms(italian.analyze("dell'arte all'aperto un'amica")) == terms(italian.analyze("arte aperto amica")));
    analyzer_options ca;
    ca.language = "catalan";
    CHECK(terms(analyzer(ca).analyze("l'escola d'estiu")) == terms(analyzer(ca).analyze("escola estiu")));
    // Off on request; English has no elision list.
    fr.elision = false;
    CHECK(terms(analyzer(fr).analyze("l'élève")) != terms(french.analyze("élève")));
    CHECK_FALSE(removes_elisions(analyzer_options{}));
}

TEST_CASE("analysis: custom filters compose") {
    analyzer a;
    a.add_filter(make_case_fold_filter()).add_filter(std::make_unique<no_digits>());
    CHECK(terms(a.analyze("X R2D2 y")) == std::vector<std::string>{"xx", "y"});
    CHECK(positions(a.analyze("X R2D2 y")) == std::vector<std::uint32_t>{0, 2});
    CHECK_THROWS_AS(a.add_filter(nullptr), rapport::invalid_argument);

    analyzer copy = a;  // clones the filters
    CHECK(copy.filter_count() == 2);
    CHECK(terms(copy.analyze("X 1")) == std::vector<std::string>{"xx"});
    analyzer moved = std::move(copy);
    CHECK(terms(moved.analyze("Y")) == std::vector<std::string>{"y"});
    copy = moved;
    CHECK(terms(copy.analyze("Z")) == std::vector<std::string>{"z"});
}

TEST_CASE("analysis: analyzer and invalid UTF-8") {
    const std::string text = std::string("ok caf") + "\xC3" + " bad\xFF\xFE word";
    SUBCASE("reject names the first bad byte") {
        auto a = analyzer::english();
        CHECK(a.invalid_utf8() == rapport::invalid_utf8_policy::reject);
        try {
            (void)a.analyze(text);
            FAIL("no exception");
        } catch (const rapport::invalid_argument& e) {
            REQUIRE(e.offset().has_value());
            CHECK(*e.offset() == 6);
        }
    }
    SUBCASE("replace repairs, and offsets refer to the repaired text") {
        analyzer_options o;
        o.invalid_utf8 = rapport::invalid_utf8_policy::replace;
        analyzer a(o);
        const auto tokens = a.analyze(text);
        const std::string repaired = "ok caf\uFFFD bad\uFFFD\uFFFD word";
        CHECK(terms(tokens) == std::vector<std::string>{"ok", "caf", "bad", "word"});
        for (const auto& t : tokens) CHECK(t.end <= repaired.size());
        CHECK(repaired.substr(tokens[3].begin, tokens[3].end - tokens[3].begin) == "word");
        CHECK(tokens[3].begin == 20);
        CHECK(positions(tokens) == std::vector<std::uint32_t>{0, 1, 2, 3});
    }
    SUBCASE("set_invalid_utf8_policy on a custom analyzer") {
        analyzer a;
        a.set_invalid_utf8_policy(rapport::invalid_utf8_policy::replace);
        CHECK(terms(a.analyze("\xC0\xAF" "abc")) == std::vector<std::string>{"abc"});
    }
}

TEST_CASE("analysis: analyzer limits and edge cases") {
    auto a = analyzer::english();
    SUBCASE("empty and word-free text") {
        CHECK(a.analyze("").empty());
        CHECK(a.analyze(" ... !!! ").empty());
        CHECK(a.analyze("the of and").empty());
    }
    SUBCASE("terms longer than 255 bytes are dropped and leave a gap") {
        const std::string longest(255, 'q');
        const std::string too_long(256, 'q');
        const auto tokens = a.analyze("alpha " + too_long + " beta " + longest);
        CHECK(terms(tokens) == std::vector<std::string>{"alpha", "beta", longest});
        CHECK(positions(tokens) == std::vector<std::uint32_t>{0, 2, 3});
    }
    SUBCASE("out is cleared and reused") {
        std::vector<token> out;
        a.analyze("one two three four", out);
        CHECK(out.size() == 4);
        a.analyze("five", out);
        REQUIRE(out.size() == 1);
        CHECK(out[0] == token{"five", 0, 0, 4});
    }
    SUBCASE("a few megabytes") {
        std::string text;
        while (text.size() < 5'000'000) text += "The quick brown foxes jumped over the lazy dogs; Straße café 東京. ";
        std::vector<token> out;
        a.analyze(text, out);
        CHECK(out.size() > 500'000);
        CHECK(out[0].term == "quick");
        CHECK(out[1].term == "brown");
        CHECK(out[2].term == "fox");
        const auto& last = out.back();
        CHECK(last.end <= text.size());
        CHECK(text.substr(last.begin, last.end - last.begin) == "京");  // the unigram after the bigram
        const auto& bigram = out[out.size() - 2];
        CHECK(text.substr(bigram.begin, bigram.end - bigram.begin) == "東京");
    }
    SUBCASE("copies work in parallel threads") {
        std::vector<std::vector<token>> results(4);
        std::vector<std::thread> threads;
        for (auto& r : results) {
            threads.emplace_back([&r, copy = a]() mutable {
                for (int i = 0; i < 200; ++i) copy.analyze("Running buildings in 北京 and Straße", r);
            });
        }
        for (auto& t : threads) t.join();
        for (const auto& r : results) CHECK(r == results[0]);
        CHECK(terms(results[0]) == std::vector<std::string>{"run", "build", "北", "北京", "京", "strass"});
    }
}

TEST_CASE("analysis: the word cache bound changes no token: off, tiny, shrunk while full, kept by a copy") {
    std::string text;
    for (int i = 0; i < 3000; ++i) text += "Running runners ran quickly " + std::to_string(i % 700) + "th caf\xc3\xa9s ";
    auto reference = analyzer::english();
    reference.set_word_cache_words(0);
    CHECK(reference.word_cache_words() == 0);
    const auto want = reference.analyze(text);
    REQUIRE(want.size() > 10000);
    const auto same = [&](const std::vector<token>& got) {
        REQUIRE(got.size() == want.size());
        for (std::size_t i = 0; i < got.size(); ++i)
            if (got[i].term != want[i].term || got[i].position != want[i].position) {
                FAIL_CHECK("token " << i << " differs: " << got[i].term);
                return;
            }
    };
    for (const std::size_t words : {std::size_t{1}, std::size_t{7}, std::size_t{1024}, analyzer::default_word_cache_words}) {
        CAPTURE(words);
        auto a = analyzer::english();
        CHECK(a.word_cache_words() == analyzer::default_word_cache_words);
        same(a.analyze(text));  // a full default cache,
        a.set_word_cache_words(words);  // then shrunk (or kept) while full
        CHECK(a.word_cache_words() == words);
        same(a.analyze(text));
        const auto copy = a;
        CHECK(copy.word_cache_words() == words);
        auto b = copy;
        same(b.analyze(text));
    }
}
