// SPDX-License-Identifier: MIT
// Query trees evaluated over an index: terms agree with the searcher bit for bit, phrases score
// with their phrase frequency, booleans require, exclude and count should clauses, prefix and
// fuzzy clauses score their expansions.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "rapport/core/error.hpp"
#include "rapport/index/index_builder.hpp"
#include "rapport/search/bm25.hpp"
#include "rapport/search/searcher.hpp"
#include "support/random_texts.hpp"
#include "support/seed.hpp"

using namespace rapport;
namespace qy = rapport::query;

namespace {
// `q` wrapped in a one-clause boolean: the same scores (0 + x is x), but not a plain disjunction,
// so the searcher walks the scorer tree instead of taking the term fast path.
qy::query walked(qy::query q) { return qy::boolean({qy::should(std::move(q))}); }

index::index_reader small_index(const std::vector<std::string>& texts) {
    index::index_options o;
    o.analyzer.stopwords = std::vector<std::string>{};  // keep every word: positions are then 0, 1, 2, ...
    o.analyzer.language = "";                          // no stemming: terms are the words
    index::index_builder b(o);
    for (std::size_t i = 0; i < texts.size(); ++i) b.add_passage(article_id{"a" + std::to_string(i)}, "", texts[i]);
    return b.finish();
}

std::vector<docid_t> ids(const std::vector<search::scored_doc>& v) {
    std::vector<docid_t> out;
    for (const auto& d : v) out.push_back(d.docid);
    return out;
}

}  // namespace

TEST_CASE("searcher: a term disjunction scores exactly as searcher::top_k, AND as match_mode::all") {
    std::mt19937 rng(rapport::test::seed(11));
    const auto texts = test::skewed_texts(rng, 600, 3, 30, 40);
    const auto index = small_index(texts);
    search::searcher plain(index);
    search::searcher trees(index);
    for (int round = 0; round < 200; ++round) {
        std::string text;
        std::vector<unsigned> seen;
        bool repeated = false;
        const int n = 1 + static_cast<int>(rng() % 5);
        for (int j = 0; j < n; ++j) {
            const auto w = static_cast<unsigned>(rng() % 45);
            repeated = repeated || std::find(seen.begin(), seen.end(), w) != seen.end();
            seen.push_back(w);
            text += "w" + std::to_string(w) + " ";
        }
        const std::size_t k = 1 + rng() % 30;
        // A repeated word is one clause per occurrence in the tree but one cursor of count 2 in the
        // searcher: the same sum in another order, equal to the last bits only.
        const auto same = [&](double a, double b) { return repeated ? a == doctest::Approx(b).epsilon(1e-12) : a == b; };
        CAPTURE(text);
        const auto expected = plain.top_k(plain.analyze(text), {.k = k});
        // Wrapped in a one-clause boolean, the tree walk runs (otherwise plain disjunctions take the
        // term fast path, which would make this comparison hollow).
        search::search_info info;
        const auto got = trees.top_k(walked(trees.parse(text)), {.k = k}, &info);
        CHECK(info.matches >= got.size());
        const auto fast = trees.top_k(trees.parse(text), {.k = k});
        CHECK(ids(fast) == ids(got));
        REQUIRE(got.size() == expected.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
            CHECK(got[i].docid == expected[i].docid);
            CHECK(same(got[i].score, expected[i].score));  // bit-identical without repeated words
        }
        const auto all = plain.top_k(plain.analyze(text), {.k = k, .mode = search::match_mode::all});
        const auto got_all = trees.top_k(trees.parse(text, {.op = qy::default_operator::and_}), {.k = k});
        if (!repeated) CHECK(ids(got_all) == ids(all));
        // ranked_and sums its cursors rarest first, the tree in query order: equal to the last bits.
        for (std::size_t i = 0; i < std::min(all.size(), got_all.size()); ++i)
            CHECK(got_all[i].score == doctest::Approx(all[i].score).epsilon(1e-12));
    }
}

