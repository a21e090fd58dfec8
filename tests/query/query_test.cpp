// SPDX-License-Identifier: MIT
// Query tree: builders, equality, value semantics, walking, printing, and the round-trip
// property parse(to_string(q)) == q over hundreds of random trees (lenient and strict).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "query_test_support.hpp"
#include "rapport/core/error.hpp"
#include "rapport/query/parser.hpp"
#include "rapport/query/query.hpp"
#include "support/seed.hpp"

// `using namespace rapport` as well would make `query` ambiguous (namespace and class).
using namespace rapport::query;
namespace test = rapport::test;

TEST_CASE("query: builders make the nodes they name") {
    const auto t = term("trust");
    CHECK(t.kind() == node_kind::term);
    REQUIRE(t.get_if<term_node>() != nullptr);
    CHECK(t.get_if<term_node>()->text == "trust");
    CHECK(t.get_if<phrase_node>() == nullptr);
    CHECK(t.boost() == 1.0);
    CHECK(t.field().empty());

    const auto p = phrase({"building", "trust"}, 3);
    REQUIRE(p.kind() == node_kind::phrase);
    CHECK(p.get_if<phrase_node>()->terms == std::vector<std::string>{"building", "trust"});
    CHECK(p.get_if<phrase_node>()->positions == std::vector<std::uint32_t>{0, 1});
    CHECK(p.get_if<phrase_node>()->slop == 3);

    const auto gap = phrase({"building", "trust"}, {0, 2}, 0);
    CHECK(gap.get_if<phrase_node>()->positions == std::vector<std::uint32_t>{0, 2});

    CHECK(prefix("cust").kind() == node_kind::prefix);
    const auto f = fuzzy("custmer", 1);
    REQUIRE(f.kind() == node_kind::fuzzy);
    CHECK(f.get_if<fuzzy_node>()->max_edits == 1);
    CHECK_FALSE(f.get_if<fuzzy_node>()->prefix_length.has_value());
    CHECK(fuzzy("x").get_if<fuzzy_node>()->max_edits == 2);

    const auto all = all_of({term("a"), term("b")});
    REQUIRE(all.kind() == node_kind::boolean);
    CHECK(all.get_if<boolean_node>()->clauses.size() == 2);
    CHECK(all.get_if<boolean_node>()->clauses[0].occur == occur::must);
    CHECK(any_of({term("a"), term("b")}, 2).get_if<boolean_node>()->minimum_should_match == 2);
    CHECK(any_of({term("a")}).get_if<boolean_node>()->clauses[0].occur == occur::should);
    CHECK(none_of({term("a")}).get_if<boolean_node>()->clauses[0].occur == occur::must_not);
    CHECK(boolean({must(term("a")), must_not(term("b")), should(term("c"))}) ==
          query(boolean_node{{{occur::must, term("a")}, {occur::must_not, term("b")}, {occur::should, term("c")}}, 0}));

    const auto decorated = term("trust").boost(2).field("title");
    CHECK(decorated.boost() == 2.0);
    CHECK(decorated.field() == "title");
    auto lvalue = term("x");
    lvalue.boost(0.5).field("body");
    CHECK(lvalue.boost() == 0.5);
    CHECK(lvalue.field() == "body");
}

TEST_CASE("query: the default query is empty and matches nothing") {
    const query q;
    CHECK(q.empty());
    CHECK(q.kind() == node_kind::boolean);
    CHECK(q == any_of({}));
    CHECK_FALSE(term("a").empty());
    CHECK_FALSE(none_of({term("a")}).empty());
}

