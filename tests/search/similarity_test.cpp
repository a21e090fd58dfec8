// SPDX-License-Identifier: MIT
// The scoring models of the BM25 family (search/bm25.hpp): BM25+ and BM25L against values worked
// out by hand (python3 on the formulas of the papers, never this code), their edge cases (δ, k1 = 0,
// b = 0, b = 1, an empty passage), the default model's bit-identity with the historical BM25
// expressions, runtime selection through `searcher`, and explain == score for every model.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "rapport/core/error.hpp"
#include "rapport/index/index_builder.hpp"
#include "rapport/search/bm25.hpp"
#include "rapport/search/cursor.hpp"
#include "rapport/search/ranked_or.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/search/similarity.hpp"
#include "rapport/search/topk_queue.hpp"
#include "support/random_texts.hpp"
#include "support/hand_index.hpp"
#include "support/seed.hpp"

using namespace rapport;
using namespace rapport::search;

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Runs a disjunction (or conjunction) of unboosted terms over `seg` with `Model`, exhaustively.
template <Similarity Model>
std::vector<scored_doc> run(const index::segment& seg, const Model& model, const std::vector<std::string>& terms,
                            bool conjunctive = false) {
    const double avgdl = static_cast<double>(seg.total_length()) / static_cast<double>(seg.size());
    const auto norms = length_norms(model, seg.lengths(), avgdl);
    using cursor_t = bm25_cursor<index::postings_cursor, Model>;
    std::vector<cursor_t> cursors;
    for (const auto& term : terms) {
        auto c = seg.cursor(term);
        cursors.emplace_back(c, model.idf(seg.size(), c.size()), model, avgdl, norms);
    }
    topk_queue top(10);
    if (conjunctive)
        ranked_and(std::span<cursor_t>(cursors), top);
    else
        ranked_or(std::span<cursor_t>(cursors), top);
    return top.finish();
}

// The score of `docid` in `r` (NaN when absent, which fails every comparison).
double score_of(const std::vector<scored_doc>& r, docid_t docid) {
    for (const auto& e : r)
        if (e.docid == docid) return e.score;
    return std::numeric_limits<double>::quiet_NaN();
}

index::index_reader small_index(const std::vector<std::string>& texts) {
    index::index_options o;
    o.analyzer.stopwords = std::vector<std::string>{};  // keep every word
    o.analyzer.language = "";                          // no stemming: terms are the words
    index::index_builder b(o);
    for (std::size_t i = 0; i < texts.size(); ++i) b.add_passage(article_id{"a" + std::to_string(i)}, "", texts[i]);
    return b.finish();
}

const std::vector<std::string> tiny{"a b a", "b c", "a c c c"};

}  // namespace