TEST_CASE("searcher: required, excluded and minimum-should-match clauses select exactly the right passages") {
    std::mt19937 rng(rapport::test::seed(5));
    std::vector<std::vector<int>> words;
    std::vector<std::string> texts;
    for (int i = 0; i < 300; ++i) {
        std::vector<int> w;
        std::string t;
        for (int j = 0; j < 8; ++j) {
            w.push_back(static_cast<int>(rng() % 12));
            t += "w" + std::to_string(w.back()) + " ";
        }
        words.push_back(w);
        texts.push_back(t);
    }
    const auto index = small_index(texts);
    search::searcher trees(index);
    const auto has = [&](std::size_t d, int w) { return std::find(words[d].begin(), words[d].end(), w) != words[d].end(); };
    for (int round = 0; round < 300; ++round) {
        const int a = static_cast<int>(rng() % 12), b = static_cast<int>(rng() % 12), c = static_cast<int>(rng() % 12);
        const int shape = static_cast<int>(rng() % 3);
        std::string text;
        if (shape == 0) text = "+w" + std::to_string(a) + " -w" + std::to_string(b) + " w" + std::to_string(c);
        if (shape == 1) text = "(w" + std::to_string(a) + " w" + std::to_string(b) + " w" + std::to_string(c) + ")~2";
        if (shape == 2) text = "w" + std::to_string(a) + " AND NOT (w" + std::to_string(b) + " OR w" + std::to_string(c) + ")";
        CAPTURE(text);
        std::vector<docid_t> expected;
        for (std::size_t d = 0; d < texts.size(); ++d) {
            bool match = false;
            if (shape == 0) match = has(d, a) && !has(d, b);
            if (shape == 1) {
                std::vector<int> distinct{a};
                if (b != a) distinct.push_back(b);
                if (c != a && c != b) distinct.push_back(c);
                int n = 0;
                for (int w : distinct) n += has(d, w) ? 1 : 0;
                match = n >= std::min<int>(2, static_cast<int>(distinct.size()));
            }
            if (shape == 2) match = has(d, a) && !has(d, b) && !has(d, c);
            if (match) expected.push_back(static_cast<docid_t>(d));
        }
        auto got = ids(trees.top_k(trees.parse(text, {.mode = qy::parse_mode::strict}), {.k = 1000}));
        std::sort(got.begin(), got.end());
        if (shape == 1 && (a == b || b == c || a == c)) continue;  // repeated words: clause counting differs
        CHECK(got == expected);
    }
}

TEST_CASE("searcher: phrases use positions, and their frequency feeds BM25 as Lucene's PhraseQuery") {
    const auto index = small_index({
        "we keep building trust and building trust again",  // exact phrase twice
        "trust building is the reverse order",              // reversed: only a sloppy match
        "building real trust takes time",                   // one word between
        "nothing relevant here at all",
    });
    search::searcher trees(index);
    const search::bm25_params p{};
    const double n = 4;
    const double avgdl = (8 + 6 + 5 + 5) / n;
    const auto idf = [&](double df) { return std::log(1 + (n - df + 0.5) / (df + 0.5)); };
    const auto norm = [&](double dl) { return p.k1 * (1 - p.b + p.b * dl / avgdl); };
    const double weight = idf(3) + idf(3);  // "building" and "trust" each occur in 3 passages

    const auto exact = trees.top_k(trees.parse("\"building trust\""));
    REQUIRE(exact.size() == 1);
    CHECK(exact[0].docid == 0);
    CHECK(exact[0].score == doctest::Approx(weight * 2 * (p.k1 + 1) / (2 + norm(8))).epsilon(1e-12));

    // Slop 1 admits one word in between: spread 1, frequency 1/2 in passage 2.
    const auto one = trees.top_k(trees.parse("\"building trust\"~1"));
    REQUIRE(one.size() == 2);
    CHECK(one[1].docid == 2);
    CHECK(one[1].score == doctest::Approx(weight * 0.5 * (p.k1 + 1) / (0.5 + norm(5))).epsilon(1e-12));
    // Slop 2 admits the reversed order too (spread 2: "trust building" is positions 0, 1 → 0 and 0 − 1).
    const auto two = trees.top_k(trees.parse("\"building trust\"~2"), {.k = 10});
    CHECK(two.size() == 3);
}

