// SPDX-License-Identifier: MIT
// Stored fields: round trips (empty, one, many passages of every size), random access across block
// edges, compression on repetitive text, misuse, and damaged payloads that must throw corruption_error.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "rapport/core/error.hpp"
#include "index/stored_fields.hpp"
#include "support/seed.hpp"

using namespace rapport;
using namespace rapport::index;

namespace {

struct collection {
    std::vector<article_record> articles;
    std::vector<passage_record> passages;
};

std::string serialize(const collection& c) {
    stored_fields_writer w;
    for (const auto& a : c.articles) w.add_article(a);
    for (const auto& p : c.passages) w.add_passage(p);
    CHECK(w.passage_count() == c.passages.size());
    CHECK(w.article_count() == c.articles.size());
    std::string out;
    w.finish(out);
    CHECK(w.passage_count() == 0);
    CHECK(w.article_count() == 0);
    return out;
}

void check_passage(const passage_record& got, const passage_record& want) {
    CHECK(got.article == want.article);
    CHECK(got.ordinal == want.ordinal);
    CHECK(got.begin == want.begin);
    CHECK(got.end == want.end);
    CHECK(got.text == want.text);
}

void check_all(const stored_fields_reader& r, const collection& c) {
    REQUIRE(r.passage_count() == c.passages.size());
    REQUIRE(r.article_count() == c.articles.size());
    for (std::size_t d = 0; d < c.passages.size(); ++d) {
        CAPTURE(d);
        check_passage(r.passage(static_cast<docid_t>(d)), c.passages[d]);
    }
    for (std::size_t a = 0; a < c.articles.size(); ++a) {
        CAPTURE(a);
        const auto got = r.article(static_cast<std::uint32_t>(a));
        CHECK(got.id == c.articles[a].id);
        CHECK(got.title == c.articles[a].title);
    }
}

std::string random_text(std::mt19937_64& rng, std::size_t n) {
    static const std::vector<std::string> words = {"trust", "the",  "building", "of",   "naïve", "日本語",
                                                   "😀",    "café", "co-worker", "loyal", "\n",    "a"};
    std::string s;
    while (s.size() < n) {
        s += words[rng() % words.size()];
        s += ' ';
    }
    return s;
}

collection make_collection(std::size_t passages, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    collection c;
    const std::size_t articles = passages / 3 + 1;
    for (std::size_t a = 0; a < articles; ++a) {
        c.articles.push_back({{"doc-" + std::to_string(a)}, a % 5 == 0 ? std::string() : "Title «" + std::to_string(a) + "»"});
    }
    std::uint32_t ordinal = 0;
    std::uint32_t article = 0;
    for (std::size_t d = 0; d < passages; ++d) {
        std::size_t size = 0;
        switch (rng() % 10) {
            case 0: size = 0; break;                  // empty text
            case 1: size = 100'000 + rng() % 1000; break;  // larger than a block
            default: size = rng() % 1500; break;
        }
        std::string text = size == 0 ? std::string() : random_text(rng, size);
        const auto begin = static_cast<std::uint32_t>(rng() % 100'000);
        c.passages.push_back({article, ordinal, begin, begin + static_cast<std::uint32_t>(text.size()), std::move(text)});
        if (rng() % 3 == 0 && article + 1 < articles) {
            ++article;
            ordinal = 0;
        } else {
            ++ordinal;
        }
    }
    return c;
}

}  // namespace

TEST_CASE("index: empty stored fields") {
    const std::string bytes = serialize({});
    CHECK(bytes.size() == stored_trailer_size);
    const stored_fields_reader r(bytes, "empty");
    CHECK(r.passage_count() == 0);
    CHECK(r.article_count() == 0);
    CHECK_THROWS_AS((void)r.passage(0), rapport::invalid_argument);
    CHECK_THROWS_AS((void)r.article(0), rapport::invalid_argument);
    CHECK(stored_fields_reader().passage_count() == 0);
}

TEST_CASE("index: one passage and one article round-trip") {
    collection c;
    c.articles.push_back({{"a1"}, "Trust"});
    c.passages.push_back({0, 0, 3, 45, "Business is the consistent building of trust."});
    const std::string bytes = serialize(c);
    const stored_fields_reader r(bytes, "one");
    check_all(r, c);
    CHECK_THROWS_AS((void)r.passage(1), rapport::invalid_argument);
    CHECK_THROWS_AS((void)r.article(1), rapport::invalid_argument);
}

TEST_CASE("index: articles only, and passages added before their articles") {
    collection c;
    for (int i = 0; i < 2000; ++i) c.articles.push_back({{std::to_string(i)}, std::string(i % 40, 't')});
    SUBCASE("articles only") {
        const std::string bytes = serialize(c);
        check_all(stored_fields_reader(bytes, "articles"), c);
    }
    SUBCASE("interleaved") {
        stored_fields_writer w;
        w.add_passage({1999, 0, 0, 1, "x"});
        for (const auto& a : c.articles) w.add_article(a);
        std::string out;
        w.finish(out);
        c.passages.push_back({1999, 0, 0, 1, "x"});
        check_all(stored_fields_reader(out, "interleaved"), c);
    }
}

TEST_CASE("index: many passages round-trip with random access") {
    const collection c = make_collection(3000, 1);
    const std::string bytes = serialize(c);
    const stored_fields_reader r(bytes, "many");
    check_all(r, c);
    std::mt19937_64 rng(rapport::test::seed(3));
    for (int i = 0; i < 2000; ++i) {
        const auto d = static_cast<docid_t>(rng() % c.passages.size());
        check_passage(r.passage(d), c.passages[d]);
    }
    CHECK_THROWS_AS((void)r.passage(static_cast<docid_t>(c.passages.size())), rapport::invalid_argument);
    CHECK_THROWS_AS((void)r.passage(end_docid), rapport::invalid_argument);
}

TEST_CASE("index: block edges") {
    // Passages of exactly 1 KiB of raw record each: blocks close after every 16th or so.
    for (std::size_t n : {1, 15, 16, 17, 31, 32, 33, 100}) {
        CAPTURE(n);
        collection c;
        c.articles.push_back({{"only"}, "Only"});
        for (std::size_t d = 0; d < n; ++d) {
            c.passages.push_back({0, static_cast<std::uint32_t>(d), 0, 0, std::string(1016, static_cast<char>('a' + d % 26))});
        }
        check_all(stored_fields_reader(serialize(c), "edges"), c);
    }
    SUBCASE("one record exactly at the block threshold, then one larger than a block") {
        collection c;
        c.articles.push_back({{"x"}, "X"});
        c.passages.push_back({0, 0, 0, 0, std::string(stored_block_bytes - 8, 'q')});
        c.passages.push_back({0, 1, 0, 0, std::string(5 * stored_block_bytes, 'r')});
        c.passages.push_back({0, 2, 0, 0, ""});
        c.passages.push_back({0, 3, 0, 0, std::string(stored_block_bytes, 's')});
        check_all(stored_fields_reader(serialize(c), "threshold"), c);
    }
    SUBCASE("extreme field values and binary text") {
        collection c;
        c.articles.push_back({{std::string("\0id\xFF", 4)}, std::string("\0", 1)});
        c.passages.push_back({0, 0xFFFFFFFFu, 0xFFFFFFFFu, 0, std::string("\0\x01\xFF", 3)});
        check_all(stored_fields_reader(serialize(c), "extreme"), c);
    }
}

TEST_CASE("index: repetitive text compresses") {
    collection c;
    c.articles.push_back({{"a"}, "Guidance"});
    std::size_t raw = 0;
    for (std::uint32_t d = 0; d < 500; ++d) {
        std::string text;
        for (int i = 0; i < 10; ++i) text += "Business is the consistent building of trust. ";
        raw += text.size();
        c.passages.push_back({0, d, 0, static_cast<std::uint32_t>(text.size()), std::move(text)});
    }
    const std::string bytes = serialize(c);
    CHECK(bytes.size() * 10 < raw);
    check_all(stored_fields_reader(bytes, "repetitive"), c);
}

TEST_CASE("index: a passage naming a missing article is refused at finish") {
    stored_fields_writer w;
    w.add_article({{"a"}, "A"});
    w.add_passage({1, 0, 0, 0, ""});
    std::string out;
    CHECK_THROWS_AS(w.finish(out), rapport::invalid_argument);
    CHECK(out.empty());
    w.add_article({{"b"}, "B"});
    w.finish(out);
    const stored_fields_reader r(out, "late");
    CHECK(r.passage(0).article == 1);
    CHECK(r.article(1).id.value == "b");
}

TEST_CASE("index: the reader can be shared by threads") {
    const collection c = make_collection(400, 9);
    const std::string bytes = serialize(c);
    const stored_fields_reader r(bytes, "threads");
    std::vector<std::thread> threads;
    std::atomic<int> mismatches{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (std::size_t d = static_cast<std::size_t>(t); d < c.passages.size(); d += 2) {
                if (r.passage(static_cast<docid_t>(d)).text != c.passages[d].text) ++mismatches;
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(mismatches == 0);
}

TEST_CASE("index: damaged stored fields throw corruption_error, never crash") {
    collection c = make_collection(60, 5);
    for (auto& p : c.passages) p.text.resize(std::min<std::size_t>(p.text.size(), 3000));
    const std::string good = serialize(c);
    REQUIRE(good.size() > 200);

    // Reads everything; true when a corruption_error was thrown (with the right name and offset).
    // `same` is set when every record read back equals the original.
    bool same = true;
    auto exercise = [&](const std::string& bytes) {
        same = true;
        try {
            const stored_fields_reader r(bytes, "damaged.stored", 500);
            same = r.passage_count() == c.passages.size() && r.article_count() == c.articles.size();
            for (std::size_t d = 0; d < r.passage_count() && d < 100; ++d) {
                const auto p = r.passage(static_cast<docid_t>(d));
                same = same && d < c.passages.size() && p.text == c.passages[d].text &&
                       p.article == c.passages[d].article && p.ordinal == c.passages[d].ordinal &&
                       p.begin == c.passages[d].begin && p.end == c.passages[d].end;
            }
            for (std::size_t a = 0; a < r.article_count() && a < 100; ++a) {
                const auto got = r.article(static_cast<std::uint32_t>(a));
                same = same && a < c.articles.size() && got.id == c.articles[a].id && got.title == c.articles[a].title;
            }
            return false;
        } catch (const corruption_error& e) {
            CHECK(e.path() == "damaged.stored");
            REQUIRE(e.offset().has_value());
            CHECK(*e.offset() >= 500);
            CHECK(*e.offset() <= 500 + bytes.size());
            return true;
        }
    };

    SUBCASE("truncation") {
        for (std::size_t keep = 0; keep < good.size(); keep += (keep < 64 ? 1 : 13)) {
            CAPTURE(keep);
            CHECK(exercise(good.substr(0, keep)));
        }
    }
    SUBCASE("every byte flipped") {
        std::size_t silent = 0;
        for (std::size_t at = 0; at < good.size(); ++at) {
            for (const unsigned mask : {0x01u, 0x80u, 0xFFu}) {
                std::string bad = good;
                bad[at] = static_cast<char>(static_cast<unsigned char>(bad[at]) ^ mask);
                if (!exercise(bad)) {
                    // Each zstd frame carries a checksum of its content, so a flip that is not reported
                    // must be one that changes nothing decoded (padding or unused bits of a frame).
                    CAPTURE(at);
                    CHECK(same);
                    ++silent;
                }
            }
        }
        MESSAGE("flips read back unchanged without error: " << silent << " of " << 3 * good.size());
    }
    SUBCASE("structural damage is always detected") {
        const std::size_t trailer = good.size() - stored_trailer_size;
        for (std::size_t at = trailer; at < good.size(); ++at) {
            std::string bad = good;
            bad[at] = static_cast<char>(bad[at] ^ 0x10);
            CAPTURE(at);
            CHECK(exercise(bad));
        }
    }
    SUBCASE("random garbage") {
        std::mt19937_64 rng(rapport::test::seed(11));
        for (int round = 0; round < 300; ++round) {
            std::string bad = good;
            const auto flips = 1 + rng() % 8;
            for (std::size_t f = 0; f < flips; ++f) bad[rng() % bad.size()] = static_cast<char>(rng());
            exercise(bad);
            std::string noise(rng() % 300, '\0');
            for (auto& ch : noise) ch = static_cast<char>(rng());
            exercise(noise);
        }
    }
}

TEST_CASE("index: passage blocks taken as they close make the same payload as one finish") {
    const collection c = make_collection(3000, 17);
    const std::string whole = serialize(c);
    stored_fields_writer w;
    for (const auto& a : c.articles) w.add_article(a);
    std::string pieces;
    std::size_t takes = 0;
    for (const auto& p : c.passages) {
        w.add_passage(p);
        if (w.closed_passage_bytes() >= 4096) {
            w.take_passage_blocks(pieces);
            CHECK(w.closed_passage_bytes() == 0);
            ++takes;
        }
    }
    w.finish(pieces);
    CHECK(takes > 2);  // the collection spans many blocks, so several takes happened
    CHECK(pieces == whole);
    check_all(stored_fields_reader(pieces, "pieces"), c);
}
