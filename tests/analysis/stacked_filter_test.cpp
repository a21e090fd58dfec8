// SPDX-License-Identifier: MIT
// Token filters that stack several terms at one position (synonyms): order, positions and offsets
// of stacked tokens, later filters applied to them, duplicates, cloning, and the unchanged
// one-term-per-word path.
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/analysis/token_filter.hpp"

using namespace rapport::analysis;

namespace {

using synonym_map = std::map<std::string, std::vector<std::string>, std::less<>>;

// Keeps every term and stacks its synonyms after it.
class synonym_filter final : public token_filter {
public:
    explicit synonym_filter(synonym_map synonyms) : synonyms_(std::move(synonyms)) {}
    bool apply(std::string&) override { return true; }
    [[nodiscard]] bool stacks() const noexcept override { return true; }
    void stack(std::string_view term, std::vector<std::string>& out) override {
        if (const auto it = synonyms_.find(term); it != synonyms_.end())
            out.insert(out.end(), it->second.begin(), it->second.end());
    }
    [[nodiscard]] std::unique_ptr<token_filter> clone() const override {
        return std::make_unique<synonym_filter>(synonyms_);
    }

private:
    synonym_map synonyms_;
};

// Drops the listed terms.
class drop_filter final : public token_filter {
public:
    explicit drop_filter(std::vector<std::string> words) : words_(std::move(words)) {}
    bool apply(std::string& term) override {
        for (const auto& w : words_)
            if (term == w) return false;
        return true;
    }
    [[nodiscard]] std::unique_ptr<token_filter> clone() const override { return std::make_unique<drop_filter>(words_); }

private:
    std::vector<std::string> words_;
};

// Says it stacks but never adds a term: forces the stacking path without changing the output.
class silent_stacker final : public token_filter {
public:
    bool apply(std::string&) override { return true; }
    [[nodiscard]] bool stacks() const noexcept override { return true; }
    [[nodiscard]] std::unique_ptr<token_filter> clone() const override { return std::make_unique<silent_stacker>(); }
};

analyzer synonyms_then_stem(synonym_map synonyms) {
    analyzer a;
    a.add_filter(make_case_fold_filter())
        .add_filter(std::make_unique<synonym_filter>(std::move(synonyms)))
        .add_filter(make_stemmer_filter("english"));
    return a;
}

}  // namespace

TEST_CASE("analysis: a stacked synonym shares the position and offsets of its word") {
    auto a = synonyms_then_stem({{"tv", {"television"}}});
    const std::string text = "Watching TV shows";
    const auto tokens = a.analyze(text);
    // The stemmer after the synonym filter stems the stacked term too.
    CHECK(tokens == std::vector<token>{{"watch", 0, 0, 8}, {"tv", 1, 9, 11}, {"televis", 1, 9, 11}, {"show", 2, 12, 17}});
    CHECK(a.position_count() == 3);
}

TEST_CASE("analysis: stacked terms come in order, and later filters may drop them") {
    SUBCASE("several synonyms in the order stacked") {
        auto a = synonyms_then_stem({{"car", {"automobile", "auto"}}});
        CHECK(a.analyze("red car") ==
              std::vector<token>{{"red", 0, 0, 3}, {"car", 1, 4, 7}, {"automobil", 1, 4, 7}, {"auto", 1, 4, 7}});
    }
    SUBCASE("a later filter drops a stacked term") {
        analyzer a;
        a.add_filter(std::make_unique<synonym_filter>(synonym_map{{"tv", {"the", "telly"}}}))
            .add_filter(std::make_unique<drop_filter>(std::vector<std::string>{"the"}));
        CHECK(a.analyze("tv set") == std::vector<token>{{"tv", 0, 0, 2}, {"telly", 0, 0, 2}, {"set", 1, 3, 6}});
    }
    SUBCASE("dropping the original keeps what was stacked onto it") {
        analyzer a;
        a.add_filter(std::make_unique<synonym_filter>(synonym_map{{"tv", {"television"}}}))
            .add_filter(std::make_unique<drop_filter>(std::vector<std::string>{"tv"}));
        CHECK(a.analyze("tv set") == std::vector<token>{{"television", 0, 0, 2}, {"set", 1, 3, 6}});
    }
    SUBCASE("filters before the stacking one do not see stacked terms") {
        analyzer a;
        a.add_filter(std::make_unique<drop_filter>(std::vector<std::string>{"telly"}))
            .add_filter(std::make_unique<synonym_filter>(synonym_map{{"tv", {"telly"}}}));
        CHECK(a.analyze("tv") == std::vector<token>{{"tv", 0, 0, 2}, {"telly", 0, 0, 2}});
    }
    SUBCASE("a later stacking filter stacks onto stacked terms") {
        analyzer a;
        a.add_filter(std::make_unique<synonym_filter>(synonym_map{{"tv", {"television"}}}))
            .add_filter(std::make_unique<synonym_filter>(synonym_map{{"tv", {"telly"}}, {"television", {"box"}}}));
        CHECK(a.analyze("tv") ==
              std::vector<token>{{"tv", 0, 0, 2}, {"television", 0, 0, 2}, {"telly", 0, 0, 2}, {"box", 0, 0, 2}});
    }
    SUBCASE("empty and over-long stacked terms are dropped") {
        analyzer a;
        a.add_filter(std::make_unique<synonym_filter>(
            synonym_map{{"x", {"", std::string(max_term_bytes + 1, 'y'), std::string(max_term_bytes, 'z')}}}));
        CHECK(a.analyze("x") == std::vector<token>{{"x", 0, 0, 1}, {std::string(max_term_bytes, 'z'), 0, 0, 1}});
    }
}

