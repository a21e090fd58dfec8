// SPDX-License-Identifier: MIT
// Prefix and fuzzy expansion: differential tests against brute-force scans over random
// dictionaries with non-ASCII terms (identical result sets, distances and summed dfs, over one
// and several dictionaries), caps and truncation, hidden internal terms, the work the fuzzy walk
// saves on a large dictionary, and expansion through an index_reader.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/text.hpp"
#include "rapport/codec/term_dictionary.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/utf8.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/index/index_builder.hpp"
#include "rapport/query/analyze.hpp"
#include "rapport/query/expand.hpp"
#include "rapport/query/parser.hpp"
#include "support/seed.hpp"

// `using namespace rapport` as well would make `query` ambiguous (namespace and class).
using namespace rapport::query;
namespace analysis = rapport::analysis;
namespace codec = rapport::codec;


namespace {

using dictionary_map = std::map<std::string, std::uint32_t>;  // term -> df

struct built_dictionary {
    std::string bytes;
    codec::term_dictionary dict;
    explicit built_dictionary(const dictionary_map& terms) {
        codec::term_dictionary_writer w;
        std::uint64_t offset = 0;
        for (const auto& [term, df] : terms) {
            codec::term_info info;
            info.df = df;
            info.total_tf = df;
            info.postings_offset = offset;
            info.postings_length = 1;
            offset += 1;
            w.add(term, info);
        }
        w.finish(bytes);
        dict = codec::term_dictionary(bytes, "test");
    }
    built_dictionary(const built_dictionary&) = delete;
};

// The code points of `s` for the oracle, by rapport's one decoder (valid input only); expansion
// itself walks the query module's units.
std::u32string code_points(std::string_view s) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto d = rapport::detail::decode_utf8(s, i);
        out.push_back(d.code_point);
        i += d.length;
    }
    return out;
}

// Textbook optimal string alignment distance, full matrix.
std::uint32_t oracle_distance(std::string_view a8, std::string_view b8, bool transpositions) {
    const auto a = code_points(a8);
    const auto b = code_points(b8);
    std::vector<std::vector<std::uint32_t>> d(a.size() + 1, std::vector<std::uint32_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<std::uint32_t>(i);
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<std::uint32_t>(j);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::uint32_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (transpositions && i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

bool internal(const std::string& t) { return !t.empty() && t.front() == rapport::index::article_key_prefix; }

// Brute force over a merged term -> df map.
std::vector<expanded_term> oracle_fuzzy(const dictionary_map& terms, const std::string& q, std::uint32_t k,
                                        std::uint32_t prefix_length, bool transpositions) {
    const auto qc = code_points(q);
    const std::u32string required = qc.substr(0, std::min<std::size_t>(prefix_length, qc.size()));
    std::vector<expanded_term> out;
    for (const auto& [t, df] : terms) {
        if (internal(t)) continue;
        if (code_points(t).substr(0, required.size()) != required) continue;
        const auto d = oracle_distance(t, q, transpositions);
        if (d <= k) out.push_back({t, d, df});
    }
    return out;
}

std::vector<expanded_term> oracle_prefix(const dictionary_map& terms, const std::string& p) {
    std::vector<expanded_term> out;
    for (const auto& [t, df] : terms)
        if (!internal(t) && t.starts_with(p)) out.push_back({t, 0, df});
    return out;
}

std::string random_word(std::mt19937_64& rng, const std::vector<std::string>& alphabet, std::size_t min_len,
                        std::size_t max_len) {
    const std::size_t n = min_len + rng() % (max_len - min_len + 1);
    std::string w;
    for (std::size_t i = 0; i < n; ++i) w += alphabet[rng() % alphabet.size()];
    return w;
}

// A random edit of `w` (by code point) so that queries land near dictionary terms.
std::string mutate(std::mt19937_64& rng, const std::string& w, const std::vector<std::string>& alphabet) {
    std::vector<std::string> cps;
    for (const char32_t c : code_points(w)) {
        std::string s;
        rapport::append_utf8(s, c);
        cps.push_back(s);
    }
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
        const std::size_t at = cps.empty() ? 0 : rng() % (cps.size() + 1);
        switch (rng() % 4) {
            case 0: cps.insert(cps.begin() + static_cast<std::ptrdiff_t>(at), alphabet[rng() % alphabet.size()]); break;
            case 1:
                if (at < cps.size()) cps.erase(cps.begin() + static_cast<std::ptrdiff_t>(at));
                break;
            case 2:
                if (at < cps.size()) cps[at] = alphabet[rng() % alphabet.size()];
                break;
            default:
                if (at + 1 < cps.size()) std::swap(cps[at], cps[at + 1]);
                break;
        }
    }
    std::string out;
    for (const auto& s : cps) out += s;
    return out.empty() ? alphabet[0] : out;
}

std::vector<std::string> terms_of(const expansion& e) {
    std::vector<std::string> out;
    for (const auto& t : e.terms) out.push_back(t.term);
    return out;
}

void check_sorted(const expansion& e) {
    for (std::size_t i = 1; i < e.terms.size(); ++i) CHECK(e.terms[i - 1].term < e.terms[i].term);
}

const std::vector<std::string> small_alphabet = {"a", "b", "c", "d", "e", "\u00e9", "\u00fc", "\u65e5", "\u00df", "\U0001F600"};

dictionary_map random_dictionary(std::mt19937_64& rng, std::size_t n, const std::vector<std::string>& alphabet) {
    dictionary_map terms;
    while (terms.size() < n) terms[random_word(rng, alphabet, 1, 8)] = 1 + static_cast<std::uint32_t>(rng() % 1000);
    // Hidden article keys and a few edge terms.
    for (int i = 0; i < 20; ++i) terms[rapport::index::article_key("abc" + std::to_string(i))] = 1;
    terms[rapport::index::article_key("")] = 1;
    terms[""] = 3;
    return terms;
}

expansion_options uncapped() {
    expansion_options o;
    o.max_fuzzy_terms = SIZE_MAX;
    o.max_prefix_terms = SIZE_MAX;
    return o;
}

}  // namespace

TEST_CASE("query: edit_distance counts code points, transpositions as one edit") {
    CHECK(edit_distance("custmer", "customer") == 1);
    CHECK(edit_distance("ab", "ba") == 1);
    CHECK(edit_distance("ab", "ba", false) == 2);
    CHECK(edit_distance("ca", "abc") == 3);  // optimal string alignment, not unrestricted Damerau
    CHECK(edit_distance("caf\u00e9", "cafe") == 1);
    CHECK(edit_distance("\u65e5\u672c", "\u672c\u65e5") == 1);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("kitten", "sitting") == 3);
    std::mt19937_64 rng(rapport::test::seed(5));
    for (int i = 0; i < 2000; ++i) {
        const auto a = random_word(rng, small_alphabet, 0, 7);
        const auto b = random_word(rng, small_alphabet, 0, 7);
        CHECK(edit_distance(a, b) == oracle_distance(a, b, true));
        CHECK(edit_distance(a, b, false) == oracle_distance(a, b, false));
    }
}

