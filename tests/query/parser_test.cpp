// SPDX-License-Identifier: MIT
// Query parser: every construct, precedence, default operator, fields, escapes; lenient repairs
// for a catalogue of malformed inputs; strict errors with byte positions; depth caps; invalid
// UTF-8; and fuzzing (random text never throws in lenient mode, strict mode throws only
// syntax_error, and every lenient result round-trips through to_string).
#include <doctest/doctest.h>

#include <cmath>

#include <cstdint>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "query_test_support.hpp"
#include "rapport/core/error.hpp"
#include "rapport/query/error.hpp"
#include "rapport/query/parser.hpp"
#include "support/seed.hpp"

// `using namespace rapport` as well would make `query` ambiguous (namespace and class).
using namespace rapport::query;
namespace test = rapport::test;

namespace {

query lenient(std::string_view text) { return parse(text); }

query strict(std::string_view text) { return parse(text, {.mode = parse_mode::strict}); }

query with_and(std::string_view text, parse_mode mode = parse_mode::lenient) {
    return parse(text, {.mode = mode, .op = default_operator::and_});
}

// Both modes must agree on well-formed input.
query both(std::string_view text) {
    const auto q = strict(text);
    CHECK(lenient(text) == q);
    return q;
}

// The strict error for `text`: its byte position and expectation.
struct fault {
    std::uint64_t position = 0;
    std::string expected;
    std::string what;
};

fault strict_fault(std::string_view text) {
    try {
        (void)strict(text);
    } catch (const syntax_error& e) {
        return {e.position(), e.expected(), e.what()};
    }
    FAIL("no syntax_error for: " << text);
    return {};
}

query t(const char* s) { return term(s); }

}  // namespace

TEST_CASE("query: parser reads bare words with the default operator") {
    CHECK(both("trust") == t("trust"));
    CHECK(both("building trust") == any_of({t("building"), t("trust")}));
    CHECK(both("  building \t\n trust  ") == any_of({t("building"), t("trust")}));
    CHECK(with_and("building trust") == all_of({t("building"), t("trust")}));
    CHECK(with_and("a b c", parse_mode::strict) == all_of({t("a"), t("b"), t("c")}));
    CHECK(both("") == query());
    CHECK(both("   ") == query());
    CHECK(both("\u00e9t\u00e9 \u65e5\u672c\u8a9e") == any_of({t("\u00e9t\u00e9"), t("\u65e5\u672c\u8a9e")}));
    // Non-ASCII blanks separate words too.
    CHECK(both("a\u00a0b\u3000c") == any_of({t("a"), t("b"), t("c")}));
    // Lowercase keywords are words; so are keywords with a suffix.
    CHECK(both("rock and roll") == any_of({t("rock"), t("and"), t("roll")}));
    CHECK(both("AND^2") == t("AND").boost(2));
    // Punctuation inside words is left for the analyzer.
    CHECK(both("e-mail c++ o'neil") == any_of({t("e-mail"), t("c++"), t("o'neil")}));
}

TEST_CASE("query: parser reads phrases, slop and gaps") {
    CHECK(both("\"building trust\"") == phrase({"building", "trust"}));
    CHECK(both("\"building trust\"~3") == phrase({"building", "trust"}, 3));
    CHECK(both("\"trust\"") == phrase({"trust"}));
    CHECK(both("\"\"") == phrase({}));
    CHECK(both("\"  a   b  \"") == phrase({"a", "b"}));
    CHECK(both("\"a ? b\"") == phrase({"a", "b"}, {0, 2}, 0));
    CHECK(both("\"? a\"") == phrase({"a"}, {1}, 0));
    CHECK(both("\"a ?\"") == phrase({"a"}));
    CHECK(both("\"a \\? b\"") == phrase({"a", "?", "b"}));
    CHECK(both("\"a?b AND (x)\"") == phrase({"a?b", "AND", "(x)"}));
    CHECK(both("\"say \\\"hi\\\"\"") == phrase({"say", "\"hi\""}));
    CHECK(both("\"a\\ b c\"") == phrase({"a b", "c"}));
    CHECK(both("x\"a b\"") == any_of({t("x"), phrase({"a", "b"})}));
}