TEST_CASE("searcher: prefix and fuzzy clauses score their expansions; boosts scale; fields") {
    const auto index = small_index({"trust matters", "truth matters", "trunk space", "customer care", "costumer shop"});
    search::searcher trees(index);
    search::searcher plain(index);
    search::search_info info;
    const auto prefix = trees.top_k(trees.parse("trus* truth"), {}, &info);
    const auto expected = plain.top_k(plain.analyze("trust truth"));
    REQUIRE(prefix.size() == expected.size());
    for (std::size_t i = 0; i < prefix.size(); ++i) CHECK(prefix[i].score == expected[i].score);
    CHECK(info.expanded_terms == 1);
    CHECK_FALSE(info.expansion_truncated);

    const auto all_tru = trees.top_k(trees.parse("tru*"), {}, &info);
    CHECK(all_tru.size() == 3);
    CHECK(info.expanded_terms == 3);
    const auto capped = trees.top_k(trees.parse("tru*"), {.expansion = {.max_prefix_terms = 2}}, &info);
    CHECK(capped.size() == 2);
    CHECK(info.expansion_truncated);

    const auto fuzzy = trees.top_k(trees.parse("custmer~1"));
    REQUIRE(fuzzy.size() == 1);
    CHECK(fuzzy[0].docid == 3);
    const auto fuzzy2 = trees.top_k(trees.parse("custmer~2"));
    CHECK(fuzzy2.size() == 2);  // customer (1 edit) and costumer (2 edits)

    const auto base = trees.top_k(trees.parse("matters"));
    const auto boosted = trees.top_k(trees.parse("matters^2"));
    REQUIRE(base.size() == 2);
    CHECK(boosted[0].score == doctest::Approx(2 * base[0].score).epsilon(1e-12));

    CHECK(trees.top_k(trees.parse("body:trust")).size() == 1);
    // A field other than body and title is an error (the parser only makes known fields; a tree can
    // name any); title fields are tested in tests/search/fields_test.cpp.
    CHECK_THROWS_AS((void)trees.top_k(qy::term("trust").field("author")), invalid_argument);
    CHECK(trees.top_k(trees.parse("")).empty());
    CHECK(trees.top_k(trees.parse("-trust")).empty());
    // Boosts are bounded along each path (query::max_boost), so no score overflows to infinity:
    // a larger one, or nested ones whose product is, is an error, never a silent infinite score.
    CHECK_FALSE(trees.top_k(trees.parse("matters^1e9")).empty());
    for (const char* q : {"matters^2e9", "(matters^1e200)^1e200", "(trust (matters^1e5))^1e5"}) {
        CAPTURE(q);
        CHECK_THROWS_AS((void)trees.top_k(trees.parse(q)), invalid_argument);
        CHECK_THROWS_AS((void)trees.explain(trees.parse(q), 0), invalid_argument);
    }
    CHECK_THROWS_AS((void)trees.top_k(qy::any_of({qy::term("trust").boost(1e6)}).boost(1e6)), invalid_argument);
    search::analysed_query bag;
    bag.terms.push_back({"trust", 1, 1e10});
    CHECK_THROWS_AS((void)trees.top_k(bag), invalid_argument);
    // BM25 parameters too: k1 and delta at most 1e6.
    CHECK_THROWS_AS((void)trees.top_k(trees.parse("trust"), {.bm25 = {1e308, 0.4}}), invalid_argument);
    search::search_options plus;
    plus.bm25.model = search::scoring_model::bm25_plus;
    plus.bm25.delta = 1e308;
    CHECK_THROWS_AS((void)trees.top_k(trees.parse("trust"), plus), invalid_argument);
}

TEST_CASE("searcher: explain's value is the search score, for every hit of mixed queries") {
    std::mt19937 rng(rapport::test::seed(3));
    const auto texts = test::skewed_texts(rng, 400, 3, 20, 15);
    const auto index = small_index(texts);
    search::searcher trees(index);
    const std::vector<std::string> queries{"w1 w2^2", "\"w1 w2\"", "\"w3 w1\"~2 w4", "+w1 -w5 (w2 OR w6)", "w1* w7",
                                           "w11~1", "(w1 w2 w3)~2", "w0 AND (w1 OR \"w2 w2\")"};
    for (const auto& text : queries) {
        CAPTURE(text);
        const auto q = trees.parse(text, {.mode = qy::parse_mode::strict});
        const auto hits = trees.top_k(q, {.k = 20});
        CHECK_FALSE(hits.empty());
        for (const auto& h : hits) {
            const auto e = trees.explain(q, h.docid);
            CHECK(e.value == h.score);
            CHECK(e.to_string().find("passage " + std::to_string(h.docid)) != std::string::npos);
        }
    }
    // A passage the query does not match.
    const auto q = trees.parse("+w1 +w2");
    std::vector<docid_t> matched;
    for (const auto& h : trees.top_k(q, {.k = 1000})) matched.push_back(h.docid);
    for (docid_t d = 0; d < 400; ++d)
        if (std::find(matched.begin(), matched.end(), d) == matched.end()) {
            const auto e = trees.explain(q, d);
            CHECK(e.value == 0);
            CHECK(e.description.find("does not match") != std::string::npos);
            break;
        }
}