// The collection: N = 3 passages, lengths 3, 2, 4, avgdl = 9 / 3 = 3; tf(a) = 2 in d0 and 1 in d2,
// tf(c) = 1 in d1 and 3 in d2; every term has df = 2. k1 = 0.9, b = 0.4 unless said otherwise:
// K(dl) = 0.9 · (0.6 + 0.4 · dl / 3): K(2) = 0.78, K(3) = 0.9, K(4) = 1.02;
// L(dl) = 0.6 + 0.4 · dl / 3:         L(2) = 0.8666…, L(3) = 1, L(4) = 1.1333….
TEST_CASE("search: BM25+ scores equal values worked out by hand") {
    const auto seg = test::hand_segment(tiny);
    // idf = ln((N + 1) / df): ln(4 / 2) = ln 2, ln(4 / 1) = ln 4 (Trotman et al. 2014).
    CHECK(bm25_plus_model{}.idf(3, 2) == doctest::Approx(0.6931471805599453).epsilon(1e-14));
    CHECK(bm25_plus_model{}.idf(3, 1) == doctest::Approx(1.3862943611198906).epsilon(1e-14));
    CHECK(bm25_plus_model{}.idf(3, 3) == doctest::Approx(0.28768207245178085).epsilon(1e-14));  // ln(4/3)
    CHECK(bm25_plus_model{}.length_norm(4, 3.0) == doctest::Approx(1.02).epsilon(1e-14));

    SUBCASE("defaults (δ = 1)") {
        const bm25_plus_model m{};
        CHECK(m.delta == 1.0);
        const auto a = run(seg, m, {"a"});
        REQUIRE(a.size() == 2);
        // d0: (2 · 1.9 / (2 + 0.9) + 1) · ln 2 = (1.3103448 + 1) · 0.6931472 = 1.6014090033626323
        CHECK(a[0].docid == 0);
        CHECK(a[0].score == doctest::Approx(1.6014090033626323).epsilon(1e-12));
        // d2: (1.9 / (1 + 1.02) + 1) · ln 2 = (0.9405941 + 1) · 0.6931472 = 1.3451173008886066
        CHECK(a[1].docid == 2);
        CHECK(a[1].score == doctest::Approx(1.3451173008886066).epsilon(1e-12));
        const auto c = run(seg, m, {"c"});
        // d1: (1.9 / (1 + 0.78) + 1) · ln 2 = 2.0674157 · 0.6931472 = 1.433023384528426
        CHECK(score_of(c, 1) == doctest::Approx(1.433023384528426).epsilon(1e-12));
        // d2: (3 · 1.9 / (3 + 1.02) + 1) · ln 2 = 2.4179104 · 0.6931472 = 1.6759678097121065
        CHECK(score_of(c, 2) == doctest::Approx(1.6759678097121065).epsilon(1e-12));
        // Two terms sum: d2 = 1.3451173 + 1.6759678 = 3.021085110600713, and d2 now leads.
        const auto ac = run(seg, m, {"a", "c"});
        REQUIRE(ac.size() == 3);
        CHECK(ac[0].docid == 2);
        CHECK(ac[0].score == doctest::Approx(3.021085110600713).epsilon(1e-12));
        const auto both = run(seg, m, {"a", "c"}, true);
        REQUIRE(both.size() == 1);
        CHECK(both[0].docid == 2);
    }
    SUBCASE("δ = 0 is BM25's saturation with BM25+'s idf; δ = 2.5 raises every present term") {
        // d0, a: 2 · 1.9 / 2.9 · ln 2 = 1.3103448 · 0.6931472 = 0.9082618228026869
        CHECK(score_of(run(seg, bm25_plus_model{0.9, 0.4, 0.0}, {"a"}), 0) ==
              doctest::Approx(0.9082618228026869).epsilon(1e-12));
        // d2, a: (0.9405941 + 2.5) · ln 2 = 2.3848380717285247
        CHECK(score_of(run(seg, bm25_plus_model{0.9, 0.4, 2.5}, {"a"}), 2) ==
              doctest::Approx(2.3848380717285247).epsilon(1e-12));
    }
    SUBCASE("k1 = 0: tf and length no longer matter, a present term scores (1 + δ) · idf") {
        const auto a = run(seg, bm25_plus_model{0.0, 0.4, 1.0}, {"a"});
        REQUIRE(a.size() == 2);
        // (tf · 1 / (tf + 0) + 1) · ln 2 = 2 ln 2 = 1.3862943611198906 for both passages
        CHECK(a[0].score == doctest::Approx(1.3862943611198906).epsilon(1e-14));
        CHECK(a[1].score == doctest::Approx(1.3862943611198906).epsilon(1e-14));
        CHECK(a[0].docid == 0);  // a tie: lower docid first
    }
    SUBCASE("b = 0 ignores length (K = k1 = 0.9)") {
        const auto a = run(seg, bm25_plus_model{0.9, 0.0, 1.0}, {"a"});
        // d0: (3.8 / 2.9 + 1) · ln 2 = 1.6014090033626323 (K(3) was 0.9 already)
        CHECK(score_of(a, 0) == doctest::Approx(1.6014090033626323).epsilon(1e-12));
        // d2: (1.9 / 1.9 + 1) · ln 2 = 2 ln 2 = 1.3862943611198906
        CHECK(score_of(a, 2) == doctest::Approx(1.3862943611198906).epsilon(1e-12));
    }
    SUBCASE("b = 1 normalises fully (K = 0.9 · dl / 3: K(2) = 0.6, K(4) = 1.2)") {
        const auto c = run(seg, bm25_plus_model{0.9, 1.0, 1.0}, {"c"});
        // d1: (1.9 / 1.6 + 1) · ln 2 = 2.1875 · 0.6931472 = 1.5162594574748802
        CHECK(score_of(c, 1) == doctest::Approx(1.5162594574748802).epsilon(1e-12));
        // d2: (5.7 / 4.2 + 1) · ln 2 = 2.3571429 · 0.6931472 = 1.633846925605585
        CHECK(score_of(c, 2) == doctest::Approx(1.633846925605585).epsilon(1e-12));
    }
}