TEST_CASE("query: equality is deep and covers boost, field, positions and occur") {
    CHECK(term("a") == term("a"));
    CHECK(term("a") != term("b"));
    CHECK(term("a") != prefix("a"));
    CHECK(term("a") != term("a").boost(2));
    CHECK(term("a") != term("a").field("title"));
    CHECK(phrase({"a", "b"}) != phrase({"a", "b"}, {0, 2}, 0));
    CHECK(phrase({"a", "b"}) != phrase({"a", "b"}, 1));
    CHECK(fuzzy("a", 1) != fuzzy("a", 2));
    CHECK(fuzzy("a", 1) != fuzzy("a", 1, 2));
    CHECK(all_of({term("a"), term("b")}) != any_of({term("a"), term("b")}));
    CHECK(any_of({term("a"), term("b")}) != any_of({term("a"), term("b")}, 1));
    CHECK(any_of({term("a"), term("b")}) != any_of({term("b"), term("a")}));
    CHECK(all_of({any_of({term("a"), term("b")}), term("c")}) == all_of({any_of({term("a"), term("b")}), term("c")}));
    CHECK(all_of({any_of({term("a"), term("b")}), term("c")}) != all_of({any_of({term("a"), term("x")}), term("c")}));
}

TEST_CASE("query: copies are deep and independent") {
    const auto original = all_of({term("a"), any_of({term("b"), phrase({"c", "d"})})});
    auto copy = original;
    CHECK(copy == original);
    copy.get_if<boolean_node>()->clauses[1].query.get_if<boolean_node>()->clauses[0].query = term("z");
    CHECK(copy != original);
    CHECK(original.get_if<boolean_node>()->clauses[1].query.get_if<boolean_node>()->clauses[0].query == term("b"));
    auto moved = std::move(copy);
    CHECK(moved.get_if<boolean_node>()->clauses.size() == 2);
}

namespace {

// An evaluator-shaped walk: counts leaves and tracks the effective field.
struct leaf_counter {
    std::vector<std::string> seen;
    void walk(const query& q, const std::string& inherited) {
        const std::string field = q.field().empty() ? inherited : q.field();
        std::visit(
            [&](const auto& n) {
                using node = std::decay_t<decltype(n)>;
                if constexpr (std::is_same_v<node, boolean_node>) {
                    for (const auto& c : n.clauses) walk(c.query, field);
                } else if constexpr (std::is_same_v<node, phrase_node>) {
                    for (const auto& t : n.terms) seen.push_back(field + ":" + t);
                } else {
                    seen.push_back(field + ":" + n.text);
                }
            },
            q.node());
    }
};

}  // namespace

TEST_CASE("query: an evaluator walks the tree with std::visit and inherits fields") {
    const auto q = any_of({term("a"), all_of({term("b").field("body"), phrase({"c", "d"})}).field("title"), prefix("e")});
    leaf_counter w;
    w.walk(q, "*");
    CHECK(w.seen == std::vector<std::string>{"*:a", "body:b", "title:c", "title:d", "*:e"});
}

TEST_CASE("query: to_string prints the query syntax") {
    CHECK(to_string(term("trust")) == "trust");
    CHECK(to_string(term("trust").boost(2)) == "trust^2");
    CHECK(to_string(term("trust").boost(1.5).field("title")) == "title:trust^1.5");
    CHECK(to_string(phrase({"building", "trust"}, 3)) == "\"building trust\"~3");
    CHECK(to_string(phrase({"building", "trust"}).boost(0.25)) == "\"building trust\"^0.25");
    CHECK(to_string(phrase({"building", "trust"}, {0, 2}, 0)) == "\"building ? trust\"");
    CHECK(to_string(phrase({"trust"}, {2}, 0)) == "\"? ? trust\"");
    CHECK(to_string(phrase({}, 0)) == "\"\"");
    CHECK(to_string(prefix("cust")) == "cust*");
    CHECK(to_string(fuzzy("custmer", 1)) == "custmer~1");
    CHECK(to_string(fuzzy("custmer")) == "custmer~2");
    CHECK(to_string(any_of({term("a"), term("b")})) == "a b");
    CHECK(to_string(all_of({term("a"), term("b")})) == "+a +b");
    CHECK(to_string(none_of({term("a")})) == "-a");
    CHECK(to_string(any_of({term("a"), term("b"), term("c")}, 2)) == "(a b c)~2");
    CHECK(to_string(any_of({term("a"), term("b")}).boost(3)) == "(a b)^3");
    CHECK(to_string(any_of({term("a"), term("b")}).field("title")) == "title:(a b)");
    CHECK(to_string(boolean({should(term("a")), must(any_of({term("b"), term("c")})), must_not(phrase({"d", "e"}))})) ==
          "a +(b c) -\"d e\"");
    CHECK(to_string(query()) == "");
    CHECK(to_string(all_of({term("a"), query()})) == "+a +()");
}