TEST_CASE("query: parser reads +, - and NOT") {
    CHECK(both("+a -b c") == boolean({must(t("a")), must_not(t("b")), should(t("c"))}));
    CHECK(with_and("+a -b c") == boolean({must(t("a")), must_not(t("b")), must(t("c"))}));
    CHECK(both("-a") == none_of({t("a")}));
    CHECK(both("+a") == boolean({must(t("a"))}));
    CHECK(both("NOT a") == none_of({t("a")}));
    CHECK(both("a NOT b") == boolean({should(t("a")), must_not(t("b"))}));
    CHECK(both("a AND NOT b") == boolean({must(t("a")), must_not(t("b"))}));
    CHECK(both("NOT(a)") == none_of({t("a")}));
    CHECK(both("-\"a b\"") == none_of({phrase({"a", "b"})}));
    CHECK(both("+(a b)") == boolean({must(any_of({t("a"), t("b")}))}));
    CHECK(both("(-a)") == none_of({t("a")}));
    // Stacked operators nest.
    CHECK(both("NOT -a") == boolean({must_not(none_of({t("a")}))}));
    CHECK(both("+-a") == boolean({must(none_of({t("a")}))}));
    // A '-' inside a word is a hyphen.
    CHECK(both("a-b") == t("a-b"));
}

TEST_CASE("query: a shouted query's AND, OR and NOT are words; plain syntax has no operators at all") {
    // Topics typed in capitals (CISI, TREC titles) must not turn NOT into an exclusion.
    CHECK(lenient("DOES NOT INCLUDE") == any_of({t("DOES"), t("NOT"), t("INCLUDE")}));
    CHECK(lenient("WING AND TAIL OR FIN") == any_of({t("WING"), t("AND"), t("TAIL"), t("OR"), t("FIN")}));
    CHECK(lenient("ÉTUDE NOT X") == any_of({t("ÉTUDE"), t("NOT"), t("X")}));
    CHECK(strict("DOES NOT INCLUDE") == lenient("DOES NOT INCLUDE"));  // both modes read capitals alike
    // Lower case anywhere (outside the operator words) keeps them operators.
    CHECK(both("wing NOT tail") == boolean({should(t("wing")), must_not(t("tail"))}));
    CHECK(both("Wing NOT TAIL") == boolean({should(t("Wing")), must_not(t("TAIL"))}));
    // No cased letter outside the operators (CJK, digits): the operators stay.
    CHECK(lenient("東京 NOT 大阪") == boolean({should(t("東京")), must_not(t("大阪"))}));

    const auto plain = [](std::string_view text) { return parse(text, {.mode = parse_mode::plain}); };
    CHECK(plain("wing NOT tail") == any_of({t("wing"), t("NOT"), t("tail")}));
    CHECK(plain("\"boundary layer\" -flow +heat title:x y~2 z* (a)") ==
          any_of({t("\"boundary"), t("layer\""), t("-flow"), t("+heat"), t("title:x"), t("y~2"), t("z*"), t("(a)")}));
    CHECK(parse("a b", {.mode = parse_mode::plain, .op = default_operator::and_}) == all_of({t("a"), t("b")}));
    CHECK(plain("") == query());
    CHECK_NOTHROW((void)plain(std::string("caf\xc3 \\ \"")));
}

