// SPDX-License-Identifier: MIT
// Per-query measures, trec_eval's tie ordering and its averaging rule, on hand-made cases whose
// expected values are worked out in the comments.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "rapport/core/error.hpp"
#include "rapport/eval/metrics.hpp"
#include "rapport/eval/qrels.hpp"
#include "rapport/eval/run.hpp"

using namespace rapport::eval;

namespace {

constexpr double eps = 1e-9;

// Grades: d1=2, d2=0, d3=1, d5=3, d7=1; d4 and d6 are unjudged. Relevant (grade >= 1): d1, d3,
// d5, d7, so R = 4. Grades > 0 for the ideal nDCG ranking: 3, 2, 1, 1.
const judgment_map graded{{"d1", 2}, {"d2", 0}, {"d3", 1}, {"d5", 3}, {"d7", 1}};
// Ranks:            1     2     3     4     5
const std::vector<std::string> ranking{"d1", "d2", "d3", "d4", "d5"};

}  // namespace

TEST_CASE("eval: average precision") {
    SUBCASE("sums precision at each relevant retrieved doc and divides by all relevant") {
        // Relevant at ranks 1, 3, 5: (1/1 + 2/3 + 3/5) / 4 = (34/15) / 4 = 17/30; d7 is never
        // retrieved and contributes 0.
        CHECK(average_precision(ranking, graded) == doctest::Approx(17.0 / 30.0).epsilon(eps));
    }
    SUBCASE("relevance level 2 counts only d1 and d5") {
        // R = 2; relevant at ranks 1 and 5: (1/1 + 2/5) / 2 = 0.7.
        CHECK(average_precision(ranking, graded, 2) == doctest::Approx(0.7).epsilon(eps));
    }
    SUBCASE("no relevant retrieved or none judged gives 0") {
        const std::vector<std::string> misses{"d2", "d4"};
        CHECK(average_precision(misses, graded) == 0.0);
        CHECK(average_precision(ranking, judgment_map{{"d2", 0}}) == 0.0);
        CHECK(average_precision({}, graded) == 0.0);
    }
}

TEST_CASE("eval: precision and recall at k") {
    SUBCASE("precision divides by k even past the end of the ranking") {
        CHECK(precision_at(ranking, graded, 1) == doctest::Approx(1.0).epsilon(eps));       // d1
        CHECK(precision_at(ranking, graded, 3) == doctest::Approx(2.0 / 3.0).epsilon(eps)); // d1 d3
        CHECK(precision_at(ranking, graded, 5) == doctest::Approx(0.6).epsilon(eps));       // +d5
        CHECK(precision_at(ranking, graded, 10) == doctest::Approx(0.3).epsilon(eps));      // 3/10
    }
    SUBCASE("recall divides by every relevant doc in the judgments") {
        CHECK(recall_at(ranking, graded, 2) == doctest::Approx(0.25).epsilon(eps));  // 1/4
        CHECK(recall_at(ranking, graded, 3) == doctest::Approx(0.5).epsilon(eps));   // 2/4
        CHECK(recall_at(ranking, graded, 100) == doctest::Approx(0.75).epsilon(eps)); // 3/4
        CHECK(recall_at(ranking, judgment_map{{"d2", 0}}, 100) == 0.0);              // R = 0
    }
    SUBCASE("relevance level applies to both") {
        // Level 3: only d5 (rank 5) is relevant, R = 1.
        CHECK(precision_at(ranking, graded, 5, 3) == doctest::Approx(0.2).epsilon(eps));
        CHECK(recall_at(ranking, graded, 4, 3) == 0.0);
        CHECK(recall_at(ranking, graded, 5, 3) == doctest::Approx(1.0).epsilon(eps));
    }
}

TEST_CASE("eval: reciprocal rank at k") {
    const std::vector<std::string> late{"d2", "d4", "d3", "d1"};  // first relevant at rank 3
    CHECK(reciprocal_rank_at(ranking, graded, 10) == doctest::Approx(1.0).epsilon(eps));
    CHECK(reciprocal_rank_at(late, graded, 2) == 0.0);
    CHECK(reciprocal_rank_at(late, graded, 3) == doctest::Approx(1.0 / 3.0).epsilon(eps));
    CHECK(reciprocal_rank_at(late, graded, 10) == doctest::Approx(1.0 / 3.0).epsilon(eps));
    // Level 2: d3 (grade 1) no longer counts; d1 at rank 4 does.
    CHECK(reciprocal_rank_at(late, graded, 10, 2) == doctest::Approx(0.25).epsilon(eps));
}