TEST_CASE("search: BM25L scores equal values worked out by hand") {
    const auto seg = test::hand_segment(tiny);
    // idf = ln((N + 1) / (df + 0.5)): ln(4 / 2.5) = ln 1.6, ln(4 / 1.5), ln(4 / 3.5). (In exact
    // arithmetic this is Lucene's idf rewritten: 1 + (N − df + 0.5) / (df + 0.5) = (N + 1) / (df + 0.5).)
    CHECK(bm25l_model{}.idf(3, 2) == doctest::Approx(0.47000362924573563).epsilon(1e-14));
    CHECK(bm25l_model{}.idf(3, 1) == doctest::Approx(0.9808292530117262).epsilon(1e-14));
    CHECK(bm25l_model{}.idf(3, 3) == doctest::Approx(0.13353139262452257).epsilon(1e-14));
    // The normaliser is L(dl), without k1.
    CHECK(bm25l_model{}.length_norm(2, 3.0) == doctest::Approx(0.8666666666666667).epsilon(1e-14));
    CHECK(bm25l_model{5.0, 0.4, 0.5}.length_norm(4, 3.0) == doctest::Approx(1.1333333333333333).epsilon(1e-14));

    SUBCASE("defaults (δ = 0.5)") {
        const bm25l_model m{};
        CHECK(m.delta == 0.5);
        const auto a = run(seg, m, {"a"});
        REQUIRE(a.size() == 2);
        // d0: c = 2 / 1 = 2; 1.9 · 2.5 / (0.9 + 2.5) = 1.3970588 · ln 1.6 = 0.6566227173286011
        CHECK(a[0].docid == 0);
        CHECK(a[0].score == doctest::Approx(0.6566227173286011).epsilon(1e-12));
        // d2: c = 1 / 1.1333 = 0.8823529; 1.9 · 1.3823529 / 2.2823529 = 1.1507732 · ln 1.6 = 0.5408675785005694
        CHECK(a[1].docid == 2);
        CHECK(a[1].score == doctest::Approx(0.5408675785005694).epsilon(1e-12));
        const auto c = run(seg, m, {"c"});
        // d1: c = 1 / 0.8667 = 1.1538462; 1.9 · 1.6538462 / 2.5538462 · ln 1.6 = 0.5783026582737439
        CHECK(score_of(c, 1) == doctest::Approx(0.5783026582737439).epsilon(1e-12));
        // d2: c = 3 / 1.1333 = 2.6470588; 1.9 · 3.1470588 / 4.0470588 · ln 1.6 = 0.6944166993143753
        CHECK(score_of(c, 2) == doctest::Approx(0.6944166993143753).epsilon(1e-12));
        // d2 for "a c": 0.5408676 + 0.6944167 = 1.2352842778149449
        const auto ac = run(seg, m, {"a", "c"});
        CHECK(ac[0].docid == 2);
        CHECK(ac[0].score == doctest::Approx(1.2352842778149449).epsilon(1e-12));
    }
    SUBCASE("δ = 0 is BM25 (with this idf); δ = 2 lifts short, frequent passages less than long ones") {
        // d2, c, δ = 0: 1.9 · 2.6470588 / (0.9 + 2.6470588) · ln 1.6 = 0.6664230563932071, which is
        // BM25's 3 · 1.9 / (3 + 1.02) · ln 1.6 (the first case of bm25_test.cpp).
        CHECK(score_of(run(seg, bm25l_model{0.9, 0.4, 0.0}, {"c"}), 2) ==
              doctest::Approx(0.6664230563932071).epsilon(1e-12));
        // d1, c, δ = 2: 1.9 · 3.1538462 / 4.0538462 · ln 1.6 = 0.6947491976896167
        CHECK(score_of(run(seg, bm25l_model{0.9, 0.4, 2.0}, {"c"}), 1) ==
              doctest::Approx(0.6947491976896167).epsilon(1e-12));
    }
    SUBCASE("k1 = 0 is well defined: (0 + 1)(c + δ) / (0 + c + δ) = 1, every present term scores idf exactly") {
        const bm25l_model m{0.0, 0.4, 0.5};
        const auto a = run(seg, m, {"a"});
        REQUIRE(a.size() == 2);
        CHECK(a[0].score == m.idf(3, 2));  // bit for bit: the fraction is x / x
        CHECK(a[1].score == m.idf(3, 2));
        CHECK(a[0].score == doctest::Approx(0.47000362924573563).epsilon(1e-14));
        CHECK(m.score(1.5, 7.0, 3.25) == 1.5);
        CHECK(bm25l_model{0.0, 0.4, 0.0}.score(1.5, 1.0, 1e-300) == 1.5);  // δ = 0 too
    }
    SUBCASE("b = 0 ignores length (L = 1, c = tf)") {
        const auto a = run(seg, bm25l_model{0.9, 0.0, 0.5}, {"a"});
        // d0: c = 2: 0.6566227173286011 as above (L(3) was 1 already)
        CHECK(score_of(a, 0) == doctest::Approx(0.6566227173286011).epsilon(1e-12));
        // d2: c = 1: 1.9 · 1.5 / 2.4 = 1.1875 · ln 1.6 = 0.558129309729311
        CHECK(score_of(a, 2) == doctest::Approx(0.558129309729311).epsilon(1e-12));
    }
    SUBCASE("b = 1 normalises fully (L = dl / 3)") {
        const auto c = run(seg, bm25l_model{0.9, 1.0, 0.5}, {"c"});
        // d1: c = 1 / (2/3) = 1.5; 1.9 · 2 / 2.9 = 1.3103448 · ln 1.6 = 0.615866824528895
        CHECK(score_of(c, 1) == doctest::Approx(0.615866824528895).epsilon(1e-12));
        // d2: c = 3 / (4/3) = 2.25; 1.9 · 2.75 / 3.65 = 1.4315068 · ln 1.6 = 0.6728134144682105
        CHECK(score_of(c, 2) == doctest::Approx(0.6728134144682105).epsilon(1e-12));
    }
    SUBCASE("an empty passage with b = 1 (L = 0) gives the limit c → ∞, not NaN") {
        const bm25l_model m{0.9, 1.0, 0.5};
        CHECK(m.length_norm(0, 3.0) == 0.0);
        CHECK(m.score(2.0, 1.0, 0.0) == doctest::Approx(2.0 * 1.9).epsilon(1e-15));
        CHECK(m.bound(2.0, 5, 0.0) >= m.score(2.0, 5.0, 1e-9));
        CHECK(std::isfinite(m.bound(2.0, 5, 0.0)));
    }
}