TEST_CASE("query: to_string escapes what the parser would read as syntax") {
    CHECK(to_string(term("a:b")) == "a\\:b");
    CHECK(to_string(term("c++")) == "c++");
    CHECK(to_string(term("+1")) == "\\+1");
    CHECK(to_string(term("-x")) == "\\-x");
    CHECK(to_string(term("AND")) == "\\AND");
    CHECK(to_string(term("ANDY")) == "ANDY");
    CHECK(to_string(term("a b")) == "a\\ b");
    CHECK(to_string(term("(x)")) == "\\(x\\)");
    CHECK(to_string(term("foo*")) == "foo\\*");
    CHECK(to_string(prefix("a*")) == "a\\**");
    CHECK(to_string(term("x^2~1")) == "x\\^2\\~1");
    CHECK(to_string(term("back\\slash")) == "back\\\\slash");
    CHECK(to_string(term("say \"hi\"")) == "say\\ \\\"hi\\\"");
    CHECK(to_string(term("nb\u00a0sp")) == "nb\\\u00a0sp");
    CHECK(to_string(phrase({"say", "\"hi\"", "?", "a b"})) == "\"say \\\"hi\\\" \\? a\\ b\"");
}

TEST_CASE("query: operator<< writes to_string") {
    std::ostringstream out;
    out << all_of({term("a"), prefix("b")});
    CHECK(out.str() == "+a +b*");
}

TEST_CASE("query: parse(to_string(q)) == q for hand-picked trees") {
    const std::vector<query> trees = {
        term("trust"),
        term("AND").boost(2),
        phrase({"a", "b"}, {1, 4}, 7).field("body"),
        phrase({"x"}),
        phrase({}),
        boolean({must(term("a"))}),
        boolean({must_not(query())}),
        any_of({term("a")}, 1),
        any_of({any_of({term("a"), term("b")}, 1)}, 2),
        all_of({any_of({term("a"), term("b")}).field("title"), term("c").field("body")}).boost(1e-7),
        any_of({query().boost(2), query()}, 3),
        fuzzy("a~b", 1).boost(123456.789),
        prefix("\u65e5\u672c").field("title"),
        all_of({none_of({term("x")}), none_of({none_of({term("y")})})}),
    };
    for (const auto& q : trees) {
        CAPTURE(to_string(q));
        CHECK(parse(to_string(q)) == q);
        CHECK(parse(to_string(q), {.mode = parse_mode::strict}) == q);
    }
}

namespace {
// The largest boost of any node (the parser bounds each node's own boost; products along a path
// are bounded when searching).
double largest_boost(const query& q) {
    double out = q.boost();
    if (const auto* bn = q.get_if<boolean_node>())
        for (const auto& c : bn->clauses) out = std::max(out, largest_boost(c.query));
    return out;
}
}  // namespace

TEST_CASE("query: parse(to_string(q)) == q for 1000 random trees, lenient and strict") {
    std::mt19937_64 rng(rapport::test::seed(20240611));
    test::tree_generator gen(rng);
    for (int i = 0; i < 1000; ++i) {
        const query q = gen.tree(4);
        const std::string text = to_string(q);
        CAPTURE(text);
        REQUIRE(parse(text) == q);
        // Strict syntax rejects a boost above max_boost.
        if (largest_boost(q) > max_boost) {
            CHECK_THROWS_AS((void)parse(text, {.mode = parse_mode::strict}), rapport::query_syntax_error);
            continue;
        }
        REQUIRE(parse(text, {.mode = parse_mode::strict}) == q);
        // Printing is deterministic and equal trees print equally.
        CHECK(to_string(parse(text)) == text);
    }
}
