// SPDX-License-Identifier: MIT
// Query analysis: stemming and stopwords on terms and phrases (with position gaps), multi-token
// words (OR group unquoted, phrase quoted), fold-only prefix and fuzzy terms, boolean clean-up
// (dropped clauses, collapsed groups, clamped minimum counts), boosts and fields carried
// through, invalid UTF-8 policies, and random parsed queries.
#include <doctest/doctest.h>

#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "query_test_support.hpp"
#include "rapport/analysis/analyzer.hpp"
#include "rapport/core/error.hpp"
#include "rapport/query/analyze.hpp"
#include "rapport/query/parser.hpp"
#include "support/seed.hpp"

// `using namespace rapport` as well would make `query` ambiguous (namespace and class).
using namespace rapport::query;
namespace analysis = rapport::analysis;
namespace test = rapport::test;

namespace {

query analysed(std::string_view text, const analyze_options& options = {}) {
    static analysis::analyzer english = analysis::analyzer::english();
    return analyze(parse(text), english, options);
}

query t(const char* s) { return term(s); }

// Checks the invariants analysis promises on every phrase: at least two terms, positions from 0,
// strictly increasing; and no empty boolean below the root.
void check_invariants(const query& q, bool root) {
    if (const auto* p = q.get_if<phrase_node>()) {
        CHECK(p->terms.size() >= 2);
        REQUIRE(p->positions.size() == p->terms.size());
        CHECK(p->positions.front() == 0);
        for (std::size_t i = 1; i < p->positions.size(); ++i) CHECK(p->positions[i] > p->positions[i - 1]);
        for (const auto& w : p->terms) CHECK_FALSE(w.empty());
    }
    if (const auto* b = q.get_if<boolean_node>()) {
        if (!root) CHECK_FALSE(b->clauses.empty());
        for (const auto& c : b->clauses) check_invariants(c.query, false);
    }
    if (const auto* w = q.get_if<term_node>()) CHECK_FALSE(w->text.empty());
}

}  // namespace

TEST_CASE("query: analysis stems terms and drops stopwords") {
    CHECK(analysed("Building") == t("build"));
    CHECK(analysed("building trust") == any_of({t("build"), t("trust")}));
    CHECK(analysed("the") == query());
    CHECK(analysed("the trust") == t("trust"));
    CHECK(analysed("the OR a") == query());
    CHECK(analysed("") == query());
    CHECK(analysed("!!! ...") == query());
}

TEST_CASE("query: an unquoted word with several tokens becomes an OR group, a quoted one a phrase") {
    CHECK(analysed("wi-fi") == any_of({t("wi"), t("fi")}));
    CHECK(analysed("\"wi-fi\"") == phrase({"wi", "fi"}));
    CHECK(analysed("title:wi-fi^2") == any_of({t("wi"), t("fi")}).field("title").boost(2));
    CHECK(analysed("+wi-fi -cable") == boolean({must(any_of({t("wi"), t("fi")})), must_not(t("cabl"))}));
}

TEST_CASE("query: phrases keep the gaps stopwords leave") {
    CHECK(analysed("\"building trust\"") == phrase({"build", "trust"}));
    CHECK(analysed("\"building the trust\"") == phrase({"build", "trust"}, {0, 2}, 0));
    CHECK(analysed("\"building of the trust\"~2") == phrase({"build", "trust"}, {0, 3}, 2));
    CHECK(analysed("\"the building trust\"") == phrase({"build", "trust"}));  // shifted to start at 0
    CHECK(analysed("\"building ? trust\"") == phrase({"build", "trust"}, {0, 2}, 0));
    CHECK(analysed("\"wi-fi network\"") == phrase({"wi", "fi", "network"}));
    CHECK(analysed("\"wi-fi the network\"") == phrase({"wi", "fi", "network"}, {0, 1, 3}, 0));
    CHECK(analysed("\"building, trust!\"") == phrase({"build", "trust"}));
    CHECK(analysed("\"trust\"") == t("trust"));
    CHECK(analysed("\"the trust\"~3^2") == t("trust").boost(2));
    CHECK(analysed("\"the of\"") == query());
    CHECK(analysed("\"\"") == query());
    CHECK(analysed("body:\"building trust\"^1.5") == phrase({"build", "trust"}).field("body").boost(1.5));
    // A word made of several words (an escaped blank) counts each of them.
    CHECK(analysed("\"building\\ the trust\"") == phrase({"build", "trust"}, {0, 2}, 0));
}