TEST_CASE("query: parser precedence is NOT > AND > OR, juxtaposition taking the default operator's") {
    CHECK(both("a AND b") == all_of({t("a"), t("b")}));
    CHECK(both("a OR b") == any_of({t("a"), t("b")}));
    CHECK(both("a OR b AND c") == any_of({t("a"), all_of({t("b"), t("c")})}));
    CHECK(both("a AND b OR c") == any_of({all_of({t("a"), t("b")}), t("c")}));
    CHECK(both("a AND b OR c AND d") == any_of({all_of({t("a"), t("b")}), all_of({t("c"), t("d")})}));
    CHECK(both("a b AND c") == any_of({t("a"), all_of({t("b"), t("c")})}));
    CHECK(both("NOT a AND b") == boolean({must_not(t("a")), must(t("b"))}));
    CHECK(both("NOT a OR b") == boolean({must_not(t("a")), should(t("b"))}));
    CHECK(both("(a OR b) AND c") == all_of({any_of({t("a"), t("b")}), t("c")}));
    CHECK(both("a AND (b OR c)") == all_of({t("a"), any_of({t("b"), t("c")})}));
    CHECK(both("a OR b OR c") == any_of({t("a"), t("b"), t("c")}));
    CHECK(both("a AND b AND c") == all_of({t("a"), t("b"), t("c")}));
    CHECK(both("+a OR b") == boolean({must(t("a")), should(t("b"))}));
    // With AND as the default operator, juxtaposition binds like AND.
    CHECK(with_and("a b OR c") == any_of({all_of({t("a"), t("b")}), t("c")}));
    CHECK(with_and("a OR b c") == any_of({t("a"), all_of({t("b"), t("c")})}));
    CHECK(with_and("a AND b c") == all_of({t("a"), t("b"), t("c")}));
}

TEST_CASE("query: parser reads groups, which collapse to their only clause") {
    CHECK(both("(a b)") == any_of({t("a"), t("b")}));
    CHECK(both("(a)") == t("a"));
    CHECK(both("((a))") == t("a"));
    CHECK(both("()") == query());
    CHECK(both("a ()") == any_of({t("a"), query()}));
    CHECK(both("(a b) (c d)") == any_of({any_of({t("a"), t("b")}), any_of({t("c"), t("d")})}));
    CHECK(both("(a b c)~2") == any_of({t("a"), t("b"), t("c")}, 2));
    CHECK(both("(a b)~0") == any_of({t("a"), t("b")}));
    CHECK(both("(a)~1") == any_of({t("a")}, 1));
    CHECK(both("(a)~0") == t("a"));
    CHECK(both("((a b)~1)~2") == any_of({any_of({t("a"), t("b")}, 1)}, 2));
    CHECK(both("(+a)~1") == boolean({must(t("a"))}, 1));
}

TEST_CASE("query: parser reads field restrictions") {
    CHECK(both("title:trust") == t("trust").field("title"));
    CHECK(both("body:\"a b\"") == phrase({"a", "b"}).field("body"));
    CHECK(both("title:(a b)") == any_of({t("a"), t("b")}).field("title"));
    CHECK(both("title:(a)") == t("a").field("title"));
    CHECK(both("title:(body:a b)") == any_of({t("a").field("body"), t("b")}).field("title"));
    CHECK(both("-title:a") == none_of({t("a").field("title")}));
    CHECK(both("title:cust*") == prefix("cust").field("title"));
    CHECK(both("title:a^2") == t("a").field("title").boost(2));
    CHECK(both("title\\:a") == t("title:a"));
    CHECK(parse("name:x", {.fields = {"name"}}) == t("x").field("name"));
    CHECK(parse("title:x", {.fields = {}}) == t("title:x"));
}