TEST_CASE("query: fuzzy expansion equals a brute-force scan on random dictionaries") {
    std::mt19937_64 rng(rapport::test::seed(99));
    for (int round = 0; round < 4; ++round) {
        const auto terms = random_dictionary(rng, 3000, small_alphabet);
        const built_dictionary built(terms);
        std::vector<std::string> words;
        for (const auto& [t, df] : terms)
            if (!internal(t) && !t.empty()) words.push_back(t);
        for (int i = 0; i < 150; ++i) {
            const std::string q = (i % 3 == 0) ? random_word(rng, small_alphabet, 1, 8)
                                               : mutate(rng, words[rng() % words.size()], small_alphabet);
            const std::uint32_t k = static_cast<std::uint32_t>(rng() % 3);
            const std::uint32_t p = static_cast<std::uint32_t>(rng() % 4 == 0 ? rng() % 3 : 0);
            const bool transpositions = rng() % 4 != 0;
            CAPTURE(q);
            CAPTURE(k);
            CAPTURE(p);
            CAPTURE(transpositions);
            auto options = uncapped();
            options.transpositions = transpositions;
            const auto got = expand_fuzzy(built.dict, q, k, p, options);
            CHECK(got.terms == oracle_fuzzy(terms, q, k, p, transpositions));
            CHECK_FALSE(got.truncated);
            check_sorted(got);
            CHECK(got.examined <= terms.size());
        }
    }
}

TEST_CASE("query: prefix expansion equals a brute-force scan on random dictionaries") {
    std::mt19937_64 rng(rapport::test::seed(7));
    const auto terms = random_dictionary(rng, 3000, small_alphabet);
    const built_dictionary built(terms);
    for (int i = 0; i < 300; ++i) {
        std::string p = random_word(rng, small_alphabet, 0, 3);
        if (i % 50 == 0) p = rapport::index::article_key("");
        CAPTURE(p);
        const auto got = expand_prefix(built.dict, p, uncapped());
        CHECK(got.terms == oracle_prefix(terms, p));
        CHECK(got.examined == got.terms.size());
        CHECK_FALSE(got.truncated);
    }
    // The empty prefix lists every term but the internal ones (the empty term included).
    const auto everything = expand_prefix(built.dict, "", uncapped());
    CHECK(everything.terms.size() == terms.size() - 21);
}

