// SPDX-License-Identifier: MIT
// Term dictionary: round trips at block edges, a differential test against std::map (lookups,
// misses, prefix enumeration), binary and UTF-8 terms, misuse, and corruption that must end in
// corruption_error or a plausible answer, never a crash.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/codec/term_dictionary.hpp"
#include "rapport/core/error.hpp"
#include "support/seed.hpp"

using namespace rapport;
using namespace rapport::codec;

namespace {

term_info info_for(std::uint64_t i) {
    term_info t;
    t.df = static_cast<std::uint32_t>(i % 1000 + 1);
    t.total_tf = t.df + i % 7;
    t.postings_offset = i * 100;  // contiguous postings: the delta is 0
    t.postings_length = 100;
    t.positions_offset = i * 1000 + (i % 3) * 5;  // gaps and overlaps: positive and negative deltas
    t.positions_length = 990 + i % 11;
    t.max_tf = static_cast<std::uint32_t>(i % 50 + 1);
    t.min_length = static_cast<std::uint32_t>(i % 13);
    return t;
}

std::string build(const std::map<std::string, term_info>& terms) {
    term_dictionary_writer w;
    for (const auto& [t, info] : terms) w.add(t, info);
    CHECK(w.size() == terms.size());
    std::string out;
    w.finish(out);
    CHECK(w.size() == 0);
    return out;
}

// Every term, in order, through a cursor from begin().
std::vector<std::string> enumerate(const term_dictionary& d) {
    std::vector<std::string> out;
    for (auto c = d.begin(); c.valid(); c.next()) out.emplace_back(c.term());
    return out;
}

std::vector<std::string> with_prefix(const term_dictionary& d, std::string_view p) {
    std::vector<std::string> out;
    for (auto c = d.seek(p); c.valid() && c.term().starts_with(p); c.next()) out.emplace_back(c.term());
    return out;
}

std::vector<std::string> with_prefix(const std::map<std::string, term_info>& m, std::string_view p) {
    std::vector<std::string> out;
    for (auto it = m.lower_bound(std::string(p)); it != m.end() && std::string_view(it->first).starts_with(p); ++it) {
        out.push_back(it->first);
    }
    return out;
}

void check_equal(const term_dictionary& d, const std::map<std::string, term_info>& m) {
    REQUIRE(d.size() == m.size());
    std::vector<std::string> keys;
    for (const auto& [t, info] : m) {
        const auto got = d.find(t);
        REQUIRE(got.has_value());
        CHECK(*got == info);
        keys.push_back(t);
    }
    CHECK(enumerate(d) == keys);
    std::uint32_t rank = 0;
    for (auto c = d.begin(); c.valid(); c.next()) {
        CHECK(c.ordinal() == rank++);
        CHECK(c.info() == m.at(std::string(c.term())));
    }
}

std::string key(std::uint64_t i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "t%06llu", static_cast<unsigned long long>(i));
    return buf;
}

}  // namespace

TEST_CASE("codec: an empty dictionary finds nothing and enumerates nothing") {
    const std::string bytes = build({});
    CHECK(bytes.size() == term_dictionary_trailer_size);
    const term_dictionary d(bytes, "empty");
    CHECK(d.size() == 0);
    CHECK(d.empty());
    CHECK_FALSE(d.find("").has_value());
    CHECK_FALSE(d.find("a").has_value());
    CHECK_FALSE(d.begin().valid());
    CHECK_FALSE(d.seek("").valid());
    CHECK_FALSE(term_dictionary().find("x").has_value());
    CHECK_FALSE(term_dictionary().seek("x").valid());
}

TEST_CASE("codec: dictionaries round-trip at block edges") {
    for (std::uint64_t n : {1, 2, 31, 32, 33, 63, 64, 65, 97}) {
        CAPTURE(n);
        std::map<std::string, term_info> m;
        for (std::uint64_t i = 0; i < n; ++i) m[key(i * 2)] = info_for(i);
        const std::string bytes = build(m);
        const term_dictionary d(bytes, "edges");
        check_equal(d, m);
        // Misses before, between and after every term, and seeks that land on the next term.
        CHECK_FALSE(d.find("").has_value());
        CHECK_FALSE(d.find("s").has_value());
        CHECK_FALSE(d.find("u").has_value());
        for (std::uint64_t i = 0; i <= n; ++i) {
            const std::string miss = key(i * 2 + 1);
            CHECK_FALSE(d.find(miss).has_value());
            const auto c = d.seek(miss);
            if (i + 1 < n) {
                REQUIRE(c.valid());
                CHECK(c.term() == key(i * 2 + 2));
                CHECK(c.ordinal() == i + 1);
            } else {
                CHECK_FALSE(c.valid());
            }
            CHECK_FALSE(d.find(key(i * 2) + "x").has_value());
            CHECK_FALSE(d.find(key(i * 2).substr(0, 6)).has_value());
        }
        const auto first = d.seek("");
        REQUIRE(first.valid());
        CHECK(first.term() == key(0));
        CHECK_FALSE(d.seek("u").valid());
    }
}