TEST_CASE("search: the BM25 model is bit for bit the historical BM25 expressions") {
    // The expressions bm25.hpp had before models existed, copied here: the default model must keep
    // every score, normaliser and bound identical to the last bit.
    const auto old_score = [](double weight, double k1, std::uint32_t tf, double norm) {
        const double t = static_cast<double>(tf);
        return weight * t * (k1 + 1.0) / (t + norm);
    };
    const auto old_norm = [](double k1, double b, double avgdl, std::uint32_t length) {
        return k1 * (1.0 - b + b * static_cast<double>(length) / avgdl);
    };
    const auto old_idf = [](std::uint64_t passages, std::uint64_t df) {
        const double n = static_cast<double>(passages);
        const double d = static_cast<double>(df);
        return std::log(1.0 + (n - d + 0.5) / (d + 0.5));
    };
    std::mt19937_64 rng(rapport::test::seed(99));
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int i = 0; i < 20000; ++i) {
        const double k1 = i % 7 == 0 ? 0.0 : unit(rng) * 3;
        const double b = i % 5 == 0 ? static_cast<double>(i % 2) : unit(rng);
        const double avgdl = 0.5 + unit(rng) * 200;
        const double weight = unit(rng) * 10;
        const auto tf = static_cast<std::uint32_t>(1 + rng() % 100);
        const auto length = static_cast<std::uint32_t>(rng() % 1000);
        const bm25_model m{k1, b};
        const double norm = m.length_norm(length, avgdl);
        REQUIRE(same_bits(norm, old_norm(k1, b, avgdl, length)));
        REQUIRE(same_bits(norm, bm25_length_norm{k1, b, avgdl}(length)));
        REQUIRE(same_bits(m.score(weight, tf, norm), old_score(weight, k1, tf, norm)));
        REQUIRE(same_bits(m.score(weight, static_cast<double>(tf), norm), bm25_term_score(weight, k1, tf, norm)));
        REQUIRE(same_bits(m.bound(weight, tf, norm), old_score(weight, k1, tf, norm) * (1.0 + 1e-14)));
        REQUIRE(same_bits(m.upper_bound(weight), weight * (k1 + 1.0) * (1.0 + 1e-14)));
        const std::uint64_t n = 1 + rng() % 5000;
        const std::uint64_t df = 1 + rng() % n;
        REQUIRE(same_bits(m.idf(n, df), old_idf(n, df)));
    }
    // The tabulated normalisers of default parameters are BM25's K, whatever δ says.
    const std::vector<std::uint32_t> lengths{0, 1, 2, 3, 17, 400};
    bm25_params p;
    const auto k = bm25_length_norms(lengths, 3.5, p);
    p.delta = 0.7;
    const auto k_delta = bm25_length_norms(lengths, 3.5, p);
    for (std::size_t i = 0; i < lengths.size(); ++i) {
        CHECK(same_bits(k[i], old_norm(0.9, 0.4, 3.5, lengths[i])));
        CHECK(same_bits(k_delta[i], k[i]));
    }
    // BM25+ shares K; BM25L tabulates L = K / k1.
    p.model = scoring_model::bm25_plus;
    CHECK(bm25_length_norms(lengths, 3.5, p) == k);
    p.model = scoring_model::bm25l;
    const auto l = bm25_length_norms(lengths, 3.5, p);
    for (std::size_t i = 0; i < lengths.size(); ++i) CHECK(l[i] * 0.9 == doctest::Approx(k[i]).epsilon(1e-14));
}

