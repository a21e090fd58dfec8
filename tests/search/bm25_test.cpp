// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "rapport/search/bm25.hpp"
#include "rapport/search/cursor.hpp"
#include "rapport/search/ranked_or.hpp"
#include "rapport/search/topk_queue.hpp"
#include "support/hand_index.hpp"
#include "support/seed.hpp"

using namespace rapport;
using namespace rapport::search;

namespace {
using cursor_t = bm25_cursor<index::postings_cursor>;

// Runs a query of (term, boost) pairs over `seg` with exhaustive OR or AND.
std::vector<scored_doc> run(const index::segment& seg, const std::vector<std::pair<std::string, double>>& query,
                            bool conjunctive, std::size_t k = 10, bm25_params p = {}) {
    const double avgdl = static_cast<double>(seg.total_length()) / static_cast<double>(seg.size());
    const auto norms = bm25_length_norms(seg.lengths(), avgdl, p);
    std::vector<cursor_t> cursors;
    for (const auto& [term, boost] : query) {
        auto c = seg.cursor(term);
        cursors.emplace_back(c, boost * bm25_idf(seg.size(), c.size()), p.k1, norms);
    }
    topk_queue top(k);
    if (conjunctive)
        ranked_and(std::span<cursor_t>(cursors), top);
    else
        ranked_or(std::span<cursor_t>(cursors), top);
    return top.finish();
}
}  // namespace

// The collection used for hand computation: N = 3, lengths 3, 2, 4, avgdl = 9 / 3 = 3.
// k1 = 0.9, b = 0.4, so K(dl) = 0.9 · (0.6 + 0.4 · dl / 3): K(2) = 0.78, K(3) = 0.9, K(4) = 1.02.
// df(a) = df(b) = df(c) = 2, idf = ln(1 + (3 − 2 + 0.5) / (2 + 0.5)) = ln 1.6 = 0.4700036292457356.
TEST_CASE("search: BM25 scores equal values worked out by hand") {
    const auto seg = test::hand_segment({"a b a", "b c", "a c c c"});
    CHECK(bm25_idf(3, 2) == doctest::Approx(0.4700036292457356).epsilon(1e-12));
    CHECK(bm25_idf(3, 1) == doctest::Approx(0.9808292530117263).epsilon(1e-12));  // ln(1 + 2.5/1.5)

    SUBCASE("single term") {
        const auto r = run(seg, {{"a", 1.0}}, false);
        REQUIRE(r.size() == 2);
        // d0: tf 2, K(3) = 0.9: 2 · 1.9 / 2.9 = 1.3103448 → × idf = 0.6158668245
        CHECK(r[0].docid == 0);
        CHECK(r[0].score == doctest::Approx(0.615866824528895).epsilon(1e-9));
        // d2: tf 1, K(4) = 1.02: 1.9 / 2.02 = 0.9405941 → × idf = 0.4420826216
        CHECK(r[1].docid == 2);
        CHECK(r[1].score == doctest::Approx(0.44208262156777106).epsilon(1e-9));
    }
    SUBCASE("two terms sum; c in d2 has tf 3: 3 · 1.9 / 4.02 = 1.4179104 → 0.6664230564") {
        const auto r = run(seg, {{"a", 1.0}, {"c", 1.0}}, false);
        REQUIRE(r.size() == 3);
        CHECK(r[0].docid == 2);
        CHECK(std::abs(r[0].score - (0.44208262156777106 + 0.6664230563932072)) < 1e-6);
        CHECK(r[1].docid == 0);
        CHECK(std::abs(r[1].score - 0.615866824528895) < 1e-6);
        // d1: c tf 1, K(2) = 0.78: 1.9 / 1.78 = 1.0674157 → 0.5016892672
        CHECK(r[2].docid == 1);
        CHECK(std::abs(r[2].score - 0.5016892671724144) < 1e-6);
    }
    SUBCASE("conjunction keeps only passages with every term") {
        const auto r = run(seg, {{"a", 1.0}, {"c", 1.0}}, true);
        REQUIRE(r.size() == 1);
        CHECK(r[0].docid == 2);
        CHECK(std::abs(r[0].score - 1.1085056779609783) < 1e-6);
        CHECK(run(seg, {{"a", 1.0}, {"zzz", 1.0}}, true).empty());
    }
    SUBCASE("a boost (repeated query term) multiplies the weight") {
        const auto r = run(seg, {{"a", 2.0}}, false);
        CHECK(std::abs(r[0].score - 2 * 0.615866824528895) < 1e-6);
    }
    SUBCASE("b = 0 ignores length; k1 = 0 makes tf irrelevant") {
        const auto r = run(seg, {{"a", 1.0}}, false, 10, {0.0, 0.4});
        REQUIRE(r.size() == 2);
        CHECK(std::abs(r[0].score - 0.4700036292457356) < 1e-9);  // tf·1/tf = 1 → idf
        CHECK(std::abs(r[1].score - 0.4700036292457356) < 1e-9);
        CHECK(r[0].docid == 0);  // equal scores: lower docid first
    }
}