TEST_CASE("searcher: highlight terms hold terms, phrases and expansions, never excluded clauses") {
    const auto index = small_index({"trust matters", "truth matters", "building trust daily"});
    search::searcher trees(index);
    const auto h = trees.highlight_terms(trees.parse("tru* \"building trust\" -matters daily"));
    CHECK(h.terms == std::vector<std::string>{"trust", "truth", "daily"});
    REQUIRE(h.phrases.size() == 1);
    CHECK(h.phrases[0].terms == std::vector<std::string>{"building", "trust"});
    const std::string text = "building trust daily";
    const auto s = trees.snippet(text, h);
    CHECK(highlight::render_plain(text, s) == "[building trust] [daily]");
}

TEST_CASE("searcher: RM3 interpolates the query with the score-weighted relevance model") {
    const auto index = small_index({"trust trust building", "trust care", "other words here", "building care trust"});
    search::searcher trees(index);
    const auto q = trees.parse("trust");
    const auto first = trees.top_k(q, {.k = 2});
    REQUIRE(first.size() == 2);
    // By hand: P0 "trust trust building" (3 tokens) and P1 "trust care" (2 tokens) are the two best,
    // each weighing score^γ in the relevance model.
    REQUIRE(first[0].docid == 0);
    REQUIRE(first[1].docid == 1);
    const qy::boolean_node* b = nullptr;
    const auto weight_of = [&](const std::string& term) {
        for (const auto& c : b->clauses)
            if (c.query.get_if<qy::term_node>()->text == term) return c.query.boost();
        return -1.0;
    };
    for (const double gamma : {1.0, 3.0, 0.0}) {
        CAPTURE(gamma);
        const double s0 = std::pow(first[0].score, gamma), s1 = std::pow(first[1].score, gamma);
        double trust = s0 * 2 / 3 + s1 / 2, building = s0 / 3, care = s1 / 2;
        const double total = trust + building + care;
        trust /= total;
        building /= total;
        care /= total;
        const auto expanded = trees.rm3(
            q, {}, {.feedback_passages = 2, .expansion_terms = 10, .original_weight = 0.5, .score_exponent = gamma});
        b = expanded.get_if<qy::boolean_node>();
        REQUIRE(b != nullptr);
        REQUIRE(b->clauses.size() == 3);
        CHECK(weight_of("trust") == doctest::Approx(0.5 + 0.5 * trust).epsilon(1e-12));
        CHECK(weight_of("building") == doctest::Approx(0.5 * building).epsilon(1e-12));
        CHECK(weight_of("care") == doctest::Approx(0.5 * care).epsilon(1e-12));
    }
    // The default exponent is 3: the best passage's terms weigh more than with raw scores.
    const auto expanded = trees.rm3(q, {}, {.feedback_passages = 2, .expansion_terms = 10, .original_weight = 0.5});
    b = expanded.get_if<qy::boolean_node>();
    REQUIRE(b != nullptr);
    const double building_default = weight_of("building");
    const auto raw = trees.rm3(q, {}, {.feedback_passages = 2, .expansion_terms = 10, .score_exponent = 1.0});
    b = raw.get_if<qy::boolean_node>();
    CHECK(building_default > weight_of("building"));
    CHECK_THROWS_AS((void)trees.rm3(q, {}, {.score_exponent = -1.0}), invalid_argument);
    CHECK_THROWS_AS((void)trees.rm3(q, {}, {.max_df_ratio = 0.0}), invalid_argument);
    // Anserini's df rule: at a share of 0.5, "trust" (in 3 of 4 passages) is no feedback term.
    const auto no_common = trees.rm3(q, {}, {.feedback_passages = 2, .expansion_terms = 10, .max_df_ratio = 0.5});
    b = no_common.get_if<qy::boolean_node>();
    REQUIRE(b != nullptr);
    CHECK(weight_of("trust") == doctest::Approx(0.5));  // the original query's weight alone
    CHECK(weight_of("building") > 0);
    // Keeping one expansion term keeps the most probable one (trust), renormalised to 1.
    const auto one = trees.rm3(q, {}, {.feedback_passages = 2, .expansion_terms = 1});
    REQUIRE(one.get_if<qy::boolean_node>() != nullptr);
    CHECK(one.get_if<qy::boolean_node>()->clauses.size() == 1);
    CHECK(one.get_if<qy::boolean_node>()->clauses[0].query.boost() == doctest::Approx(1.0));
    // The expanded query finds the passage that shares only expansion terms with the feedback.
    const auto hits = trees.top_k(expanded, {.k = 10});
    CHECK(hits.size() == 3);
    // A tree that is not a plain disjunction is kept whole, boosted by the original weight.
    const auto phrase = trees.rm3(trees.parse("\"trust care\""), {}, {.feedback_passages = 1});
    REQUIRE(phrase.get_if<qy::boolean_node>() != nullptr);
    CHECK(phrase.get_if<qy::boolean_node>()->clauses[0].query.kind() == qy::node_kind::phrase);
    CHECK(phrase.get_if<qy::boolean_node>()->clauses[0].query.boost() == 0.5);
    // Any other tree gets the original weight spread over its scoring leaves (two here: the
    // exclusion does not score), as a plain query of two words gives each 0.5 / 2.
    const auto mixed = trees.rm3(trees.parse("+trust care -other"), {}, {.feedback_passages = 1});
    REQUIRE(mixed.get_if<qy::boolean_node>() != nullptr);
    CHECK(mixed.get_if<qy::boolean_node>()->clauses[0].query.kind() == qy::node_kind::boolean);
    CHECK(mixed.get_if<qy::boolean_node>()->clauses[0].query.boost() == 0.25);
    CHECK(trees.rm3(trees.parse("absent"), {}) == trees.parse("absent"));
    CHECK_THROWS_AS((void)trees.rm3(q, {}, {.original_weight = 1.5}), invalid_argument);
}