TEST_CASE("search: scoring parameters select, name and validate the model") {
    CHECK(scoring_model_name(scoring_model::bm25) == "bm25");
    CHECK(scoring_model_name(scoring_model::bm25_plus) == "bm25+");
    CHECK(scoring_model_name(scoring_model::bm25l) == "bm25l");
    for (const auto m : {scoring_model::bm25, scoring_model::bm25_plus, scoring_model::bm25l})
        CHECK(parse_scoring_model(scoring_model_name(m)) == m);
    CHECK_FALSE(parse_scoring_model("BM25").has_value());
    CHECK_FALSE(parse_scoring_model("bm25x").has_value());
    CHECK_FALSE(parse_scoring_model("").has_value());

    const bm25_params defaults;
    CHECK(defaults.model == scoring_model::bm25);
    CHECK_FALSE(defaults.delta.has_value());
    CHECK(bm25_plus_model::of({.model = scoring_model::bm25_plus}).delta == 1.0);
    CHECK(bm25l_model::of({.model = scoring_model::bm25l}).delta == 0.5);
    CHECK(bm25l_model::of({.k1 = 1.2, .b = 0.75, .model = scoring_model::bm25l, .delta = 0.25}).delta == 0.25);
    CHECK(bm25_plus_model::of({.k1 = 1.2, .b = 0.75}).k1 == 1.2);

    // with_similarity hands over the selected model, once.
    const auto kind = [](const bm25_params& p) {
        return with_similarity(p, []<class M>(const M&) {
            if constexpr (std::same_as<M, bm25_plus_model>) return 1;
            else if constexpr (std::same_as<M, bm25l_model>) return 2;
            else return 0;
        });
    };
    CHECK(kind({}) == 0);
    CHECK(kind({.model = scoring_model::bm25_plus}) == 1);
    CHECK(kind({.model = scoring_model::bm25l}) == 2);

    CHECK_NOTHROW((bm25_params{.model = scoring_model::bm25l, .delta = 0.0}.validate()));
    CHECK_NOTHROW((bm25_params{.model = scoring_model::bm25_plus, .delta = 3.0}.validate()));
    CHECK_THROWS_AS((bm25_params{.model = scoring_model::bm25_plus, .delta = -0.1}.validate()), invalid_argument);
    CHECK_THROWS_AS((bm25_params{.model = scoring_model::bm25l, .delta = std::nan("")}.validate()), invalid_argument);
    CHECK_THROWS_AS((bm25_params{.model = scoring_model::bm25l, .delta = HUGE_VAL}.validate()), invalid_argument);
    CHECK_THROWS_AS((bm25_params{.model = static_cast<scoring_model>(7)}.validate()), invalid_argument);
    // Equality (the searcher's normaliser cache key) sees the model and δ.
    CHECK(bm25_params{} != bm25_params{.model = scoring_model::bm25l});
    CHECK(bm25_params{.model = scoring_model::bm25l} != bm25_params{.model = scoring_model::bm25l, .delta = 0.5});
}