TEST_CASE("query: parser reads prefixes, fuzzy terms and boosts") {
    CHECK(both("cust*") == prefix("cust"));
    CHECK(both("custmer~1") == fuzzy("custmer", 1));
    CHECK(both("custmer~2") == fuzzy("custmer", 2));
    CHECK(both("custmer~") == fuzzy("custmer", 2));
    CHECK(both("custmer~0") == t("custmer"));
    CHECK(both("trust^2") == t("trust").boost(2));
    CHECK(both("trust^0") == t("trust").boost(0));
    CHECK(both("trust^.5") == t("trust").boost(0.5));
    CHECK(both("trust^1e-07") == t("trust").boost(1e-7));
    CHECK(both("\"a b\"^1.5") == phrase({"a", "b"}).boost(1.5));
    CHECK(both("\"a b\"~2^3") == phrase({"a", "b"}, 2).boost(3));
    CHECK(both("\"a b\"^3~2") == phrase({"a", "b"}, 2).boost(3));
    CHECK(both("(a b)^3") == any_of({t("a"), t("b")}).boost(3));
    CHECK(both("(a b)~1^3") == any_of({t("a"), t("b")}, 1).boost(3));
    CHECK(both("cust*^2") == prefix("cust").boost(2));
    CHECK(both("a~1^2") == fuzzy("a", 1).boost(2));
    CHECK(both("a^2~1") == fuzzy("a", 1).boost(2));
    // Boosts of a group that collapses multiply.
    CHECK(both("(a^3)^2") == t("a").boost(6));
    CHECK(both("a^1e9") == t("a").boost(1e9));  // query::max_boost itself
    // Beyond the limit the lenient parser keeps the boost as written, even when nested boosts
    // overflow, so that searching reports it instead of silently dropping it.
    CHECK(lenient("a^2e9") == t("a").boost(2e9));
    CHECK(std::isinf(lenient("(a^1e200)^1e200").boost()));
}

TEST_CASE("query: parser honours backslash escapes") {
    CHECK(both("a\\:b") == t("a:b"));
    CHECK(both("\\+a") == t("+a"));
    CHECK(both("\\-a") == t("-a"));
    CHECK(both("\\AND") == t("AND"));
    CHECK(both("a\\ b") == t("a b"));
    CHECK(both("\\(x\\)") == t("(x)"));
    CHECK(both("foo\\*") == t("foo*"));
    CHECK(both("foo\\**") == prefix("foo*"));
    CHECK(both("a\\^2") == t("a^2"));
    CHECK(both("a\\~") == t("a~"));
    CHECK(both("a\\\\b") == t("a\\b"));
    CHECK(both("\\\"x") == t("\"x"));
    CHECK(both("\\\u00e9") == t("\u00e9"));
}

TEST_CASE("query: lenient mode repairs malformed input") {
    struct repair {
        const char* input;
        query expected;
    };
    const std::vector<repair> catalogue = {
        // stray and unbalanced quotes
        {"\"building trust", phrase({"building", "trust"})},
        {"a \"", t("a")},
        {"\"", query()},
        {"a \"b", any_of({t("a"), phrase({"b"})})},
        // lone and dangling operators
        {"a AND", t("a")},
        {"AND a", t("a")},
        {"a OR", t("a")},
        {"OR", query()},
        {"NOT", query()},
        {"a NOT", t("a")},
        {"AND OR NOT", query()},
        {"a AND OR b", any_of({t("a"), t("b")})},
        {"- a", t("a")},
        {"a -", t("a")},
        {"a - b", any_of({t("a"), t("b")})},
        {"+", query()},
        {"-)", query()},
        {"+a +", boolean({must(t("a"))})},
        // unbalanced parentheses
        {"a (b", any_of({t("a"), t("b")})},
        {"(a b", any_of({t("a"), t("b")})},
        {"((a)", t("a")},
        {"a) b", any_of({t("a"), t("b")})},
        {")))", query()},
        {"(", query()},
        {"a (", any_of({t("a"), query()})},
        // unknown fields and field prefixes without an operand
        {"foo:bar", t("foo:bar")},
        {"http://example.com", t("http://example.com")},
        {"10:30", t("10:30")},
        {"title:", t("title")},
        {"title: a", any_of({t("title"), t("a")})},
        {"title:^2", t("title").boost(2)},
        {"title:title:a", t("a").field("title")},
        {":a", t(":a")},
        // stray suffixes and bad numbers
        {"^2 a", t("a")},
        {"~ a", t("a")},
        {"a^", t("a")},
        {"a^x", any_of({t("a"), t("x")})},
        {"a^1.2.3", t("a")},
        {"a^2^3", t("a").boost(2)},
        {"a~9", fuzzy("a", 2)},
        {"a~0.8", fuzzy("a", 2)},
        {"a~1~2", fuzzy("a", 1)},
        {"cust*~1", prefix("cust")},
        {"\"a b\"~", phrase({"a", "b"})},
        {"\"a b\"~2.7", phrase({"a", "b"}, 2)},
        {"\"a b\"~99999999999", phrase({"a", "b"}, UINT32_MAX)},
        {"(a b)~", any_of({t("a"), t("b")})},
        {"a^1e999", t("a")},
        // wildcards
        {"*", query()},
        {"a * b", any_of({t("a"), t("b")})},
        {"a*b", t("a*b")},
        {"*a", t("*a")},
        // trailing backslash
        {"a\\", t("a")},
        {"\\", query()},
        {"\"a\\", phrase({"a"})},
    };
    for (const auto& r : catalogue) {
        CAPTURE(r.input);
        CHECK(lenient(r.input) == r.expected);
        CHECK_THROWS_AS((void)strict(r.input), syntax_error);
    }
}