TEST_CASE("searcher: BM25+ and BM25L score phrases by hand, with the phrase frequency as tf") {
    const auto index = small_index({
        "we keep building trust and building trust again",
        "trust building is the reverse order",
        "building real trust takes time",
        "nothing relevant here at all",
    });
    search::searcher trees(index);
    // N = 4, lengths 8, 6, 5, 5, avgdl = 6; "building" and "trust" each have df = 3.
    // K(8) = 0.9 · (0.6 + 0.4 · 8/6) = 1.02, K(5) = 0.84; L(8) = 1.1333…, L(5) = 0.9333….
    const search::bm25_params plus{.model = search::scoring_model::bm25_plus};
    const search::bm25_params l{.model = search::scoring_model::bm25l};
    // BM25+: weight = 2 · ln(5/3) = 1.0216512. Exact phrase, frequency 2 in passage 0:
    // (2 · 1.9 / (2 + 1.02) + 1) · 1.0216512 = 2.2582781 · 1.0216512 = 2.3071726848238785.
    const auto exact_plus = trees.top_k(trees.parse("\"building trust\""), {.bm25 = plus});
    REQUIRE(exact_plus.size() == 1);
    CHECK(exact_plus[0].score == doctest::Approx(2.3071726848238785).epsilon(1e-12));
    // Slop 1, frequency 1/2 in passage 2: (0.5 · 1.9 / (0.5 + 0.84) + 1) · 1.0216512 = 1.7459562364539085.
    const auto sloppy_plus = trees.top_k(trees.parse("\"building trust\"~1"), {.bm25 = plus});
    REQUIRE(sloppy_plus.size() == 2);
    CHECK(sloppy_plus[1].docid == 2);
    CHECK(sloppy_plus[1].score == doctest::Approx(1.7459562364539085).epsilon(1e-12));
    // BM25L: weight = 2 · ln(5/3.5) = 0.7133499. Passage 0: c = 2 / 1.1333 = 1.7647059,
    // 1.9 · 2.2647059 / 3.1647059 · 0.7133499 = 0.9699171802646198.
    const auto exact_l = trees.top_k(trees.parse("\"building trust\""), {.bm25 = l});
    REQUIRE(exact_l.size() == 1);
    CHECK(exact_l[0].score == doctest::Approx(0.9699171802646198).epsilon(1e-12));
    // Passage 2: c = 0.5 / 0.9333 = 0.5357143, 1.9 · 1.0357143 / 1.9357143 · 0.7133499 = 0.7251951812186034.
    const auto sloppy_l = trees.top_k(trees.parse("\"building trust\"~1"), {.bm25 = l});
    REQUIRE(sloppy_l.size() == 2);
    CHECK(sloppy_l[1].docid == 2);
    CHECK(sloppy_l[1].score == doctest::Approx(0.7251951812186034).epsilon(1e-12));
    // Explanations name the model and its δ, and keep the phrase frequency.
    const auto e = trees.explain(trees.parse("\"building trust\"~1"), 2, {.bm25 = l});
    CHECK(e.value == sloppy_l[1].score);
    CHECK(e.to_string().find("bm25l") != std::string::npos);
    CHECK(e.to_string().find("phrase freq 0.500000") != std::string::npos);
    CHECK(e.to_string().find("delta 0.5") != std::string::npos);
}