TEST_CASE("search: searcher and explain score with the selected model, every algorithm alike") {
    const auto index = small_index(tiny);
    searcher s(index);
    REQUIRE(s.passage_count() == 3);
    REQUIRE(s.average_length() == 3.0);
    const auto q = s.analyze("a c");
    REQUIRE(q.terms.size() == 2);
    struct expectation {
        bm25_params params;
        double d2;  // the score of passage 2 ("a c c c") for "a c", from the hand computations above
    };
    const std::vector<expectation> cases{
        {{}, 0.44208262156777106 + 0.6664230563932072},  // BM25, bm25_test.cpp
        {{.model = scoring_model::bm25_plus}, 3.021085110600713},
        {{.model = scoring_model::bm25l}, 1.2352842778149449},
        {{.k1 = 0.0, .model = scoring_model::bm25l}, 2 * 0.47000362924573563},
        // b = 1: a in d2, (1.9 / (1 + 1.2) + 1) · ln 2 = 1.2917742910435344, plus c's 1.633846925605585
        {{.k1 = 0.9, .b = 1.0, .model = scoring_model::bm25_plus}, 2.9256212166491196},
    };
    for (const auto& c : cases) {
        const auto name = scoring_model_name(c.params.model);
        CAPTURE(name);
        std::vector<scored_doc> first;
        for (const auto a : {algorithm::exhaustive, algorithm::maxscore, algorithm::block_max_wand}) {
            const auto hits = s.top_k(q, {.k = 10, .bm25 = c.params, .algorithm = a});
            REQUIRE(hits.size() == 3);
            CHECK(hits[0].docid == 2);
            CHECK(hits[0].score == doctest::Approx(c.d2).epsilon(1e-12));
            if (first.empty()) first = hits;
            CHECK(hits == first);
            for (const auto& h : hits) {
                const auto e = s.explain(q, h.docid, {.bm25 = c.params});
                CHECK(e.matches);
                CHECK(e.value == h.score);  // bit for bit
                score_t parts = 0;          // the terms' lines, summed in query order, give the total
                for (const auto& d : e.details) parts += d.value;
                CHECK(parts == e.value);
            }
        }
        const auto all = s.top_k(q, {.k = 10, .mode = match_mode::all, .bm25 = c.params});
        REQUIRE(all.size() == 1);
        CHECK(all[0] == first[0]);
    }
    // BM25+ text names the model and δ; BM25's reads as it always has.
    const auto plus = s.explain(q, 2, {.bm25 = {.model = scoring_model::bm25_plus, .delta = 0.25}}).to_string();
    CHECK(plus.find("bm25+") != std::string::npos);
    CHECK(plus.find("delta 0.25") != std::string::npos);
    const auto l = s.explain(q, 2, {.bm25 = {.model = scoring_model::bm25l}}).to_string();
    CHECK(l.find("bm25l") != std::string::npos);
    CHECK(l.find("delta 0.5") != std::string::npos);
    CHECK(s.explain(q, 2).to_string().find("delta") == std::string::npos);
    CHECK_THROWS_AS((void)s.top_k(q, {.bm25 = {.model = scoring_model::bm25l, .delta = -1.0}}), invalid_argument);
    CHECK_THROWS_AS((void)s.explain(q, 0, {.bm25 = {.model = scoring_model::bm25l, .delta = -1.0}}), invalid_argument);
}