TEST_CASE("query: strict mode reports the byte position and what was expected") {
    struct expectation {
        const char* input;
        std::uint64_t position;
        const char* expected;
    };
    const std::vector<expectation> cases = {
        {"(a b", 4, "')'"},
        {"x (a (b c) d", 12, "')'"},
        {"a)", 1, "an operator, a term or the end of the query"},
        {"\"a b", 4, "'\"'"},
        {"a AND", 5, "a term, phrase or group"},
        {"AND a", 0, "a term, phrase or group"},
        {"a OR OR b", 5, "a term, phrase or group"},
        {"NOT", 3, "a term, phrase or group"},
        {"a - b", 2, "a term, phrase or group"},
        {"foo:bar", 0, "one of the fields title, body"},
        {"x foo:bar", 2, "one of the fields title, body"},
        {"title:", 6, "a term, phrase or group"},
        {"title: a", 6, "a term, phrase or group"},
        {"title:title:a", 6, "a term, phrase or group"},
        {":a", 0, "a term, phrase or group"},
        {"a^", 2, "a non-negative number"},
        {"a^x", 2, "a non-negative number"},
        {"a^2^3", 3, "whitespace or an operator"},
        {"^2", 0, "a term, phrase or group"},
        {"a~3", 2, "0, 1 or 2"},
        {"a~0.8", 2, "0, 1 or 2"},
        {"cust*~1", 5, "whitespace or an operator"},
        {"\"a b\"~", 6, "a whole number"},
        {"(a b)~x", 6, "a whole number"},
        {"a*b", 1, "the end of the term"},
        {"*", 0, "a term"},
        {"a\\", 1, "a character"},
        {"ok \xff", 3, "valid UTF-8"},
        {"\"caf\xc3\"", 4, "valid UTF-8"},
        {"a^1e999", 2, "a non-negative number"},
        {"a^2e9", 1, "a smaller boost"},         // above query::max_boost
        {"(a^1e5)^1e5", 7, "a smaller boost"},   // nested boosts multiply past it
    };
    for (const auto& c : cases) {
        CAPTURE(c.input);
        const auto f = strict_fault(c.input);
        CHECK(f.position == c.position);
        CHECK(f.expected == c.expected);
        CHECK(f.what.find("at byte " + std::to_string(c.position)) != std::string::npos);
    }
    // The error is also a rapport::query_syntax_error and a rapport::error.
    CHECK_THROWS_AS((void)strict("(a"), rapport::query_syntax_error);
    CHECK_THROWS_AS((void)strict("(a"), rapport::error);
    CHECK_THROWS_WITH_AS((void)strict("(a b"), "query syntax error at byte 4: expected ')' to close the group that opens at byte 0",
                         syntax_error);
}

TEST_CASE("query: strict mode reports the first fault") {
    CHECK(strict_fault("a) foo:bar \\").position == 1);
    CHECK(strict_fault("a AND ) \xff").position == 6);
    CHECK(strict_fault("foo:x (").position == 0);
}