TEST_CASE("searcher: for every model, trees score as the searcher and explain equals the score") {
    std::mt19937 rng(rapport::test::seed(23));
    const auto texts = test::skewed_texts(rng, 400, 3, 20, 15);
    const auto index = small_index(texts);
    search::searcher trees(index);
    search::searcher plain(index);
    const std::vector<search::bm25_params> settings{
        {.model = search::scoring_model::bm25_plus},
        {.model = search::scoring_model::bm25l},
        {.k1 = 1.2, .b = 0.75, .model = search::scoring_model::bm25_plus, .delta = 0.25},
        {.k1 = 0.0, .b = 1.0, .model = search::scoring_model::bm25l},
        {.k1 = 2.0, .b = 0.0, .model = search::scoring_model::bm25l, .delta = 0.0},
        {.k1 = 1.2, .b = 1.0},
    };
    const std::vector<std::string> queries{"w1 w2^2", "\"w1 w2\"", "\"w3 w1\"~2 w4", "+w1 -w5 (w2 OR w6)", "w1* w7",
                                           "w11~1", "(w1 w2 w3)~2", "w0 AND (w1 OR \"w2 w2\")"};
    std::size_t explained = 0;
    for (const auto& p : settings) {
        const auto model = search::scoring_model_name(p.model);
        CAPTURE(model);
        CAPTURE(p.k1);
        CAPTURE(p.b);
        // A disjunction of distinct words: the tree walk (forced by wrapping it) and the
        // searcher's pruned fast path give the same passages and the same bits.
        for (const std::string text : {"w1 w3 w9", "w0 w14", "w2", "w4 w5 w6 w7 w8"}) {
            const auto tree_walk = trees.top_k(walked(trees.parse(text)), {.k = 15, .bm25 = p});
            const auto fast = trees.top_k(trees.parse(text), {.k = 15, .bm25 = p});
            const auto flat = plain.top_k(plain.analyze(text), {.k = 15, .bm25 = p});
            CHECK(tree_walk == flat);
            CHECK(fast == flat);
        }
        for (const auto& text : queries) {
            CAPTURE(text);
            const auto q = trees.parse(text, {.mode = qy::parse_mode::strict});
            const auto hits = trees.top_k(q, {.k = 20, .bm25 = p});
            CHECK_FALSE(hits.empty());
            for (const auto& h : hits) {
                const auto e = trees.explain(q, h.docid, {.bm25 = p});
                CHECK(e.value == h.score);
                if (p.model != search::scoring_model::bm25)
                    CHECK(e.to_string().find(std::string(model)) != std::string::npos);
                ++explained;
            }
        }
    }
    CHECK(explained > 500);
    // The models rank differently: the same query under BM25 and BM25+ gives other scores.
    const auto q = trees.parse("w1 w2");
    CHECK(trees.top_k(q, {.k = 50}) != trees.top_k(q, {.k = 50, .bm25 = settings[0]}));
}