TEST_CASE("search: switching models on one searcher uses each model's cached normalisers") {
    const auto index = small_index(tiny);
    searcher s(index);
    const bm25_params bm25{}, plus{.model = scoring_model::bm25_plus}, l{.model = scoring_model::bm25l};
    // K(3) = 0.9 for BM25 and BM25+, L(3) = 1 for BM25L (passage 0 has 3 tokens).
    CHECK((*s.length_norms(bm25))[0][0] == doctest::Approx(0.9).epsilon(1e-14));
    CHECK((*s.length_norms(l))[0][0] == doctest::Approx(1.0).epsilon(1e-14));
    CHECK((*s.length_norms(plus))[0][1] == doctest::Approx(0.78).epsilon(1e-14));
    CHECK((*s.length_norms(l))[0][1] == doctest::Approx(0.8666666666666667).epsilon(1e-14));
    // Interleaved searches keep their own answers.
    const auto q = s.analyze("a");
    const auto r1 = s.top_k(q, {.bm25 = l});
    const auto r2 = s.top_k(q, {.bm25 = bm25});
    const auto r3 = s.top_k(q, {.bm25 = l});
    CHECK(r1 == r3);
    CHECK(r1[0].score == doctest::Approx(0.6566227173286011).epsilon(1e-12));
    CHECK(r2[0].score == doctest::Approx(0.615866824528895).epsilon(1e-12));
}

TEST_CASE("search: explain equals the search score for every model on random indexes") {
    std::mt19937 rng(rapport::test::seed(17));
    const auto texts = test::skewed_texts(rng, 300, 1, 25, 30);
    const auto index = small_index(texts);
    searcher s(index);
    std::size_t checked = 0;
    for (int round = 0; round < 60; ++round) {
        std::string text;
        for (int j = 1 + static_cast<int>(rng() % 4); j > 0; --j) text += "w" + std::to_string(rng() % 32) + " ";
        const auto q = s.analyze(text);
        bm25_params p{.k1 = static_cast<double>(rng() % 5) * 0.5, .b = static_cast<double>(rng() % 5) * 0.25,
                      .model = static_cast<scoring_model>(rng() % 3)};
        if (rng() % 2 == 0) p.delta = static_cast<double>(rng() % 4) * 0.5;
        const auto name = scoring_model_name(p.model);
        CAPTURE(text);
        CAPTURE(name);
        for (const auto mode : {match_mode::any, match_mode::all}) {
            for (const auto& h : s.top_k(q, {.k = 20, .mode = mode, .bm25 = p, .algorithm = algorithm::exhaustive})) {
                const auto e = s.explain(q, h.docid, {.mode = mode, .bm25 = p});
                CAPTURE(static_cast<int>(mode));
                CHECK(e.matches);
                CHECK(e.value == h.score);
                ++checked;
            }
        }
    }
    CHECK(checked > 500);
}