TEST_CASE("analysis: a term appears once per position") {
    SUBCASE("a synonym equal to the word") {
        auto a = synonyms_then_stem({{"car", {"car", "auto", "auto"}}});
        CHECK(a.analyze("car") == std::vector<token>{{"car", 0, 0, 3}, {"auto", 0, 0, 3}});
    }
    SUBCASE("terms that become equal after a later filter") {
        // "running" stems to "run", as "runs" does.
        auto a = synonyms_then_stem({{"runs", {"running", "ran"}}});
        CHECK(a.analyze("runs fast") == std::vector<token>{{"run", 0, 0, 4}, {"ran", 0, 0, 4}, {"fast", 1, 5, 9}});
    }
    SUBCASE("the same term at different positions is kept") {
        auto a = synonyms_then_stem({{"tv", {"tv"}}});
        CHECK(a.analyze("tv tv") == std::vector<token>{{"tv", 0, 0, 2}, {"tv", 1, 3, 5}});
    }
}

TEST_CASE("analysis: stacking filters clone and analyzers copy with them") {
    auto a = synonyms_then_stem({{"tv", {"television"}}});
    const auto expected = a.analyze("tv");
    REQUIRE(expected.size() == 2);
    synonym_filter f(synonym_map{{"tv", {"television"}}});
    const auto g = f.clone();
    CHECK(g->stacks());
    std::vector<std::string> out{"kept"};
    g->stack("tv", out);
    CHECK(out == std::vector<std::string>{"kept", "television"});
    analyzer copy = a;
    CHECK(copy.analyze("tv") == expected);
    analyzer moved = std::move(copy);
    CHECK(moved.analyze("tv") == expected);
    // The default hook stacks nothing.
    auto fold = make_case_fold_filter();
    CHECK_FALSE(fold->stacks());
    out.clear();
    fold->stack("tv", out);
    CHECK(out.empty());
}

TEST_CASE("analysis: stacked synonyms of CJK tokens follow the bigram they stand beside") {
    analyzer a;
    a.add_filter(std::make_unique<synonym_filter>(synonym_map{{"東京", {"tokyo"}}}));
    CHECK(a.analyze("東京") == std::vector<token>{{"東", 0, 0, 3}, {"東京", 0, 0, 6}, {"tokyo", 0, 0, 6}, {"京", 1, 3, 6}});
    a.set_query_mode(true);
    CHECK(a.analyze("東京") == std::vector<token>{{"東京", 0, 0, 6}, {"tokyo", 0, 0, 6}});
}

TEST_CASE("analysis: a chain that stacks nothing analyses as the one-term-per-word path") {
    const std::vector<std::string> texts{
        "The Runners were running to the BUILDINGS in Straße, don\u2019t",
        "Cafe\u0301 ΣΊΣΥΦΟΣ 北京大学 \xF0\x9F\x91\x8D rapport 検索 engine",
        "x alpha " + std::string(300, 'q') + " beta",
        "東京タワーは東京都港区にある電波塔です。한국어 형태소 분석",
        "",
        " ... !!! ",
    };
    for (const bool bigrams : {true, false}) {
        analyzer_options o;
        o.cjk_bigrams = bigrams;
        analyzer plain(o);
        analyzer stacking(o);
        stacking.add_filter(std::make_unique<silent_stacker>());
        for (const auto& text : texts) {
            CAPTURE(text);
            CAPTURE(bigrams);
            const auto expected = plain.analyze(text);
            CHECK(stacking.analyze(text) == expected);
            CHECK(stacking.position_count() == plain.position_count());
        }
    }
    // The one-term-per-word path itself is as before: one token per word, gaps for dropped ones.
    auto en = analyzer::english();
    CHECK(en.analyze("The Runners were running to the BUILDINGS") ==
          std::vector<token>{{"runner", 1, 4, 11}, {"run", 3, 17, 24}, {"build", 6, 32, 41}});
    CHECK(en.position_count() == 7);
}