TEST_CASE("searcher: a word in several summed fields scores on the fast path exactly as the tree walk") {
    std::mt19937 rng(rapport::test::seed(41));
    const auto bodies = test::skewed_texts(rng, 300, 3, 25, 30);
    const auto titles = test::skewed_texts(rng, 60, 1, 4, 30);
    index::index_options io;
    io.analyzer.stopwords = std::vector<std::string>{};
    io.analyzer.language = "";
    index::index_builder b(io);
    // Titles shared by five passages each, some passages without one.
    for (std::size_t i = 0; i < bodies.size(); ++i)
        b.add_passage(article_id{"a" + std::to_string(i)}, i % 7 == 0 ? "" : titles[i / 5], bodies[i]);
    const auto index = b.finish();
    search::searcher s(index);
    const std::vector<std::vector<search::field_weight>> settings{
        {{index::field::title, 0.5}, {index::field::body, 1.0}},
        {{index::field::body, 1.0}, {index::field::title, 2.0}},
        {{index::field::title, 1.0}},
    };
    std::size_t compared = 0;
    for (const auto& fields : settings) {
        for (int round = 0; round < 60; ++round) {
            // Distinct words: an analysed query counts a repeated word once with count 2, which
            // rounds differently from the tree's two clauses.
            std::string text;
            std::vector<unsigned> words;
            const int n = 1 + static_cast<int>(rng() % 5);
            while (words.size() < static_cast<std::size_t>(n)) {
                const auto w = static_cast<unsigned>(rng() % 35);
                if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
            }
            for (const auto w : words) text += "w" + std::to_string(w) + " ";
            if (round % 4 == 0) text += "title:w" + std::to_string(rng() % 35) + " body:w" + std::to_string(rng() % 35);
            CAPTURE(text);
            search::search_options o{.k = 1 + rng() % 30};
            o.fields = fields;
            if (round % 3 == 0) o.bm25 = {.model = search::scoring_model::bm25_plus};
            for (const auto a : {search::algorithm::exhaustive, search::algorithm::block_max_wand, search::algorithm::maxscore}) {
                o.algorithm = a;
                const auto q = s.parse(text);
                const auto walk = s.top_k(walked(q), o);
                CHECK(s.top_k(q, o) == walk);  // the flat path, bit for bit
                CHECK(s.top_k_articles(q, o) == s.top_k_articles(walked(q), o));
                if (text.find(':') == std::string::npos) {
                    const auto bag = s.analyze(text);
                    CHECK(s.top_k(bag, o) == walk);
                    for (const auto& h : walk) CHECK(s.explain(bag, h.docid, o).value == h.score);
                    o.mode = search::match_mode::all;
                    const auto all = s.top_k(bag, o);
                    CHECK(all == s.top_k(walked(s.parse(text, {.op = qy::default_operator::and_})), o));
                    for (const auto& h : all) CHECK(s.explain(bag, h.docid, o).value == h.score);
                    o.mode = search::match_mode::any;
                }
                for (const auto& h : walk) CHECK(s.explain(q, h.docid, o).value == h.score);
                compared += walk.size();
            }
        }
    }
    CHECK(compared > 1000);
}

TEST_CASE("searcher: fuzzy expansions share one idf and weigh less the further they are (Lucene's blended rewrite)") {
    // "kangaroo" (1 edit from "kangaro") is common; "kangra" (2 edits) is rare. Scored with their
    // own idfs the rare misspelling would outrank every kangaroo; blended, the word meant wins.
    std::vector<std::string> texts;
    for (int i = 0; i < 20; ++i) texts.push_back("the kangaroo hops across field " + std::to_string(i));
    texts.push_back("kangra valley tea");
    for (int i = 0; i < 30; ++i) texts.push_back("other words " + std::to_string(i));
    const auto index = small_index(texts);
    search::searcher s(index);
    const auto q = s.parse("kangaro~2");
    const auto hits = s.top_k(q, {.k = 25});
    REQUIRE(hits.size() == 21);
    for (std::size_t i = 0; i < 20; ++i) CHECK(s.fetch(hits[i]).text.find("kangaroo") != std::string::npos);
    CHECK(s.fetch(hits[20]).text.find("kangra") != std::string::npos);
    for (const auto& h : hits) CHECK(s.explain(q, h.docid, {}).value == h.score);
    // The exact word at distance 0 keeps boost 1 and the shared idf.
    const auto exact = s.top_k(s.parse("kangaroo~1"), {.k = 1});
    const auto plain = s.top_k(s.parse("kangaroo"), {.k = 1});
    REQUIRE(exact.size() == 1);
    CHECK(exact[0].score == doctest::Approx(plain[0].score).epsilon(1e-12));
}