TEST_CASE("query: invalid UTF-8 is replaced in lenient mode") {
    CHECK(lenient("caf\xc3") == t("caf\ufffd"));
    CHECK(lenient("a \xff\xfe b") == any_of({t("a"), t("\ufffd\ufffd"), t("b")}));
    CHECK(lenient("\"x \xe2\x82\"") == phrase({"x", "\ufffd"}));
    CHECK(lenient("\xed\xa0\x80") == t("\ufffd\ufffd\ufffd"));  // a surrogate
}

namespace {

std::size_t depth_of(const query& q) {
    std::size_t deepest = 0;
    if (const auto* b = q.get_if<boolean_node>())
        for (const auto& c : b->clauses) deepest = std::max(deepest, depth_of(c.query));
    return deepest + 1;
}

}  // namespace

TEST_CASE("query: nesting is capped: strict throws, lenient flattens") {
    const std::string deep_a = std::string(300, '(') + "a" + std::string(300, ')');
    const auto f = strict_fault(deep_a);
    CHECK(f.position == 256);
    CHECK(lenient(deep_a) == t("a"));

    const std::string at_cap = std::string(256, '(') + "a" + std::string(256, ')');
    CHECK(strict(at_cap) == t("a"));

    std::string nested;  // (x0 (x1 (x2 ... ))) 400 levels
    for (int i = 0; i < 400; ++i) nested += "(x" + std::to_string(i) + " ";
    nested += std::string(400, ')');
    CHECK_THROWS_AS((void)strict(nested), syntax_error);
    const auto flat = lenient(nested);
    CHECK(depth_of(flat) <= 258);
    // The innermost groups were merged into the deepest kept one: every word survives.
    const std::string printed = to_string(flat);
    CHECK(printed.find("x0 ") != std::string::npos);
    CHECK(printed.find("x399") != std::string::npos);

    std::string nots;
    for (int i = 0; i < 10000; ++i) nots += "NOT ";
    nots += "a";
    CHECK_THROWS_AS((void)strict(nots), syntax_error);
    CHECK(depth_of(lenient(nots)) <= 258);

    const std::string minuses = std::string(100000, '-') + "a";
    CHECK(depth_of(lenient(minuses)) <= 258);

    CHECK(lenient(std::string(100000, '(')) == query());
    CHECK(lenient(std::string(100000, ')')) == query());
    CHECK(lenient(std::string(50001, '"')).get_if<boolean_node>()->clauses.size() == 25000);  // 25000 "" and a stray "

    parser_options small{.max_depth = 2};
    CHECK(parse("((a b) c)", small) == any_of({any_of({t("a"), t("b")}), t("c")}));
    CHECK(parse("(((a b) c) d)", small) == any_of({any_of({t("a"), t("b"), t("c")}), t("d")}));
    small.mode = parse_mode::strict;
    CHECK_THROWS_AS((void)parse("(((a b) c) d)", small), syntax_error);
}

TEST_CASE("query: huge input parses in linear time") {
    std::string big;
    for (int i = 0; i < 200000; ++i) big += (i % 7 == 0) ? "AND " : (i % 11 == 0 ? "(w" : "w") + std::to_string(i % 100) + " ";
    // No clock is read: a quadratic parser (4·10^10 steps here) overruns the CTest timeout instead.
    const auto q = lenient(big);
    CHECK_FALSE(q.empty());
    const std::string words(1 << 20, 'x');  // one 1 MiB word
    CHECK(lenient(words) == term(words));
}

TEST_CASE("query: random text never throws in lenient mode and round-trips through to_string") {
    std::mt19937_64 rng(rapport::test::seed(77));
    int strict_ok = 0;
    for (int i = 0; i < 20000; ++i) {
        const std::string text = test::random_query_text(rng, 24);
        CAPTURE(text);
        query q;
        REQUIRE_NOTHROW(q = lenient(text));
        REQUIRE_NOTHROW((void)with_and(text));
        // What lenient mode builds is canonical: printing and parsing again gives it back.
        const std::string printed = to_string(q);
        CAPTURE(printed);
        REQUIRE(lenient(printed) == q);
        REQUIRE(strict(printed) == q);
        // Strict mode either agrees with lenient mode or throws syntax_error.
        std::optional<query> exact;
        try {
            exact = strict(text);
        } catch (const syntax_error&) {
        }
        if (exact) {
            CHECK(*exact == q);
            ++strict_ok;
        }
    }
    CHECK(strict_ok > 100);
}

