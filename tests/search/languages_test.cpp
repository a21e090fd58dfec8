// SPDX-License-Identifier: MIT
// Analysis end to end, from indexing to search and highlighting: CJK text (unigrams and bigrams,
// phrases over them, highlighted matches), articles in their own language ("lang"), and custom
// analyzers with stacking filters used for indexing.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/analysis/token_filter.hpp"
#include "rapport/core/error.hpp"
#include "rapport/index/index_builder.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/memory_directory.hpp"

using namespace rapport;

namespace {

std::vector<std::string> articles_of(const search::searcher& s, const query::query& q) {
    std::vector<std::string> out;
    for (const auto& d : s.top_k(q, {.k = 100})) out.push_back(s.fetch_article(d.docid).id.value);
    return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

index::index_reader cjk_index() {
    index::index_builder b;
    b.add_passage(article_id{"tower"}, "", "東京タワーは東京都港区にある電波塔です。");
    b.add_passage(article_id{"kyoto"}, "", "京都の寺を訪ねた。");
    b.add_passage(article_id{"seoul"}, "", "서울 타워는 남산에 있다");
    b.add_passage(article_id{"beijing"}, "", "北京大学的图书馆很大");
    b.add_passage(article_id{"english"}, "", "The Tokyo tower is red and white.");
    return b.finish();
}

}  // namespace

TEST_CASE("languages: single CJK characters and words inside compounds are found") {
    const auto r = cjk_index();
    const search::searcher s(r);
    CHECK(sorted(articles_of(s, s.parse("京"))) == std::vector<std::string>{"beijing", "kyoto", "tower"});
    CHECK(articles_of(s, s.parse("タワー")) == std::vector<std::string>{"tower"});
    CHECK(articles_of(s, s.parse("港区")) == std::vector<std::string>{"tower"});
    CHECK(articles_of(s, s.parse("大学")) == std::vector<std::string>{"beijing"});
    CHECK(articles_of(s, s.parse("图书馆")) == std::vector<std::string>{"beijing"});
    CHECK(articles_of(s, s.parse("타워")) == std::vector<std::string>{"seoul"});
    CHECK(articles_of(s, s.parse("tokyo")) == std::vector<std::string>{"english"});
    // A bare compound ORs its bigrams: the passage holding all of them ranks first.
    const auto loose = articles_of(s, s.parse("東京都"));
    REQUIRE_FALSE(loose.empty());
    CHECK(loose.front() == "tower");
}

TEST_CASE("languages: CJK phrases match the characters in order") {
    const auto r = cjk_index();
    const search::searcher s(r);
    CHECK(articles_of(s, s.parse("\"東京タワー\"")) == std::vector<std::string>{"tower"});
    CHECK(articles_of(s, s.parse("\"タワーは東京\"")) == std::vector<std::string>{"tower"});
    CHECK(articles_of(s, s.parse("\"京都タワー\"")).empty());  // each bigram but 都タ occurs, not in order
    // "京都" as a phrase is one bigram: both 京都の (kyoto) and 東京都 (tower) hold it.
    CHECK(sorted(articles_of(s, s.parse("\"京都\""))) == std::vector<std::string>{"kyoto", "tower"});
    // A phrase of a CJK word and a Latin word counts the CJK characters' positions.
    index::index_builder b;
    b.add_passage(article_id{"mixed"}, "", "東京 tower opened");
    b.add_passage(article_id{"apart"}, "", "東京 is a city with a tower");
    const auto mixed = b.finish();
    const search::searcher m(mixed);
    CHECK(articles_of(m, m.parse("\"東京 tower\"")) == std::vector<std::string>{"mixed"});
}

TEST_CASE("languages: CJK matches are highlighted as whole words") {
    const auto r = cjk_index();
    const search::searcher s(r);
    const std::string text = "東京タワーは東京都港区にある電波塔です。";
    for (const char* q : {"タワー", "\"東京タワー\"", "京"}) {
        CAPTURE(q);
        const auto snip = s.snippet(text, s.highlight_terms(s.parse(q)));
        REQUIRE_FALSE(snip.matches.empty());
        const auto& first = snip.matches.front();
        const auto marked = text.substr(first.begin, first.end - first.begin);
        if (std::string_view(q) == "タワー") CHECK(marked == "タワー");
        if (std::string_view(q) == "\"東京タワー\"") CHECK(marked == "東京タワー");
        if (std::string_view(q) == "京") {
            CHECK(marked == "京");
            CHECK(snip.matches.size() == 2);  // 東京 and 東京都
        }
    }
}

TEST_CASE("languages: an article's own language analyses it; queries reach it in that language") {
    auto dir = std::make_shared<storage::memory_directory>();
    {
        index::index_writer w(dir);  // English by default
        w.add({{"en"}, "Pupils", "The pupils were running to school."});
        w.add({{"fr"}, "L'élève", "L'élève chantait des chansons d'enfants.", "fr"});
        w.add({{"de"}, "Häuser", "Die Häuser standen am Fluss.", "german"});
        w.commit();
        // An unknown language is an error naming the article; nothing of it is added.
        try {
            w.add({{"xx-article"}, "", "text", "klingon"});
            FAIL("an unknown language was accepted");
        } catch (const invalid_argument& e) {
            CHECK(std::string(e.what()).find("xx-article") != std::string::npos);
            CHECK(std::string(e.what()).find("klingon") != std::string::npos);
        }
        w.commit();
    }
    const auto r = index::index_reader::open(dir);
    CHECK(r.article_count() == 3);
    const search::searcher s(r);
    // French analysis: elision removed, French stems, accents kept as French practice says.
    CHECK(articles_of(s, s.parse("élève", {}, "fr")) == std::vector<std::string>{"fr"});
    CHECK(articles_of(s, s.parse("chanson", {}, "french")) == std::vector<std::string>{"fr"});
    // In the index's language (English folds accents) the French article's terms are not reached.
    CHECK(articles_of(s, s.parse("élève")).empty());
    // German: "Häuser" stems with German's stemmer.
    CHECK(articles_of(s, s.parse("Häuser", {}, "de")) == std::vector<std::string>{"de"});
    // English articles as before.
    CHECK(articles_of(s, s.parse("run")) == std::vector<std::string>{"en"});
    CHECK_THROWS_AS((void)s.parse("x", {}, "klingon"), invalid_argument);
    // Snippets in the article's language mark its words.
    const std::string french = "L'élève chantait des chansons d'enfants.";
    const auto snip = s.snippet(french, s.highlight_terms(s.parse("chanson", {}, "fr")), {}, "fr");
    REQUIRE(snip.matches.size() == 1);
    CHECK(snip.matches[0].begin == french.find("chansons"));
}

namespace {

// Stacks "automobile" on "car" (after case folding).
class car_synonyms final : public analysis::token_filter {
public:
    bool apply(std::string&) override { return true; }
    [[nodiscard]] bool stacks() const noexcept override { return true; }
    void stack(std::string_view term, std::vector<std::string>& out) override {
        if (term == "car") out.emplace_back("automobile");
    }
    [[nodiscard]] std::unique_ptr<analysis::token_filter> clone() const override {
        return std::make_unique<car_synonyms>();
    }
};

std::shared_ptr<const analysis::analyzer> synonym_analyzer() {
    auto a = std::make_shared<analysis::analyzer>();
    a->add_filter(analysis::make_case_fold_filter()).add_filter(std::make_unique<car_synonyms>());
    return a;
}

index::index_writer_options custom_options() {
    index::index_writer_options o;
    o.index.custom_analyzer = synonym_analyzer();
    o.index.custom_analyzer_name = "car-synonyms";
    return o;
}

}  // namespace

TEST_CASE("languages: a custom analyzer with a stacking filter indexes the stacked terms") {
    auto dir = std::make_shared<storage::memory_directory>();
    {
        index::index_writer w(dir, custom_options());
        w.add({{"drive"}, "", "I drove my Car to the coast."});
        w.add({{"walk"}, "", "We walked along the coast."});
        w.commit();
        // Articles with their own language cannot be analysed by the custom pipeline.
        CHECK_THROWS_AS(w.add({{"fr"}, "", "texte", "fr"}), invalid_argument);
    }
    const auto r = index::index_reader::open(dir);
    CHECK(r.options().custom_analyzer_name == "car-synonyms");
    // The searcher needs the pipeline: its name is all the index stores.
    CHECK_THROWS_AS(search::searcher{r}, invalid_argument);
    const auto analyzer = synonym_analyzer();
    const search::searcher s(r, *analyzer);
    CHECK(articles_of(s, s.parse("automobile")) == std::vector<std::string>{"drive"});
    CHECK(articles_of(s, s.parse("car")) == std::vector<std::string>{"drive"});
    // The stacked term shares its word's position: the phrase "my automobile" matches.
    CHECK(articles_of(s, s.parse("\"my automobile\"")) == std::vector<std::string>{"drive"});
    CHECK(sorted(articles_of(s, s.parse("coast"))) == std::vector<std::string>{"drive", "walk"});
    CHECK_THROWS_AS((void)s.parse("car", {}, "fr"), invalid_argument);
    // Highlighting with the custom pipeline marks the word that carried the synonym.
    const auto snip = s.snippet("I drove my Car to the coast.", s.highlight_terms(s.parse("automobile")));
    REQUIRE(snip.matches.size() == 1);
    CHECK(snip.matches[0].begin == 11);

    // A writer must be given the same pipeline under the same name to add to the index.
    CHECK_THROWS_AS(index::index_writer{dir}, invalid_argument);
    {
        auto wrong = custom_options();
        wrong.index.custom_analyzer_name = "other";
        CHECK_THROWS_AS((index::index_writer{dir, wrong}), invalid_argument);
    }
    {
        index::index_writer w(dir, custom_options());
        w.add({{"bus"}, "", "The car park was full."});
        w.commit();
    }
    const auto after = index::index_reader::open(dir);
    const search::searcher s2(after, *analyzer);
    CHECK(sorted(articles_of(s2, s2.parse("automobile"))) == std::vector<std::string>{"bus", "drive"});
    // A custom analyzer without a name is refused when the index is created.
    auto unnamed = custom_options();
    unnamed.index.custom_analyzer_name.clear();
    CHECK_THROWS_AS((index::index_writer{std::make_shared<storage::memory_directory>(), unnamed}), invalid_argument);
}