TEST_CASE("searcher: prefix and fuzzy terms follow the index's case folding") {
    index::index_options o;
    o.analyzer.stopwords = std::vector<std::string>{};
    o.analyzer.language = "";
    o.analyzer.case_fold = false;  // the index keeps "Customer" as written
    index::index_builder b(o);
    b.add_passage(article_id{"a0"}, "", "Customer service");
    b.add_passage(article_id{"a1"}, "", "customer care");
    search::searcher trees(b.finish());
    CHECK(ids(trees.top_k(trees.parse("Customer"))) == std::vector<docid_t>{0});
    CHECK(ids(trees.top_k(trees.parse("Cust*"))) == std::vector<docid_t>{0});
    CHECK(ids(trees.top_k(trees.parse("Custmer~1"))) == std::vector<docid_t>{0});
    CHECK(ids(trees.top_k(trees.parse("cust*"))) == std::vector<docid_t>{1});
}

TEST_CASE("searcher: a sloppy phrase of a repeated term never uses one token twice") {
    // "trust trust"~2: passage 0 has one "trust", which cannot stand for both terms; passage 1 has
    // the exact phrase (frequency 1); passage 2 has the two words two apart (spread 1: frequency 1/2).
    const auto index = small_index({"trust", "trust trust", "trust grows trust"});
    search::searcher s(index);
    const auto q = s.parse("\"trust trust\"~2");
    const auto hits = s.top_k(q, {.algorithm = search::algorithm::exhaustive});
    REQUIRE(hits.size() == 2);
    CHECK(hits[0].docid == 1);
    CHECK(hits[1].docid == 2);
    CHECK(s.count(q) == 2);
    CHECK_FALSE(s.explain(q, 0).matches);
    CHECK(s.explain(q, 2).to_string().find("phrase freq 0.500000") != std::string::npos);
    // Highlighting marks what was scored: both tokens of passage 2, nothing in passage 0.
    const auto marks = s.highlight_terms(q);
    CHECK(s.snippet("trust", marks).matches.empty());
    CHECK(s.snippet("trust grows trust", marks).matches.size() == 1);
}

TEST_CASE("searcher: a query with more clauses than max_clauses is an error naming the limit") {
    std::vector<std::string> texts;
    for (int i = 0; i < 300; ++i) texts.push_back("word" + std::to_string(i) + " common text");
    const auto index = small_index(texts);
    search::searcher s(index);
    const auto words = [](int n, const std::string& suffix = "") {
        std::string q;
        for (int i = 0; i < n; ++i) q += "word" + std::to_string(i) + suffix + " ";
        return q;
    };
    search::search_options o;
    o.fields = {{index::field::body, 1.0}};
    o.max_clauses = 100;
    CHECK_NOTHROW((void)s.top_k(s.parse(words(100)), o));
    CHECK_THROWS_WITH_AS((void)s.top_k(s.parse(words(101)), o), doctest::Contains("max_clauses"), invalid_argument);
    // Trees that are not plain disjunctions, phrases (each word counts) and bags of terms too.
    CHECK_THROWS_AS((void)s.top_k(s.parse("+" + words(101)), o), invalid_argument);
    CHECK_THROWS_AS((void)s.top_k(s.parse("\"" + words(101) + "\""), o), invalid_argument);
    CHECK_THROWS_AS((void)s.top_k(s.analyze(words(101)), o), invalid_argument);
    // Expansions count: "word1*" expands to word1, word10..word19, word100..word199 (111 terms).
    CHECK_THROWS_WITH_AS((void)s.top_k(s.parse("word1*"), o), doctest::Contains("expand"), invalid_argument);
    o.max_clauses = 200;
    CHECK_FALSE(s.top_k(s.parse("word1*"), o).empty());
    // 0: no limit.
    o.max_clauses = 0;
    CHECK(s.top_k(s.parse(words(300)), {.k = 300, .fields = o.fields, .max_clauses = 0}).size() == 300);
    // The default, 1024, as Lucene's maxClauseCount.
    CHECK(search::search_options{}.max_clauses == 1024);
}