TEST_CASE("query: expansion over several dictionaries sums dfs") {
    std::mt19937_64 rng(rapport::test::seed(31));
    const auto all = random_dictionary(rng, 2000, small_alphabet);
    // Three overlapping dictionaries whose dfs add up to the merged map's.
    std::vector<dictionary_map> parts(3);
    dictionary_map merged;
    for (const auto& [t, df] : all) {
        for (auto& part : parts) {
            if (rng() % 2 == 0) {
                const auto d = 1 + static_cast<std::uint32_t>(rng() % 50);
                part[t] = d;
                merged[t] += d;
            }
        }
    }
    const built_dictionary d0(parts[0]);
    const built_dictionary d1(parts[1]);
    const built_dictionary d2(parts[2]);
    const std::vector<const codec::term_dictionary*> dicts = {&d0.dict, nullptr, &d1.dict, &d2.dict};
    for (int i = 0; i < 100; ++i) {
        const std::string q = random_word(rng, small_alphabet, 1, 6);
        const auto k = static_cast<std::uint32_t>(1 + rng() % 2);
        CAPTURE(q);
        CHECK(expand_fuzzy(dicts, q, k, std::nullopt, uncapped()).terms == oracle_fuzzy(merged, q, k, 0, true));
        const std::string p = q.substr(0, 1);
        CHECK(expand_prefix(dicts, p, uncapped()).terms == oracle_prefix(merged, p));
    }
}

TEST_CASE("query: caps keep the best terms and report truncation") {
    std::mt19937_64 rng(rapport::test::seed(11));
    const auto terms = random_dictionary(rng, 3000, small_alphabet);
    const built_dictionary built(terms);

    SUBCASE("prefix keeps the highest dfs") {
        const auto full = oracle_prefix(terms, "a");
        REQUIRE(full.size() > 128);
        const auto got = expand_prefix(built.dict, "a");
        CHECK(got.truncated);
        REQUIRE(got.terms.size() == default_max_prefix_terms);
        check_sorted(got);
        auto best = full;
        std::sort(best.begin(), best.end(), [](const auto& x, const auto& y) {
            return x.df != y.df ? x.df > y.df : x.term < y.term;
        });
        best.resize(default_max_prefix_terms);
        std::sort(best.begin(), best.end(), [](const auto& x, const auto& y) { return x.term < y.term; });
        CHECK(got.terms == best);
        // Exactly at the cap: nothing is dropped.
        expansion_options exact;
        exact.max_prefix_terms = full.size();
        CHECK_FALSE(expand_prefix(built.dict, "a", exact).truncated);
    }

    SUBCASE("fuzzy keeps the closest, then the highest dfs") {
        const auto full = oracle_fuzzy(terms, "abcd", 2, 0, true);
        REQUIRE(full.size() > 20);
        expansion_options o;
        o.max_fuzzy_terms = 20;
        const auto got = expand_fuzzy(built.dict, "abcd", 2, std::nullopt, o);
        CHECK(got.truncated);
        REQUIRE(got.terms.size() == 20);
        auto best = full;
        std::sort(best.begin(), best.end(), [](const auto& x, const auto& y) {
            if (x.distance != y.distance) return x.distance < y.distance;
            return x.df != y.df ? x.df > y.df : x.term < y.term;
        });
        best.resize(20);
        std::sort(best.begin(), best.end(), [](const auto& x, const auto& y) { return x.term < y.term; });
        CHECK(got.terms == best);
        CHECK(default_max_fuzzy_terms == 64);
    }
}

TEST_CASE("query: internal terms are never returned") {
    using rapport::index::article_key;
    dictionary_map terms = {{article_key("key1"), 1}, {article_key("key2"), 1}, {article_key("a"), 1},
                            {"a", 4},                 {"key1", 2},              {"key", 1}};
    const built_dictionary built(terms);
    CHECK(terms_of(expand_prefix(built.dict, "")) == std::vector<std::string>{"a", "key", "key1"});
    CHECK(expand_prefix(built.dict, article_key("")).terms.empty());
    CHECK(expand_prefix(built.dict, article_key("key")).terms.empty());
    // article_key("key1") is one insertion away from "key1"; it must not appear.
    CHECK(terms_of(expand_fuzzy(built.dict, "key1", 1)) == std::vector<std::string>{"key", "key1"});
    CHECK(terms_of(expand_fuzzy(built.dict, "a", 1)) == std::vector<std::string>{"a"});
    CHECK(expand_fuzzy(built.dict, article_key("key1"), 2, 1).terms.empty());
}