TEST_CASE("codec: 100k random terms behave like std::map") {
    std::mt19937_64 rng(rapport::test::seed(42));
    std::map<std::string, term_info> m;
    const std::string alphabet = "abcdeéz";  // includes a two-byte UTF-8 sequence
    while (m.size() < 100'000) {
        std::string t;
        const auto len = 1 + rng() % 12;
        for (std::size_t i = 0; i < len; ++i) t.push_back(alphabet[rng() % alphabet.size()]);
        m.emplace(t, info_for(m.size()));
    }
    const std::string bytes = build(m);
    const term_dictionary d(bytes, "random");
    check_equal(d, m);

    SUBCASE("misses") {
        for (int i = 0; i < 20'000; ++i) {
            std::string t;
            const auto len = rng() % 14;
            for (std::size_t j = 0; j < len; ++j) t.push_back(alphabet[rng() % alphabet.size()]);
            const auto got = d.find(t);
            const auto it = m.find(t);
            CHECK(got.has_value() == (it != m.end()));
            const auto c = d.seek(t);
            const auto lb = m.lower_bound(t);
            REQUIRE(c.valid() == (lb != m.end()));
            if (c.valid()) CHECK(c.term() == lb->first);
        }
        CHECK_FALSE(d.find("").has_value());
        CHECK_FALSE(d.find("\xFF\xFF").has_value());
        CHECK_FALSE(d.seek("\xFF").valid());
    }
    SUBCASE("prefix enumeration") {
        std::vector<std::string> prefixes = {"", "a", "z", "é", "\xC3", "ab", "zz", "abc", "eee", "q"};
        for (int i = 0; i < 2'000; ++i) {
            std::string p;
            const auto len = 1 + rng() % 4;
            for (std::size_t j = 0; j < len; ++j) p.push_back(alphabet[rng() % alphabet.size()]);
            prefixes.push_back(p);
        }
        for (const auto& p : prefixes) {
            CAPTURE(p);
            CHECK(with_prefix(d, p) == with_prefix(m, p));
        }
    }
    SUBCASE("a cursor can seek backwards and forwards") {
        auto c = d.seek("z");
        REQUIRE(c.valid());
        c.seek("a");
        REQUIRE(c.valid());
        CHECK(c.term() == m.lower_bound("a")->first);
        c.seek("d");
        CHECK(c.term() == m.lower_bound("d")->first);
    }
}

TEST_CASE("codec: binary bytes, UTF-8 and long shared prefixes survive") {
    std::map<std::string, term_info> m;
    const std::string long_prefix(5000, 'p');
    std::uint64_t i = 0;
    for (const std::string& t :
         {std::string(), std::string("\0", 1), std::string("\0\0", 2), std::string("a\0b", 3), std::string("\x7F"),
          std::string("\x80"), std::string("\xFF"), std::string("\xFF\xFF\xFF"), std::string("日本語"),
          std::string("日本"), std::string("naïve"), std::string("😀")}) {
        m[t] = info_for(i++);
    }
    for (int j = 0; j < 100; ++j) m[long_prefix + std::to_string(j)] = info_for(i++);
    m[long_prefix] = info_for(i++);
    term_info extreme;
    extreme.df = 0xFFFFFFFFu;
    extreme.total_tf = ~std::uint64_t{0};
    extreme.postings_offset = ~std::uint64_t{0};
    extreme.postings_length = ~std::uint64_t{0};
    extreme.positions_offset = 0;
    extreme.positions_length = ~std::uint64_t{0} - 5;
    extreme.max_tf = 0xFFFFFFFFu;
    extreme.min_length = 0xFFFFFFFFu;
    m["zzz"] = extreme;
    const std::string bytes = build(m);
    const term_dictionary d(bytes, "binary");
    check_equal(d, m);
    CHECK(with_prefix(d, std::string_view("\0", 1)).size() == 2);
    CHECK(with_prefix(d, "\xFF").size() == 2);
    CHECK(with_prefix(d, long_prefix).size() == 101);
    CHECK(with_prefix(d, long_prefix + "1").size() == 11);
    CHECK(with_prefix(d, "日本") == std::vector<std::string>{"日本", "日本語"});
    // Front coding keeps the long prefix once per block, not once per term.
    CHECK(bytes.size() < 10 * long_prefix.size());
}