TEST_CASE("search: bm25_params validation rejects out-of-range values") {
    CHECK_NOTHROW((bm25_params{0.9, 0.4}.validate()));
    CHECK_THROWS_AS((bm25_params{-1.0, 0.4}.validate()), rapport::invalid_argument);
    CHECK_THROWS_AS((bm25_params{0.9, 1.5}.validate()), rapport::invalid_argument);
    CHECK_THROWS_AS((bm25_params{std::nan(""), 0.4}.validate()), rapport::invalid_argument);
}

TEST_CASE("search: topk_queue keeps the k best, ties by lower docid, threshold only rises") {
    topk_queue q(3);
    CHECK(q.threshold() == -std::numeric_limits<score_t>::infinity());
    CHECK(q.insert(1.0, 5));
    CHECK(q.insert(3.0, 1));
    CHECK(q.insert(2.0, 7));
    CHECK(q.threshold() == 1.0);
    CHECK_FALSE(q.would_enter(1.0));
    CHECK(q.would_enter(1.5));
    CHECK_FALSE(q.insert(0.5, 0));
    CHECK(q.insert(2.0, 3));  // ties 2.0@7 but lower docid: evicts 1.0@5
    CHECK(q.threshold() == 2.0);
    CHECK_FALSE(q.insert(2.0, 9));  // equal score, higher docid than every 2.0 held
    const auto r = q.finish();
    REQUIRE(r.size() == 3);
    CHECK(r[0] == scored_doc{3.0, 1});
    CHECK(r[1] == scored_doc{2.0, 3});
    CHECK(r[2] == scored_doc{2.0, 7});
    topk_queue none(0);
    CHECK_FALSE(none.insert(1.0, 1));
}

TEST_CASE("search: ranked OR and AND agree with brute-force scoring on random indexes") {
    std::mt19937 rng(rapport::test::seed(42));
    for (int round = 0; round < 50; ++round) {
        const std::size_t docs = 1 + rng() % 400;
        std::vector<std::string> texts(docs);
        for (auto& t : texts) {
            const std::size_t len = rng() % 12;
            for (std::size_t i = 0; i < len; ++i) t += std::string(1, static_cast<char>('a' + rng() % 6)) + " ";
        }
        const auto seg = test::hand_segment(texts);
        std::vector<std::pair<std::string, double>> query;
        const std::size_t terms = 1 + rng() % 3;
        for (std::size_t i = 0; i < terms; ++i) query.push_back({std::string(1, static_cast<char>('a' + rng() % 7)), 1.0});
        const std::size_t k = 1 + rng() % 20;
        for (bool conjunctive : {false, true}) {
            // Brute force: score each passage term by term from its text.
            const bm25_params p;
            const double avgdl = static_cast<double>(seg.total_length()) / static_cast<double>(seg.size());
            std::vector<scored_doc> expected;
            for (docid_t d = 0; d < docs; ++d) {
                const auto toks = test::hand_tokens(texts[d]);
                score_t s = 0;
                bool any = false, all = true;
                for (const auto& [term, boost] : query) {
                    std::uint32_t tf = 0;
                    for (const auto& tk : toks) tf += tk.term == term;
                    if (tf == 0) {
                        all = false;
                        continue;
                    }
                    any = true;
                    const double K = p.k1 * (1 - p.b + p.b * static_cast<double>(toks.size()) / avgdl);
                    s += boost * bm25_idf(docs, seg.df(term)) * tf * (p.k1 + 1) / (tf + K);
                }
                if (conjunctive ? all && any : any) expected.push_back({s, d});
            }
            std::sort(expected.begin(), expected.end(), [](auto& a, auto& b) { return ranks_before(a, b); });
            if (expected.size() > k) expected.resize(k);
            const auto got = run(seg, query, conjunctive, k);
            REQUIRE(got.size() == expected.size());
            for (std::size_t i = 0; i < got.size(); ++i) {
                CHECK(got[i].docid == expected[i].docid);
                CHECK(std::abs(got[i].score - expected[i].score) < 1e-9);
            }
        }
    }
}