TEST_CASE("query: fuzzy expansion reads a small part of a large dictionary") {
    std::mt19937_64 rng(rapport::test::seed(2024));
    static const std::vector<std::string> letters = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m",
                                                     "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z"};
    dictionary_map terms;
    while (terms.size() < 200000) terms[random_word(rng, letters, 3, 10)] = 1 + static_cast<std::uint32_t>(rng() % 100);
    terms["customer"] = 500;
    terms["costumer"] = 20;
    terms["custom"] = 300;
    const built_dictionary built(terms);

    const auto start = std::chrono::steady_clock::now();
    const auto two = expand_fuzzy(built.dict, "custmer", 2, std::nullopt, uncapped());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    MESSAGE("custmer~2 examined " << two.examined << " of " << terms.size() << " terms in " << seconds * 1e3 << " ms");
    CHECK(two.terms == oracle_fuzzy(terms, "custmer", 2, 0, true));
    const auto two_terms = terms_of(two);
    CHECK(std::find(two_terms.begin(), two_terms.end(), "customer") != two_terms.end());
    CHECK(std::find(two_terms.begin(), two_terms.end(), "costumer") != two_terms.end());
    CHECK(two.examined < terms.size() / 10);

    const auto one = expand_fuzzy(built.dict, "custmer", 1, std::nullopt, uncapped());
    MESSAGE("custmer~1 examined " << one.examined);
    CHECK(terms_of(one) == std::vector<std::string>{"customer"});
    CHECK(one.examined < terms.size() / 100);

    const auto prefixed = expand_fuzzy(built.dict, "custmer", 2, 2, uncapped());
    MESSAGE("custmer~2 with prefix 2 examined " << prefixed.examined);
    CHECK(prefixed.terms == oracle_fuzzy(terms, "custmer", 2, 2, true));
    CHECK(prefixed.examined < terms.size() / 200);

    const auto prefix_walk = expand_prefix(built.dict, "cust", uncapped());
    CHECK(prefix_walk.examined == prefix_walk.terms.size());
}

TEST_CASE("query: expand dispatches on the node and runs over an index_reader") {
    rapport::index::index_builder builder;
    builder.add_passage({"a1"}, "t", "Customers trust the custom of customer service");
    builder.add_passage({"a2"}, "t", "A costumer sews costumes for customers");
    builder.add_passage({"a3"}, "t", "Cats and dogs");
    const auto reader = builder.finish();
    analysis::analyzer english = analysis::analyzer::english();

    const auto fuzzy_q = analyze(parse("Custum~1"), english);
    REQUIRE(fuzzy_q == fuzzy("custum", 1));
    const auto f = expand(reader, fuzzy_q);
    CHECK_FALSE(f.truncated);
    CHECK(terms_of(f) == std::vector<std::string>{"costum", "custom"});
    for (const auto& t : f.terms) CHECK(t.distance == 1);
    const auto wide = expand(reader, fuzzy("custmer", 2));
    for (const auto& t : wide.terms) CHECK(t.distance == edit_distance(t.term, "custmer"));

    const auto p = expand(reader, analyze(parse("CUST*"), english));
    REQUIRE(terms_of(p) == std::vector<std::string>{"custom"});
    CHECK(p.terms[0].df == 2);  // "customers", "custom" and "customer" all stem to "custom"

    // Internal article keys exist in the segments but never surface.
    for (const auto& t : expand(reader, prefix(rapport::index::article_key(""))).terms)
        CHECK(t.term.front() != rapport::index::article_key_prefix);
    expansion_options all;
    all.max_prefix_terms = SIZE_MAX;
    std::vector<const codec::term_dictionary*> dicts;
    for (const auto& seg : reader.segments()) dicts.push_back(&seg->dictionary());
    const auto everything = expand_prefix(dicts, "", all);
    CHECK_FALSE(everything.terms.empty());
    for (const auto& t : everything.terms) CHECK(t.term.front() != rapport::index::article_key_prefix);

    CHECK_THROWS_AS((void)expand(reader, term("x")), rapport::invalid_argument);
    CHECK_THROWS_AS((void)expand(dicts, any_of({prefix("x")})), rapport::invalid_argument);
}