// Booleans nested in `q`, itself included: printed, each may need a pair of parentheses.
std::size_t boolean_depth(const query& q) {
    std::size_t deepest = 0;
    if (const auto* b = q.get_if<boolean_node>()) {
        for (const auto& c : b->clauses) deepest = std::max(deepest, boolean_depth(c.query));
        return deepest + 1;
    }
    return 0;
}

TEST_CASE("query: lenient results round-trip at the nesting limit") {
    // The fuzzer's inputs (tests/fuzz/corpus/query_parser: depth_limit_clause, empty_group_msm,
    // round_trip_or): prefix operators took the nesting to its cap, the '(' after them was then
    // flattened, and the parser read the field-less, empty operand as an empty term ("+(~2)" deep
    // down printed as "+~2", or as nothing). And a ')' closing no group split the query into
    // groups its text did not have. A tree whose booleans nest no deeper than the cap prints to
    // text that parses back to it; a deeper one (precedence makes "a AND b c" two booleans
    // without a parenthesis) prints to text the cap flattens.
    std::mt19937_64 rng(rapport::test::seed(4242));
    for (const std::size_t max_depth : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{6}}) {
        const parser_options o{.max_depth = max_depth};
        CAPTURE(max_depth);
        int checked = 0;
        for (int i = 0; i < 20000; ++i) {
            const std::string text = test::random_query_text(rng, 24);
            CAPTURE(text);
            const auto q = parse(text, o);
            if (boolean_depth(q) > max_depth) continue;
            const std::string printed = to_string(q);
            CAPTURE(printed);
            REQUIRE(parse(printed, o) == q);
            ++checked;
        }
        CHECK(checked > 10000);
    }
    const parser_options two{.max_depth = 2};
    // Two stacked operators at cap 2 flatten the group, leaving "~2" a stray suffix.
    CHECK(to_string(parse("+(-+(~2))", two)) == "+()");
    CHECK(parse("+(-+(a~2))", two) == parse("+(-+a~2)", two));
    // A stray ')' reads as if it were not there.
    CHECK(lenient("a b) c") == lenient("a b c"));
    CHECK(lenient(") a) (b)) c)") == lenient("a b c"));
    CHECK_THROWS_AS((void)strict("a b) c"), syntax_error);
}

TEST_CASE("query: arbitrary bytes never throw in lenient mode") {
    std::mt19937_64 rng(rapport::test::seed(1234));
    for (int i = 0; i < 5000; ++i) {
        std::string bytes(rng() % 65, '\0');
        for (auto& b : bytes) b = static_cast<char>(rng() % 256);
        CAPTURE(bytes);
        query q;
        REQUIRE_NOTHROW(q = lenient(bytes));
        REQUIRE(lenient(to_string(q)) == q);
        try {
            (void)strict(bytes);
        } catch (const syntax_error& e) {
            CHECK(e.position() <= bytes.size());
        }
    }
}

TEST_CASE("query: text longer than max_bytes is an error in every mode") {
    const std::string text(1000, 'a');
    for (const auto mode : {parse_mode::lenient, parse_mode::strict, parse_mode::plain}) {
        CAPTURE(static_cast<int>(mode));
        CHECK_THROWS_WITH_AS((void)parse(text, {.mode = mode, .max_bytes = 999}), doctest::Contains("max_bytes"),
                             rapport::query_syntax_error);
        CHECK_NOTHROW((void)parse(text, {.mode = mode, .max_bytes = 1000}));
        CHECK_NOTHROW((void)parse(text, {.mode = mode, .max_bytes = 0}));  // no limit
    }
    CHECK(parser_options{}.max_bytes == std::size_t{1} << 20);
}