TEST_CASE("eval: ndcg at k uses linear gains and log2(rank + 1)") {
    SUBCASE("cutoff 3") {
        // DCG@3 = 2/log2(2) + 0 + 1/log2(4) = 2 + 0.5 = 2.5.
        // Ideal grades 3, 2, 1: 3/log2(2) + 2/log2(3) + 1/log2(4) = 4.7618595071429155.
        // nDCG@3 = 2.5 / 4.7618595071429155 = 0.5250049893849101.
        CHECK(ndcg_at(ranking, graded, 3) == doctest::Approx(0.5250049893849101).epsilon(eps));
    }
    SUBCASE("cutoff 5 and cutoff beyond the ranking") {
        // DCG@5 = 2.5 + 3/log2(6) = 3.660558421703625 (d4 is unjudged, gain 0).
        // Ideal 3, 2, 1, 1: 4.7618595071429155 + 1/log2(5) = 5.192536065216308.
        // nDCG@5 = 0.704965430326989; at k = 10 neither sum grows, so the value is the same.
        CHECK(ndcg_at(ranking, graded, 5) == doctest::Approx(0.704965430326989).epsilon(eps));
        CHECK(ndcg_at(ranking, graded, 10) == doctest::Approx(0.704965430326989).epsilon(eps));
    }
    SUBCASE("gain is the grade, not 2^grade - 1") {
        // Grades a=3, b=1, ranked b, a. Linear: (1 + 3/log2(3)) / (3 + 1/log2(3))
        // = 2.8927892607143724 / 3.6309297535714578 = 0.7967075809905066.
        // (Exponential gains would give (1 + 7/log2(3)) / (7 + 1/log2(3)) = 0.7098...)
        const judgment_map j{{"a", 3}, {"b", 1}};
        const std::vector<std::string> r{"b", "a"};
        CHECK(ndcg_at(r, j, 10) == doctest::Approx(0.7967075809905066).epsilon(eps));
    }
    SUBCASE("negative grades are no gain and no grade > 0 gives 0") {
        const judgment_map j{{"a", -1}, {"b", 0}};
        const std::vector<std::string> r{"a", "b"};
        CHECK(ndcg_at(r, j, 10) == 0.0);
        CHECK(ndcg_at(r, judgment_map{{"a", -1}, {"c", 2}}, 10) == 0.0);  // c not retrieved
    }
    SUBCASE("a perfect ranking scores 1") {
        const std::vector<std::string> ideal{"d5", "d1", "d3", "d7"};
        CHECK(ndcg_at(ideal, graded, 10) == doctest::Approx(1.0).epsilon(eps));
        CHECK(ndcg_at(ideal, graded, 2) == doctest::Approx(1.0).epsilon(eps));
    }
}

TEST_CASE("eval: bad measure arguments throw") {
    CHECK_THROWS_AS((void)precision_at(ranking, graded, 0), rapport::invalid_argument);
    CHECK_THROWS_AS((void)recall_at(ranking, graded, 0), rapport::invalid_argument);
    CHECK_THROWS_AS((void)reciprocal_rank_at(ranking, graded, 0), rapport::invalid_argument);
    CHECK_THROWS_AS((void)ndcg_at(ranking, graded, 0), rapport::invalid_argument);
    CHECK_THROWS_AS((void)average_precision(ranking, graded, 0), rapport::invalid_argument);
    CHECK_THROWS_AS((void)evaluate(run{}, qrels{}, eval_options{false, 0}), rapport::invalid_argument);
}

TEST_CASE("eval: ties are broken by docno descending in strcmp order") {
    SUBCASE("score first, then docno descending, bytes unsigned") {
        std::vector<run_entry> entries{{"a", 1.0}, {"b", 2.0}, {"c", 1.0}, {"B", 1.0},
                                       {"10", 0.5}, {"9", 0.5}, {"\xC3\xA9", 1.0}};
        sort_trec_order(entries, "q");
        std::vector<std::string> order;
        for (const auto& e : entries) order.push_back(e.docno);
        // 2.0 first; at 1.0: "é" (0xC3 > 'c') > "c" > "a" > "B" (uppercase sorts below
        // lowercase); at 0.5: "9" > "10" (lexicographic, not numeric).
        const std::vector<std::string> expected{"b", "\xC3\xA9", "c", "a", "B", "9", "10"};
        CHECK(order == expected);
        CHECK(ranked_docnos(std::vector<run_entry>{{"x", 0.0}, {"y", -0.0}}, "q") ==
              std::vector<std::string>{"y", "x"});  // 0.0 == -0.0: a tie
    }
    SUBCASE("the tie order changes the measures") {
        // Both docs score 1.0; "x" > "a" so x ranks first and the relevant a is second.
        run r;
        r.results["q"] = {{"a", 1.0}, {"x", 1.0}};
        qrels q;
        q.judgments["q"] = {{"a", 1}};
        const auto e = evaluate(r, q);
        CHECK(e.per_query.at("q").map == doctest::Approx(0.5).epsilon(eps));
        CHECK(e.per_query.at("q").mrr_at_10 == doctest::Approx(0.5).epsilon(eps));
    }
    SUBCASE("the rank column of a run file is ignored") {
        // The file claims a is rank 1, but b has the higher score, so b ranks first.
        std::istringstream text("q Q0 a 1 0.5 t\nq Q0 b 2 0.9 t\n");
        const auto r = parse_run(text, "ranks.txt");
        qrels q;
        q.judgments["q"] = {{"a", 1}};
        CHECK(evaluate(r, q).mean.mrr_at_10 == doctest::Approx(0.5).epsilon(eps));
    }
    SUBCASE("duplicates and NaN scores throw naming query and docno") {
        std::vector<run_entry> dup{{"a", 1.0}, {"b", 0.5}, {"a", 0.2}};
        CHECK_THROWS_WITH_AS(sort_trec_order(dup, "q7"), "query 'q7': duplicate docno 'a'",
                             rapport::invalid_argument);
        std::vector<run_entry> nan{{"a", std::numeric_limits<double>::quiet_NaN()}};
        CHECK_THROWS_WITH_AS(sort_trec_order(nan, "q7"), doctest::Contains("'a' has a NaN score"),
                             rapport::invalid_argument);
        run r;
        r.results["q7"] = {{"d", 2.0}, {"d", 1.0}};
        qrels q;
        q.judgments["q7"] = {{"d", 1}};
        CHECK_THROWS_WITH_AS((void)evaluate(r, q), "query 'q7': duplicate docno 'd'",
                             rapport::invalid_argument);
    }
}