TEST_CASE("query: prefix and fuzzy terms are case-folded, never stemmed") {
    CHECK(analysed("Cust*") == prefix("cust"));
    CHECK(analysed("RUNNING*") == prefix("running"));
    CHECK(analysed("Stra\u00dfe*") == prefix("strasse"));
    CHECK(analysed("Custmer~1") == fuzzy("custmer", 1));
    CHECK(analysed("Runnings~") == fuzzy("runnings", 2));
    CHECK(analysed("title:Cust*^2") == prefix("cust").field("title").boost(2));
    // Stopwords are not removed from multi-term queries: "the*" is a fragment.
    CHECK(analysed("the*") == prefix("the"));
    // A prefix that folds to nothing (a default-ignorable code point) is dropped.
    analysis::analyzer english = analysis::analyzer::english();
    CHECK(analyze(prefix("\u00ad"), english) == query());
    CHECK(analysed("Cust*", {.fold_multi_term = false}) == prefix("Cust"));
    CHECK(analyze(fuzzy("Abc", 1, 2), english) == fuzzy("abc", 1, 2));
}

TEST_CASE("query: analysis cleans up booleans") {
    CHECK(analysed("title:(the trust)") == t("trust").field("title"));
    CHECK(analysed("title:(body:the trust)") == t("trust").field("title"));
    CHECK(analysed("title:(body:trust the)") == t("trust").field("body"));
    CHECK(analysed("(trust^3 the)^2") == t("trust").boost(6));
    CHECK(analysed("(the trust building)~3") == any_of({t("trust"), t("build")}, 2));
    CHECK(analysed("(the trust)~1") == t("trust"));
    CHECK(analysed("+the -trust") == none_of({t("trust")}));
    CHECK(analysed("-the") == query());
    CHECK(analysed("+building +the") == t("build"));
    CHECK(analysed("building AND (the OR of)") == t("build"));
    CHECK(analysed("a () trust") == t("trust"));
    CHECK(analysed("(x y)^2 z") == any_of({any_of({t("x"), t("y")}).boost(2), t("z")}));
    CHECK(analysed("+(building trust) -(the cable)") ==
          boolean({must(any_of({t("build"), t("trust")})), must_not(t("cabl"))}));
}

TEST_CASE("query: analysis leaves its input unchanged and follows the analyzer") {
    const auto raw = parse("\"Building the Trust\" Cust*");
    const auto copy = raw;
    analysis::analyzer plain(analysis::analyzer_options{.language = "none", .stopwords = std::vector<std::string>{}});
    CHECK(analyze(raw, plain) == any_of({phrase({"building", "the", "trust"}), prefix("cust")}));
    CHECK(raw == copy);
}

TEST_CASE("query: invalid UTF-8 in a hand-built tree follows the analyzer's policy") {
    analysis::analyzer reject = analysis::analyzer::english();
    CHECK_THROWS_AS((void)analyze(term("caf\xc3"), reject), rapport::invalid_argument);
    CHECK_THROWS_AS((void)analyze(prefix("caf\xc3"), reject), rapport::invalid_argument);
    CHECK_THROWS_AS((void)analyze(phrase({"a", "caf\xc3"}), reject), rapport::invalid_argument);
    analysis::analyzer repair = analysis::analyzer::english();
    repair.set_invalid_utf8_policy(rapport::invalid_utf8_policy::replace);
    CHECK(analyze(prefix("Caf\xc3"), repair) == prefix("caf\ufffd"));
    CHECK_NOTHROW((void)analyze(phrase({"building", "caf\xc3", "trust"}), repair));
}

TEST_CASE("query: analysing random parsed queries never throws and keeps the invariants") {
    std::mt19937_64 rng(rapport::test::seed(4242));
    analysis::analyzer english = analysis::analyzer::english();
    for (int i = 0; i < 1000; ++i) {
        const std::string text = test::random_query_text(rng, 20);
        CAPTURE(text);
        query q;
        REQUIRE_NOTHROW(q = analyze(parse(text), english));
        check_invariants(q, true);
    }
}
