// SPDX-License-Identifier: MIT
// Stored fields: round trips (empty, one, many passages of every size), random access across block
// edges, compression on repetitive text, misuse, and damaged payloads that must throw corruption_error;
// appending whole payloads block by block (with streaming), article numbers that descend within a
// block, and payloads of version 5 (absolute article numbers).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "rapport/core/crc32c.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/varint.hpp"
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

namespace {

// The trailer of a payload of version 6 on (layout in lib/index/stored_fields.hpp).
struct trailer_fields {
    std::uint64_t article_blocks = 0;
    std::uint64_t index = 0;
    std::uint32_t passage_count = 0;
    std::uint32_t passage_blocks = 0;
    std::uint32_t article_count = 0;
    std::uint32_t article_block_count = 0;
    std::uint32_t index_crc = 0;
};

trailer_fields trailer_of(const std::string& payload) {
    REQUIRE(payload.size() >= stored_trailer_size);
    const char* t = payload.data() + payload.size() - stored_trailer_size;
    return {load_fixed64(t),      load_fixed64(t + 8),  load_fixed32(t + 16), load_fixed32(t + 20),
            load_fixed32(t + 24), load_fixed32(t + 28), load_fixed32(t + 32)};
}

// The compressed passage blocks of a payload, and its compressed article blocks.
std::string passage_area(const std::string& payload) { return payload.substr(0, trailer_of(payload).article_blocks); }
std::string article_area(const std::string& payload) {
    const trailer_fields t = trailer_of(payload);
    return payload.substr(t.article_blocks, t.index - t.article_blocks);
}

// Where passage index entry `i` of a version 6 payload starts, and article index entry `i`.
std::size_t passage_entry_at(const std::string& payload, std::uint32_t i) {
    return trailer_of(payload).index + stored_passage_entry_size * i;
}
std::size_t article_entry_at(const std::string& payload, std::uint32_t i) {
    const trailer_fields t = trailer_of(payload);
    return t.index + stored_passage_entry_size * t.passage_blocks + stored_index_entry_size * i;
}

void store_fixed32(std::string& payload, std::size_t at, std::uint32_t v) {
    std::string field;
    put_fixed32(field, v);
    payload.replace(at, 4, field);
}
void store_fixed64(std::string& payload, std::size_t at, std::uint64_t v) {
    std::string field;
    put_fixed64(field, v);
    payload.replace(at, 8, field);
}

// Rewrites the index CRC of a version 6 payload whose index entries were changed on purpose, so
// that the damage reaches the checks behind the CRC (open's and `append`'s).
void reseal_index(std::string& payload) {
    const trailer_fields t = trailer_of(payload);
    const std::size_t trailer = payload.size() - stored_trailer_size;
    store_fixed32(payload, trailer + 32, crc32c(std::string_view(payload).substr(t.index, trailer - t.index)));
}

// `content` as a zstd frame of one raw (stored) block, with its content size and without a
// checksum (RFC 8878 §3.1): lets a test write block contents that the writer never would.
std::string raw_zstd_frame(std::string_view content) {
    REQUIRE(content.size() < 128 * 1024);
    std::string f;
    put_fixed32(f, 0xFD2FB528u);      // magic
    f += static_cast<char>(0xA0);     // 4-byte content size, single segment, no checksum, no dictionary
    put_fixed32(f, static_cast<std::uint32_t>(content.size()));
    const auto header = static_cast<std::uint32_t>(content.size() << 3 | 1);  // last block, raw
    for (int i = 0; i < 3; ++i) f += static_cast<char>((header >> (8 * i)) & 0xFF);
    f.append(content);
    return f;
}

// One passage record with `article_field` as its first varint (the article itself before version 6,
// the zigzag difference from the block's article_base from version 6 on).
std::string passage_bytes(std::uint64_t article_field, const passage_record& p) {
    std::string s;
    put_varint(s, article_field);
    put_varint(s, p.ordinal);
    put_varint(s, p.begin);
    put_varint(s, p.end);
    put_varint(s, p.text.size());
    s += p.text;
    return s;
}

std::string article_bytes(const article_record& a) {
    std::string s;
    put_varint(s, a.id.value.size());
    s += a.id.value;
    put_varint(s, a.title.size());
    s += a.title;
    return s;
}

// A block written by hand: its encoded records and (passage blocks from version 6 on) its base.
struct hand_block {
    std::vector<std::string> records;
    std::uint32_t article_base = 0;
};

// A payload assembled by hand from its blocks, in the layout of `version`: before 6, 16-byte passage
// index entries and a 32-byte trailer; from 6 on, 20-byte entries with article_base and a 36-byte
// trailer ending in the index CRC.
std::string hand_payload(const std::vector<hand_block>& passages, const std::vector<hand_block>& articles,
                         std::uint32_t version) {
    const bool relative = version >= stored_relative_articles_version;
    std::string out;
    std::string index;
    std::uint32_t counts[2] = {0, 0};
    std::uint64_t article_blocks = 0;
    for (int kind = 0; kind < 2; ++kind) {
        if (kind == 1) article_blocks = out.size();
        for (const auto& b : kind == 0 ? passages : articles) {
            std::string raw;
            for (const auto& r : b.records) raw += r;
            put_fixed32(index, counts[kind]);
            put_fixed32(index, static_cast<std::uint32_t>(raw.size()));
            put_fixed64(index, out.size());
            if (kind == 0 && relative) put_fixed32(index, b.article_base);
            out += raw_zstd_frame(raw);
            counts[kind] += static_cast<std::uint32_t>(b.records.size());
        }
    }
    const std::uint64_t index_offset = out.size();
    out += index;
    put_fixed64(out, article_blocks);
    put_fixed64(out, index_offset);
    put_fixed32(out, counts[0]);
    put_fixed32(out, static_cast<std::uint32_t>(passages.size()));
    put_fixed32(out, counts[1]);
    put_fixed32(out, static_cast<std::uint32_t>(articles.size()));
    if (relative) put_fixed32(out, crc32c(index));
    return out;
}

// Adds `part`'s records to `w` one at a time (each article, then its passages), numbered after the
// articles already in `expected`, and records them there.
void add_records(stored_fields_writer& w, collection& expected, const collection& part) {
    const auto offset = static_cast<std::uint32_t>(expected.articles.size());
    REQUIRE(w.article_count() == offset);
    std::size_t next = 0;
    for (std::size_t a = 0; a < part.articles.size(); ++a) {
        w.add_article(part.articles[a]);
        expected.articles.push_back(part.articles[a]);
        for (; next < part.passages.size() && part.passages[next].article == a; ++next) {
            passage_record p = part.passages[next];
            p.article += offset;
            w.add_passage(p);
            expected.passages.push_back(std::move(p));
        }
    }
    REQUIRE(next == part.passages.size());  // make_collection's passages follow their articles
}

// Appends the payload `bytes`, which holds `part`, to `w`, and records in `expected` what it adds:
// `part`'s passages, their articles shifted by the number of articles added before, and its articles.
void append_payload(stored_fields_writer& w, collection& expected, const std::string& bytes, const collection& part,
                    const std::function<void()>& closed = {}) {
    const std::size_t passages = w.passage_count();
    const std::size_t articles = w.article_count();
    REQUIRE(passages == expected.passages.size());
    REQUIRE(articles == expected.articles.size());
    {
        const stored_fields_reader source(bytes, "source");
        REQUIRE(source.relative_articles());
        w.append(source, closed);
    }  // the blocks were copied: the source may go
    CHECK(w.passage_count() == passages + part.passages.size());
    CHECK(w.article_count() == articles + part.articles.size());
    for (passage_record p : part.passages) {
        p.article += static_cast<std::uint32_t>(articles);
        expected.passages.push_back(std::move(p));
    }
    expected.articles.insert(expected.articles.end(), part.articles.begin(), part.articles.end());
}

collection articles_only(std::size_t n) {
    collection c;
    for (std::size_t a = 0; a < n; ++a) c.articles.push_back({{"only-" + std::to_string(a)}, "Only " + std::to_string(a)});
    return c;
}

bool has_large_passage(const collection& c) {
    return std::any_of(c.passages.begin(), c.passages.end(),
                       [](const passage_record& p) { return p.text.size() > stored_block_bytes; });
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("index: appended payloads read back as their sources, their articles renumbered") {
    const collection a1 = make_collection(40, 31);
    const collection b = make_collection(150, 32);  // a tenth of its passages over 100 KB: many blocks
    const collection a2 = make_collection(25, 33);
    const collection empty;
    const collection d = articles_only(3);
    const collection e = make_collection(7, 35);
    const std::string b_bytes = serialize(b);
    const std::string empty_bytes = serialize(empty);
    const std::string d_bytes = serialize(d);
    const std::string e_bytes = serialize(e);
    REQUIRE(has_large_passage(b));
    REQUIRE(trailer_of(b_bytes).passage_blocks >= 4);
    REQUIRE(trailer_of(b_bytes).article_block_count >= 1);
    REQUIRE(empty_bytes.size() == stored_trailer_size);

    SUBCASE("between records, and one after another") {
        stored_fields_writer w;
        collection expected;
        add_records(w, expected, a1);  // still pending in an open block when `append` comes
        append_payload(w, expected, b_bytes, b);
        add_records(w, expected, a2);
        // A passage after the append naming an article from before it: a negative difference.
        const passage_record back{0, 99, 1, 26, "back to the first article"};
        w.add_passage(back);
        expected.passages.push_back(back);
        append_payload(w, expected, empty_bytes, empty);
        append_payload(w, expected, d_bytes, d);
        append_payload(w, expected, e_bytes, e);
        append_payload(w, expected, b_bytes, b);  // the same payload again
        add_records(w, expected, e);
        CHECK(expected.passages.size() == a1.passages.size() + 2 * b.passages.size() + a2.passages.size() + 1 +
                                              2 * e.passages.size());
        CHECK(expected.articles.size() ==
              a1.articles.size() + 2 * b.articles.size() + a2.articles.size() + d.articles.size() + 2 * e.articles.size());
        std::string out;
        w.finish(out);
        CHECK(w.passage_count() == 0);
        CHECK(w.article_count() == 0);
        const stored_fields_reader r(out, "appended");
        CHECK(r.relative_articles());
        check_all(r, expected);
        // Copied as they are: the source's compressed blocks appear in the result byte for byte.
        CHECK(out.find(passage_area(b_bytes)) != std::string::npos);
        CHECK(out.find(article_area(b_bytes)) != std::string::npos);
        CHECK(out.find(passage_area(e_bytes)) != std::string::npos);
    }
    SUBCASE("into an empty writer: the source's own bytes") {
        for (const std::string* bytes : {&b_bytes, &empty_bytes, &d_bytes, &e_bytes}) {
            stored_fields_writer w;
            w.append(stored_fields_reader(*bytes, "source"));
            std::string out;
            w.finish(out);
            CHECK((out == *bytes));
        }
    }
    SUBCASE("an empty payload changes nothing") {
        stored_fields_writer w;
        stored_fields_writer plain;
        collection expected;
        collection unused;
        add_records(w, expected, e);
        add_records(plain, unused, e);
        w.append(stored_fields_reader(empty_bytes, "empty"));
        CHECK(w.passage_count() == e.passages.size());
        CHECK(w.article_count() == e.articles.size());
        std::string out;
        w.finish(out);
        check_all(stored_fields_reader(out, "after empty"), expected);
    }
}

TEST_CASE("index: appending while taking passage blocks makes the same payload") {
    const collection a = make_collection(30, 41);
    const collection b = make_collection(150, 42);
    const collection e = make_collection(60, 43);
    const std::string b_bytes = serialize(b);
    const std::uint32_t b_blocks = trailer_of(b_bytes).passage_blocks;
    REQUIRE(b_blocks >= 4);
    REQUIRE(has_large_passage(b));

    std::size_t calls = 0;
    std::size_t takes = 0;
    const auto build = [&](bool stream) {
        calls = 0;
        takes = 0;
        stored_fields_writer w;
        collection expected;
        std::string out;
        const auto take = [&] {
            if (stream && w.closed_passage_bytes() > 2048) {
                w.take_passage_blocks(out);
                CHECK(w.closed_passage_bytes() == 0);
                ++takes;
            }
        };
        const auto closed = [&] {
            ++calls;
            CHECK(w.closed_passage_bytes() > 0);  // a block was just copied and not yet taken
            take();
        };
        add_records(w, expected, a);
        take();
        append_payload(w, expected, b_bytes, b, closed);
        add_records(w, expected, e);
        take();
        append_payload(w, expected, b_bytes, b, closed);
        w.finish(out);
        check_all(stored_fields_reader(out, stream ? "streamed" : "whole"), expected);
        return out;
    };
    const std::string whole = build(false);
    CHECK(calls == 2 * b_blocks);  // once for each passage block copied
    CHECK(takes == 0);
    const std::string streamed = build(true);
    CHECK(calls == 2 * b_blocks);
    CHECK(takes > 2);
    CHECK((streamed == whole));
}

TEST_CASE("index: article numbers that descend within a passage block round-trip") {
    collection c = articles_only(10);
    std::uint32_t ordinal = 0;
    for (const std::uint32_t article : {5u, 2u, 7u, 0u, 9u, 9u, 3u, 5u, 1u, 0u}) {
        c.passages.push_back({article, ordinal++, article, article + 1, "passage of article " + std::to_string(article)});
    }
    const std::string bytes = serialize(c);
    const trailer_fields t = trailer_of(bytes);
    REQUIRE(t.passage_blocks == 1);
    // The writer takes a block's first passage's article as its base, so 2, 0, 3 and 1 are
    // stored as negative differences.
    CHECK(load_fixed32(bytes.data() + passage_entry_at(bytes, 0) + 16) == 5);
    check_all(stored_fields_reader(bytes, "descending"), c);

    SUBCASE("appended after other articles") {
        stored_fields_writer w;
        collection expected;
        add_records(w, expected, make_collection(12, 51));
        append_payload(w, expected, bytes, c);
        std::string out;
        w.finish(out);
        check_all(stored_fields_reader(out, "descending appended"), expected);
    }
    SUBCASE("across blocks, each with its own base") {
        collection big = articles_only(10);
        ordinal = 0;
        for (std::uint32_t i = 0; i < 4; ++i) {
            // A small passage opens each block (its base: 9, 8, 7, 6) and a large one, naming a
            // smaller article, closes it.
            big.passages.push_back({9 - i, ordinal++, 0, 0, std::string(20, static_cast<char>('a' + i))});
            big.passages.push_back({i, ordinal++, 0, 0, std::string(stored_block_bytes + 10, static_cast<char>('A' + i))});
        }
        const std::string big_bytes = serialize(big);
        REQUIRE(trailer_of(big_bytes).passage_blocks == 4);
        for (std::uint32_t i = 0; i < 4; ++i) {
            CAPTURE(i);
            CHECK(load_fixed32(big_bytes.data() + passage_entry_at(big_bytes, i) + 16) == 9 - i);
        }
        check_all(stored_fields_reader(big_bytes, "descending blocks"), big);
    }
}

TEST_CASE("index: a payload of version 5 reads with absolute article numbers and cannot be appended") {
    // Version 5: 16-byte passage entries, absolute article numbers, a 32-byte trailer. The same
    // records in the layout of version 6 serve as a control of the hand-made payload.
    collection c = articles_only(4);
    std::uint32_t ordinal = 0;
    for (const std::uint32_t article : {3u, 0u, 2u, 1u, 3u}) {
        c.passages.push_back({article, ordinal++, 10 * article, 10 * article + 4, "text" + std::to_string(article)});
    }
    const auto build = [&](std::uint32_t version) {
        const bool relative = version >= stored_relative_articles_version;
        std::vector<hand_block> passages = {{{}, c.passages[0].article}, {{}, c.passages[3].article}};
        for (std::size_t d = 0; d < c.passages.size(); ++d) {
            auto& block = passages[d < 3 ? 0 : 1];
            const std::int64_t delta = std::int64_t{c.passages[d].article} - std::int64_t{block.article_base};
            const std::uint64_t field = relative ? (delta >= 0 ? 2 * static_cast<std::uint64_t>(delta)
                                                               : 2 * static_cast<std::uint64_t>(-delta) - 1)
                                                 : c.passages[d].article;
            block.records.push_back(passage_bytes(field, c.passages[d]));
        }
        const std::vector<hand_block> articles = {{{article_bytes(c.articles[0]), article_bytes(c.articles[1])}},
                                                  {{article_bytes(c.articles[2]), article_bytes(c.articles[3])}}};
        return hand_payload(passages, articles, version);
    };
    const std::string v5 = build(5);
    const std::string v6 = build(6);
    CHECK(v5.size() + 4 * 2 + (stored_trailer_size - stored_trailer_size_v5) == v6.size());

    const stored_fields_reader control(v6, "v6");
    CHECK(control.relative_articles());
    check_all(control, c);

    const stored_fields_reader old(v5, "v5", 0, 5);
    CHECK_FALSE(old.relative_articles());
    check_all(old, c);
    // Each layout read as the other is damage, not another answer.
    CHECK_THROWS_AS(stored_fields_reader(v5, "v5 as 6"), corruption_error);
    CHECK_THROWS_AS(stored_fields_reader(v6, "v6 as 5", 0, 5), corruption_error);

    SUBCASE("append refuses it and leaves the writer as it was") {
        stored_fields_writer w;
        stored_fields_writer plain;
        collection expected;
        collection unused;
        add_records(w, expected, make_collection(9, 61));
        add_records(plain, unused, make_collection(9, 61));
        CHECK_THROWS_AS(w.append(old), rapport::invalid_argument);
        CHECK(w.passage_count() == expected.passages.size());
        CHECK(w.article_count() == expected.articles.size());
        CHECK(w.closed_passage_bytes() == plain.closed_passage_bytes());
        std::string out;
        std::string plain_out;
        w.finish(out);
        plain.finish(plain_out);
        CHECK((out == plain_out));
        check_all(stored_fields_reader(out, "after refusal"), expected);
    }
    SUBCASE("the stored fields of golden fixture v6 (segment format 5)") {
        const std::string file = read_file(RAPPORT_TEST_DATA_DIR "/../fixtures/v6/seg_0.stor");
        REQUIRE(file.size() > 28);
        REQUIRE(file.substr(0, 8) == "RPRTSTOR");
        REQUIRE(load_fixed32(file.data() + 8) == 5);
        // FORMAT.md §2: a 12-byte header before the payload and a 16-byte footer after it.
        const std::string payload = file.substr(12, file.size() - 28);
        const stored_fields_reader r(payload, "seg_0.stor", 12, 5);
        CHECK_FALSE(r.relative_articles());
        REQUIRE(r.passage_count() == 6);
        REQUIRE(r.article_count() == 5);
        const char* const ids[] = {"lighthouse", "orchard", "volcano", "glacier", "atlas"};
        for (std::uint32_t a = 0; a < 5; ++a) {
            CAPTURE(a);
            CHECK(r.article(a).id.value == ids[a]);
        }
        const std::uint32_t articles[] = {0, 1, 2, 3, 4, 4};  // the atlas has two passages
        for (docid_t d = 0; d < 6; ++d) {
            CAPTURE(d);
            const auto p = r.passage(d);
            CHECK(p.article == articles[d]);
            CHECK_FALSE(p.text.empty());
        }
        CHECK(r.passage(5).ordinal == 1);
        stored_fields_writer w;
        CHECK_THROWS_AS(w.append(r), rapport::invalid_argument);
        CHECK(w.passage_count() == 0);
        CHECK(w.article_count() == 0);
        CHECK_THROWS_AS(stored_fields_reader(payload, "seg_0.stor as 6"), corruption_error);
    }
}

TEST_CASE("index: every flip of the block indexes or their checksum is detected at open") {
    const collection c = make_collection(200, 71);
    const std::string good = serialize(c);
    const trailer_fields t = trailer_of(good);
    REQUIRE(t.passage_blocks >= 3);
    REQUIRE(t.article_block_count >= 1);
    const std::size_t trailer = good.size() - stored_trailer_size;
    REQUIRE(trailer - t.index ==
            stored_passage_entry_size * t.passage_blocks + stored_index_entry_size * t.article_block_count);
    std::vector<std::size_t> positions;
    for (std::size_t at = t.index; at < trailer; ++at) positions.push_back(at);
    for (std::size_t at = trailer + 32; at < good.size(); ++at) positions.push_back(at);
    std::size_t flips = 0;
    for (const std::size_t at : positions) {
        for (const unsigned mask : {0x01u, 0x10u, 0x80u, 0xFFu}) {
            std::string bad = good;
            bad[at] = static_cast<char>(static_cast<unsigned char>(bad[at]) ^ mask);
            CAPTURE(at);
            CAPTURE(mask);
            CHECK_THROWS_AS(stored_fields_reader(bad, "flipped"), corruption_error);
            ++flips;
        }
    }
    CHECK(flips == 4 * (trailer - t.index + 4));
    // And the good payload still appends.
    stored_fields_writer w;
    w.append(stored_fields_reader(good, "good"));
    std::string out;
    w.finish(out);
    check_all(stored_fields_reader(out, "good copy"), c);
}

TEST_CASE("index: append refuses a source whose index entries are damaged behind a valid checksum") {
    collection c = make_collection(200, 81);
    for (int a = 0; a < 3000; ++a) c.articles.push_back({{"more-" + std::to_string(a)}, "A title of some length"});
    const std::string good = serialize(c);
    const trailer_fields t = trailer_of(good);
    REQUIRE(t.passage_blocks >= 3);
    REQUIRE(t.article_block_count >= 3);
    const std::size_t p1 = passage_entry_at(good, 1);
    const std::size_t p2 = passage_entry_at(good, 2);
    const std::size_t a1 = article_entry_at(good, 1);
    const std::size_t a2 = article_entry_at(good, 2);
    // Damage to middle entries, which the reader checks when it reads their blocks (or when
    // `append` checks them all), not at open.
    struct damage {
        const char* what;
        std::function<void(std::string&)> apply;
    };
    const std::vector<damage> damages = {
        {"passage first 0", [&](std::string& s) { store_fixed32(s, p1, 0); }},
        {"passage first after the next's", [&](std::string& s) { store_fixed32(s, p1, load_fixed32(s.data() + p2) + 1); }},
        {"passage offset past the next's", [&](std::string& s) { store_fixed64(s, p1 + 8, load_fixed64(s.data() + p2 + 8) + 1); }},
        {"passage offset in the article area", [&](std::string& s) { store_fixed64(s, p1 + 8, t.article_blocks); }},
        {"passage article_base out of range", [&](std::string& s) { store_fixed32(s, p1 + 16, t.article_count); }},
        {"last passage article_base out of range",
         [&](std::string& s) { store_fixed32(s, passage_entry_at(s, t.passage_blocks - 1) + 16, 0xFFFFFFFFu); }},
        {"article first equal to the next's", [&](std::string& s) { store_fixed32(s, a1, load_fixed32(s.data() + a2)); }},
        {"article offset before the article area", [&](std::string& s) { store_fixed64(s, a1 + 8, t.article_blocks - 1); }},
    };
    for (const auto& dmg : damages) {
        const std::string what = dmg.what;
        CAPTURE(what);
        std::string bad = good;
        dmg.apply(bad);
        REQUIRE(bad != good);
        reseal_index(bad);
        std::optional<stored_fields_reader> source;
        REQUIRE_NOTHROW(source.emplace(bad, "damaged source"));

        const collection own = make_collection(9, 82);
        stored_fields_writer w;
        collection expected;
        add_records(w, expected, own);
        try {
            w.append(*source);
            FAIL("append accepted a damaged index entry");
        } catch (const corruption_error& e) {
            CHECK(e.path() == "damaged source");
        }
        CHECK(w.passage_count() == own.passages.size());
        CHECK(w.article_count() == own.articles.size());
        // The writer goes on with the same records as if `append` had not been called.
        add_records(w, expected, own);
        append_payload(w, expected, good, c);
        std::string out;
        w.finish(out);
        check_all(stored_fields_reader(out, "after a refused append"), expected);
    }
}

TEST_CASE("index: an append refused for a damaged source leaves the writer's blocks as they were") {
    // `append` checks every index entry of its source before it changes anything: a writer whose
    // append was refused writes the very bytes of one that never tried.
    const collection c = make_collection(60, 91);
    std::string bad = serialize(c);
    REQUIRE(trailer_of(bad).passage_blocks >= 3);
    store_fixed32(bad, passage_entry_at(bad, 1), 0);  // a middle entry out of order
    reseal_index(bad);
    const stored_fields_reader source(bad, "damaged source");

    collection own = make_collection(9, 92);
    for (auto& p : own.passages) p.text.resize(std::min<std::size_t>(p.text.size(), 100));  // all pending
    stored_fields_writer w;
    stored_fields_writer plain;
    collection expected;
    collection unused;
    add_records(w, expected, own);
    add_records(plain, unused, own);
    REQUIRE(plain.closed_passage_bytes() == 0);
    CHECK_THROWS_AS(w.append(source), corruption_error);
    CHECK(w.closed_passage_bytes() == plain.closed_passage_bytes());
    add_records(w, expected, own);
    add_records(plain, unused, own);
    std::string out;
    std::string plain_out;
    w.finish(out);
    plain.finish(plain_out);
    CHECK((out == plain_out));
    check_all(stored_fields_reader(out, "after a refused append"), expected);
}

TEST_CASE("index: a damaged article difference never wraps into range") {
    // Hand-made blocks without zstd checksums, so that the damage reaches the record decoder: the
    // zigzag differences 2^64 - 2 and 2^64 - 1 decode to 2^63 - 1 and -2^63, far out of range
    // whatever the block's base.
    const collection c = articles_only(2);
    const passage_record p{0, 0, 0, 1, "x"};
    const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    const std::vector<hand_block> passages = {{{passage_bytes(1, p)}, 1},        // 1 + (-1) = article 0
                                              {{passage_bytes(max - 1, p)}, 1},  // 1 + 2^63 - 1
                                              {{passage_bytes(max, p)}, 1},      // 1 - 2^63
                                              {{passage_bytes(3, p)}, 0},        // 0 - 2
                                              {{passage_bytes(2, p)}, 1}};       // 1 + 1: the count
    const std::vector<hand_block> articles = {{{article_bytes(c.articles[0]), article_bytes(c.articles[1])}}};
    const std::string bytes = hand_payload(passages, articles, 6);
    const stored_fields_reader r(bytes, "wrap");
    REQUIRE(r.passage_count() == 5);
    CHECK(r.passage(0).article == 0);
    CHECK(r.passage(0).text == "x");
    for (docid_t d = 1; d < 5; ++d) {
        CAPTURE(d);
        CHECK_THROWS_AS((void)r.passage(d), corruption_error);
    }
    // Copied into a writer with articles of its own, the blocks fail the same way, except the one
    // whose article was below 0: shifted by the writer's articles, it may now name one of them.
    stored_fields_writer w;
    for (int a = 0; a < 3; ++a) w.add_article({{"own-" + std::to_string(a)}, ""});
    w.append(r);
    std::string out;
    w.finish(out);
    const stored_fields_reader copy(out, "wrap copy");
    REQUIRE(copy.passage_count() == 5);
    CHECK(copy.passage(0).article == 3);
    for (const docid_t d : {1u, 2u, 4u}) {
        CAPTURE(d);
        CHECK_THROWS_AS((void)copy.passage(d), corruption_error);
    }
}