TEST_CASE("eval: averaging follows trec_eval's query rule") {
    // q1: d1 relevant, d2 judged non-relevant.   q2: d3 relevant.
    // q3: judged, but nothing relevant.            q4: relevant d5, absent from the run.
    qrels q;
    q.judgments["q1"] = {{"d1", 1}, {"d2", 0}};
    q.judgments["q2"] = {{"d3", 1}};
    q.judgments["q3"] = {{"d4", 0}};
    q.judgments["q4"] = {{"d5", 1}};
    // q9 has no judgments at all; q5 is listed with no results (a file cannot say that).
    run r;
    r.results["q1"] = {{"d1", 2.0}, {"d2", 1.0}};  // AP 1, P@10 0.1, RR 1
    r.results["q2"] = {{"dx", 1.0}, {"d3", 0.5}};  // AP 1/2, P@10 0.1, RR 1/2
    r.results["q3"] = {{"d4", 1.0}};               // AP 0, P@10 0, RR 0
    r.results["q9"] = {{"d1", 1.0}};
    r.results["q5"] = {};

    SUBCASE("default: queries in both run and qrels, including q3 with no relevant docs") {
        const auto e = evaluate(r, q);
        CHECK(e.per_query.size() == 3);
        CHECK(e.per_query.count("q9") == 0);
        CHECK(e.per_query.count("q4") == 0);
        CHECK(e.mean.queries == 3);
        CHECK(e.mean.map == doctest::Approx(1.5 / 3).epsilon(eps));        // (1 + 0.5 + 0) / 3
        CHECK(e.mean.p_at_10 == doctest::Approx(0.2 / 3).epsilon(eps));    // (0.1 + 0.1 + 0) / 3
        CHECK(e.mean.mrr_at_10 == doctest::Approx(1.5 / 3).epsilon(eps));
        CHECK(e.mean.recall_at_100 == doctest::Approx(2.0 / 3).epsilon(eps));  // (1 + 1 + 0) / 3
        // nDCG: q1 1, q2 (1/log2(3)) / 1 = 0.6309297535714575, q3 0.
        CHECK(e.mean.ndcg_at_10 == doctest::Approx(1.6309297535714575 / 3).epsilon(eps));
        CHECK(e.per_query.at("q3").queries == 1);
    }
    SUBCASE("complete: every qrels query is in the divisor, missing ones count 0") {
        const auto e = evaluate(r, q, eval_options{.complete = true});
        CHECK(e.per_query.size() == 3);  // q4 is not scored, only counted
        CHECK(e.mean.queries == 4);
        CHECK(e.mean.map == doctest::Approx(1.5 / 4).epsilon(eps));
        CHECK(e.mean.p_at_10 == doctest::Approx(0.2 / 4).epsilon(eps));
        CHECK(e.mean.recall_at_1000 == doctest::Approx(2.0 / 4).epsilon(eps));
    }
    SUBCASE("nothing in common averages to zeros") {
        run other;
        other.results["q9"] = {{"d1", 1.0}};
        const auto e = evaluate(other, q);
        CHECK(e.per_query.empty());
        CHECK(e.mean.queries == 0);
        CHECK(e.mean.map == 0.0);
        CHECK(evaluate(other, q, eval_options{.complete = true}).mean.queries == 4);
    }
}

TEST_CASE("eval: evaluate_query fills every measure") {
    // From the cases above: AP 17/30, nDCG@10 0.704965430326989, P@10 0.3, RR 1, R@100 0.75.
    const metrics m = evaluate_query(ranking, graded);
    CHECK(m.map == doctest::Approx(17.0 / 30.0).epsilon(eps));
    CHECK(m.ndcg_at_10 == doctest::Approx(0.704965430326989).epsilon(eps));
    CHECK(m.p_at_10 == doctest::Approx(0.3).epsilon(eps));
    CHECK(m.mrr_at_10 == doctest::Approx(1.0).epsilon(eps));
    CHECK(m.recall_at_100 == doctest::Approx(0.75).epsilon(eps));
    CHECK(m.recall_at_1000 == doctest::Approx(0.75).epsilon(eps));
    CHECK(m.queries == 1);
}