TEST_CASE("codec: terms out of order are refused") {
#if defined(NDEBUG) && !defined(RAPPORT_ENABLE_ASSERTS)
    term_dictionary_writer w;
    w.add("b", info_for(0));
    CHECK_THROWS_AS(w.add("a", info_for(1)), rapport::invalid_argument);
    CHECK_THROWS_AS(w.add("b", info_for(1)), rapport::invalid_argument);
    w.add("c", info_for(1));
    std::string out;
    w.finish(out);
    const term_dictionary d(out, "order");
    CHECK(d.size() == 2);
#else
    MESSAGE("skipped: assertions are enabled and the misuse would abort");
#endif
}

TEST_CASE("codec: a dictionary appended after other bytes reports offsets relative to its start") {
    std::map<std::string, term_info> m;
    for (std::uint64_t i = 0; i < 40; ++i) m[key(i)] = info_for(i);
    std::string out = "header bytes";
    const std::size_t start = out.size();
    term_dictionary_writer w;
    for (const auto& [t, info] : m) w.add(t, info);
    w.finish(out);
    const term_dictionary d(std::string_view(out).substr(start), "appended", start);
    check_equal(d, m);
}

TEST_CASE("codec: a damaged dictionary throws corruption_error or answers plausibly, never crashes") {
    std::map<std::string, term_info> m;
    std::mt19937_64 rng(rapport::test::seed(7));
    for (std::uint64_t i = 0; i < 150; ++i) m[key(i * 3) + std::string(i % 5, 'x')] = info_for(i);
    const std::string good = build(m);

    // Exercises every read path of a (possibly damaged) dictionary.
    auto exercise = [&](const std::string& bytes) {
        try {
            const term_dictionary d(bytes, "damaged.dict", 1000);
            std::size_t n = 0;
            for (auto c = d.begin(); c.valid() && n < 1000; c.next()) ++n;
            for (const auto& [t, info] : m) (void)d.find(t);
            for (const char* p : {"", "t", "t0001", "t0002", "u", "\xFF"}) {
                for (auto c = d.seek(p); c.valid() && c.term().starts_with(p); c.next()) {
                }
            }
            return false;
        } catch (const corruption_error& e) {
            CHECK(e.path() == "damaged.dict");
            REQUIRE(e.offset().has_value());
            CHECK(*e.offset() >= 1000);
            CHECK(*e.offset() <= 1000 + bytes.size());
            return true;
        }
    };

    SUBCASE("truncation") {
        for (std::size_t keep = 0; keep < good.size(); keep += (keep < 64 ? 1 : 37)) {
            CAPTURE(keep);
            // Copied into an exactly-sized buffer so that a sanitizer sees any read past the end.
            exercise(good.substr(0, keep));
        }
        for (std::size_t keep : {std::size_t{0}, std::size_t{5}, std::size_t{11}}) {
            CHECK_THROWS_AS(term_dictionary(good.substr(0, keep), "short"), corruption_error);
        }
    }
    SUBCASE("trailer damage is detected at open") {
        for (std::size_t at = good.size() - term_dictionary_trailer_size; at < good.size(); ++at) {
            std::string bad = good;
            bad[at] = static_cast<char>(bad[at] ^ 0x40);
            CAPTURE(at);
            CHECK_THROWS_AS(term_dictionary(bad, "trailer"), corruption_error);
        }
    }
    SUBCASE("flipped bytes") {
        std::size_t thrown = 0;
        for (std::size_t at = 0; at < good.size(); ++at) {
            for (const unsigned mask : {0x01u, 0x80u, 0xFFu}) {
                std::string bad = good;
                bad[at] = static_cast<char>(static_cast<unsigned char>(bad[at]) ^ mask);
                if (exercise(bad)) ++thrown;
            }
        }
        CHECK(thrown > 0);
    }
    SUBCASE("random garbage") {
        for (int round = 0; round < 2000; ++round) {
            std::string bad = good;
            const auto flips = 1 + rng() % 8;
            for (std::size_t f = 0; f < flips; ++f) bad[rng() % bad.size()] = static_cast<char>(rng());
            exercise(bad);
            std::string noise(rng() % 200, '\0');
            for (auto& ch : noise) ch = static_cast<char>(rng());
            exercise(noise);
        }
    }
}

TEST_CASE("codec: a dictionary written in pieces by take_blocks is byte for byte the one written at once") {
    std::mt19937_64 rng(test::seed(20261207));
    for (std::uint64_t n : {0, 1, 31, 32, 33, 500, 2049}) {
        CAPTURE(n);
        std::map<std::string, term_info> m;
        for (std::uint64_t i = 0; i < n; ++i) m[key(i * 3)] = info_for(i);
        term_dictionary_writer w;
        std::string streamed;
        for (const auto& [t, info] : m) {
            w.add(t, info);
            if (rng() % 7 == 0) w.take_blocks(streamed);  // at any point, block edges included
        }
        w.take_blocks(streamed);
        w.finish(streamed);
        CHECK(streamed == build(m));
        const term_dictionary d(streamed, "streamed");
        check_equal(d, m);
    }
}
