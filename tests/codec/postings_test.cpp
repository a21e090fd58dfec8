// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/codec/postings_cursor.hpp"
#include "codec/postings_writer.hpp"
#include "rapport/core/error.hpp"
#include "rapport/search/cursor.hpp"
#include "support/hand_index.hpp"
#include "support/seed.hpp"

using namespace rapport;
using codec::block_postings_cursor;
using codec::term_info;

static_assert(search::PostingCursor<block_postings_cursor>);

namespace {

/// A term's postings as parallel arrays, the reference the codec must reproduce.
struct reference {
    std::vector<docid_t> docids;
    std::vector<std::uint32_t> freqs;
    std::vector<std::uint32_t> offsets;  // positions of posting i: [offsets[i], offsets[i+1])
    std::vector<std::uint32_t> positions;
    std::vector<std::uint32_t> lengths;  // by docid; empty when docids are too large to hold lengths

    [[nodiscard]] std::vector<std::uint32_t> positions_of(std::size_t i) const {
        if (offsets.empty()) return {};
        return {positions.begin() + offsets[i], positions.begin() + offsets[i + 1]};
    }
};

struct gen_options {
    bool huge_gaps = false;      // gaps up to 2^31 (then no lengths array)
    bool large_freqs = false;    // some frequencies in the thousands or millions
    bool with_positions = true;  // positions for every posting (count = freq)
    bool sparse_positions = false;  // some postings have fewer positions than their freq
};

/// Random postings: docid 0 present half of the time, runs of gap 1, geometric gaps, huge gaps.
reference make_reference(std::mt19937_64& rng, std::size_t df, const gen_options& o) {
    reference r;
    std::uint64_t cur = rng() % 2 == 0 ? 0 : rng() % 50;
    constexpr std::uint64_t last_valid = end_docid - 1;
    for (std::size_t i = 0; i < df; ++i) {
        if (i > 0) {
            const std::uint64_t left = df - i;  // postings still to place, this one included
            const std::uint64_t room = last_valid - cur - (left - 1);
            std::uint64_t gap = 1;
            const auto dice = rng() % 100;
            if (dice < 35) {
                gap = 1;
            } else if (dice < 80) {
                std::geometric_distribution<int> g(0.1);
                gap = 1 + static_cast<std::uint64_t>(g(rng));
            } else if (dice < 97 || !o.huge_gaps) {
                gap = 1 + rng() % 2000;
            } else {
                gap = 1 + rng() % (std::uint64_t{1} << 31);
            }
            cur += std::min(gap, room);
        }
        r.docids.push_back(static_cast<docid_t>(cur));
    }
    for (std::size_t i = 0; i < df; ++i) {
        std::uint32_t f = 1;
        const auto dice = rng() % 100;
        if (dice < 50) {
            f = 1;
        } else if (dice < 95) {
            f = 1 + static_cast<std::uint32_t>(rng() % 8);
        } else if (o.large_freqs) {
            f = 1 + static_cast<std::uint32_t>(rng() % (dice == 99 ? 5'000'000 : 3000));
        } else {
            f = 1 + static_cast<std::uint32_t>(rng() % 40);
        }
        r.freqs.push_back(f);
    }
    if (!o.huge_gaps) {
        r.lengths.resize(r.docids.empty() ? 1 : r.docids.back() + 1 + rng() % 3);
        for (auto& l : r.lengths) l = static_cast<std::uint32_t>(1 + rng() % 500);
    }
    if (o.with_positions || o.sparse_positions) {
        r.offsets.push_back(0);
        for (std::size_t i = 0; i < df; ++i) {
            std::uint32_t count = r.freqs[i];
            if (o.sparse_positions && rng() % 3 == 0) count = static_cast<std::uint32_t>(rng() % (count + 1));
            // Positions with large freqs would make the test slow; cap how many we store when big.
            if (count > 20000) count = 20000;
            std::uint32_t p = static_cast<std::uint32_t>(rng() % 3 == 0 ? 0 : rng() % 1000);
            for (std::uint32_t k = 0; k < count; ++k) {
                r.positions.push_back(p);
                p += static_cast<std::uint32_t>(rng() % 4 == 0 ? 1 + rng() % 100000 : 1 + rng() % 5);
            }
            r.offsets.push_back(static_cast<std::uint32_t>(r.positions.size()));
        }
    }
    return r;
}

term_info encode(const reference& r, std::string& post, std::string& pos) {
    return codec::write_postings(r.docids, r.freqs, r.offsets, r.positions, r.lengths, post, pos);
}

std::vector<std::uint32_t> to_vector(std::span<const std::uint32_t> s) { return {s.begin(), s.end()}; }

/// Brute-force block metadata of block k.
struct block_meta {
    docid_t last;
    std::uint32_t max_tf;
    std::uint32_t min_length;
};
block_meta brute_block(const reference& r, std::size_t k) {
    const std::size_t lo = k * 128;
    const std::size_t hi = std::min(r.docids.size(), lo + 128);
    block_meta m{r.docids[hi - 1], 0, 0xFFFFFFFFu};
    for (std::size_t i = lo; i < hi; ++i) {
        m.max_tf = std::max(m.max_tf, r.freqs[i]);
        m.min_length = std::min(m.min_length, r.lengths.empty() ? 0u : r.lengths[r.docids[i]]);
    }
    return m;
}

/// Walks the whole list with next() and checks every docid, freq, positions and block bound.
void check_full_scan(const reference& r, std::string_view post, std::string_view pos, const term_info& info,
                     bool every_position = true) {
    block_postings_cursor c(post, pos, info);
    REQUIRE_FALSE(c.corrupt());
    CHECK(c.size() == r.docids.size());
    CHECK(c.block_count() == (r.docids.size() + 127) / 128);
    for (std::size_t i = 0; i < r.docids.size(); ++i) {
        REQUIRE(c.docid() == r.docids[i]);
        REQUIRE(c.freq() == r.freqs[i]);
        if (every_position || i % 7 == 0) {
            REQUIRE(to_vector(c.positions()) == r.positions_of(i));
            REQUIRE(to_vector(c.positions()) == r.positions_of(i));  // asking twice is harmless
        }
        const auto m = brute_block(r, i / 128);
        REQUIRE(c.block_last_docid() == m.last);
        REQUIRE(c.block_max_tf() == m.max_tf);
        REQUIRE(c.block_min_length() == m.min_length);
        c.next();
    }
    CHECK(c.docid() == end_docid);
    CHECK_FALSE(c.corrupt());
    CHECK(c.positions().empty());
    c.next();  // an exhausted cursor stays exhausted
    CHECK(c.docid() == end_docid);
    c.seek(5);
    CHECK(c.docid() == end_docid);
}

void check_term_info(const reference& r, const term_info& info) {
    CHECK(info.df == r.docids.size());
    std::uint64_t total = 0;
    std::uint32_t max_tf = 0;
    std::uint32_t min_length = r.docids.empty() ? 0 : 0xFFFFFFFFu;
    for (std::size_t i = 0; i < r.docids.size(); ++i) {
        total += r.freqs[i];
        max_tf = std::max(max_tf, r.freqs[i]);
        min_length = std::min(min_length, r.lengths.empty() ? 0u : r.lengths[r.docids[i]]);
    }
    CHECK(info.total_tf == total);
    CHECK(info.max_tf == max_tf);
    CHECK(info.min_length == min_length);
}

}  // namespace

TEST_CASE("codec: postings round-trip at block edges and random sizes") {
    std::mt19937_64 rng(rapport::test::seed(2024));
    std::vector<std::size_t> sizes = {1, 2, 127, 128, 129, 255, 256, 257, 383, 384, 385, 1000};
    for (int i = 0; i < 6; ++i) sizes.push_back(1 + rng() % 3000);
    auto each_size = [&](const gen_options& o, bool every_position, auto&& extra) {
        for (const auto df : sizes) {
            CAPTURE(df);
            const auto r = make_reference(rng, df, o);
            std::string post, pos;
            const auto info = encode(r, post, pos);
            check_term_info(r, info);
            CHECK(info.postings_offset == 0);
            CHECK(info.positions_offset == 0);
            CHECK(info.postings_length == post.size());
            CHECK(info.positions_length == pos.size());
            extra(info);
            check_full_scan(r, post, pos, info, every_position);
        }
    };
    const auto nothing = [](const term_info&) {};
    SUBCASE("small gaps, small freqs, positions") { each_size({}, true, nothing); }
    SUBCASE("huge gaps and large freqs, no lengths") {
        each_size({.huge_gaps = true, .large_freqs = true}, false, nothing);
    }
    SUBCASE("no positions at all") {
        each_size({.with_positions = false}, true, [](const term_info& info) { CHECK(info.positions_length == 0); });
    }
    SUBCASE("some postings with fewer positions than their frequency") {
        each_size({.with_positions = false, .sparse_positions = true}, true, nothing);
    }
}

TEST_CASE("codec: docid 0, consecutive docids and the largest docid round-trip") {
    const std::uint32_t big = end_docid - 1;
    for (std::size_t df : {std::size_t{1}, std::size_t{128}, std::size_t{129}, std::size_t{300}}) {
        CAPTURE(df);
        reference r;
        for (std::size_t i = 0; i < df; ++i) r.docids.push_back(static_cast<docid_t>(i));  // 0, 1, 2, …
        r.freqs.assign(df, 1);
        r.lengths.assign(df, 3);
        std::string post, pos;
        auto info = encode(r, post, pos);
        check_full_scan(r, post, pos, info);

        // The same count ending at the largest valid docid, with gaps of 1 up to it.
        reference top;
        for (std::size_t i = 0; i < df; ++i) top.docids.push_back(static_cast<docid_t>(big - (df - 1) + i));
        top.freqs.assign(df, 0xFFFFFFFFu);  // the largest frequency too
        std::string post2, pos2;
        info = encode(top, post2, pos2);
        CHECK(info.max_tf == 0xFFFFFFFFu);
        CHECK(info.min_length == 0);
        check_full_scan(top, post2, pos2, info);
    }
    SUBCASE("two postings 0 and 2^32 - 2") {
        reference r{{0, big}, {1, 2}, {}, {}, {}};
        std::string post, pos;
        const auto info = encode(r, post, pos);
        check_full_scan(r, post, pos, info);
    }
}

TEST_CASE("codec: seek matches lower_bound on a reference") {
    std::mt19937_64 rng(rapport::test::seed(99));
    struct term {
        reference r;
        std::string post, pos;
        term_info info;
    };
    std::vector<term> terms;
    for (const std::size_t df : {std::size_t{1}, std::size_t{127}, std::size_t{128}, std::size_t{129},
                                 std::size_t{1000}, std::size_t{5000}, std::size_t{40000}}) {
        term t;
        t.r = make_reference(rng, df, {.huge_gaps = df == 5000});
        t.info = encode(t.r, t.post, t.pos);
        terms.push_back(std::move(t));
    }

    SUBCASE("random monotone targets with interleaved next()") {
        for (const auto& [r, post, pos, info] : terms) {
            const std::size_t df = r.docids.size();
            CAPTURE(df);
            const docid_t last = r.docids.back();
            for (int rep = 0; rep < 20; ++rep) {
                block_postings_cursor c(post, pos, info);
                std::size_t i = 0;  // reference position
                docid_t target = 0;
                while (i < df) {
                    const auto dice = rng() % 10;
                    if (dice < 2) {
                        c.next();
                        ++i;
                    } else {
                        if (dice < 4) {
                            target = c.docid();  // seek to current: stays
                        } else if (dice < 5) {
                            target = c.docid() > 10 ? c.docid() - static_cast<docid_t>(rng() % 10) : 0;  // backwards
                        } else {
                            const std::uint64_t span = dice < 8 ? 300 : std::uint64_t{last} - c.docid() + 2;
                            target = static_cast<docid_t>(std::min<std::uint64_t>(
                                std::uint64_t{c.docid()} + rng() % span, end_docid - 1));
                        }
                        c.seek(target);
                        i = static_cast<std::size_t>(std::lower_bound(r.docids.begin() + static_cast<std::ptrdiff_t>(i),
                                                                      r.docids.end(), target) -
                                                     r.docids.begin());
                    }
                    if (i >= df) break;
                    REQUIRE(c.docid() == r.docids[i]);
                    REQUIRE(c.freq() == r.freqs[i]);
                    if (rng() % 4 == 0) REQUIRE(to_vector(c.positions()) == r.positions_of(i));
                    const auto m = brute_block(r, i / 128);
                    REQUIRE(c.block_last_docid() == m.last);
                    REQUIRE(c.block_max_tf() == m.max_tf);
                    REQUIRE(c.block_min_length() == m.min_length);
                }
                CHECK(c.docid() == end_docid);
            }
        }
    }
    SUBCASE("every target seeks from a fresh cursor") {
        for (const auto& [r_, post, pos, info] : terms) {
            const auto& r = r_;  // CAPTURE's lambda cannot capture a binding (clang 14)
            CAPTURE(r.docids.size());
            const docid_t last = r.docids.back();
            for (int rep = 0; rep < 300; ++rep) {
                const auto target = static_cast<docid_t>(rng() % (std::uint64_t{last} + 2));
                block_postings_cursor c(post, pos, info);
                c.seek(target);
                const auto it = std::lower_bound(r.docids.begin(), r.docids.end(), target);
                if (it == r.docids.end()) {
                    CHECK(c.docid() == end_docid);
                } else {
                    const auto i = static_cast<std::size_t>(it - r.docids.begin());
                    REQUIRE(c.docid() == *it);
                    REQUIRE(c.freq() == r.freqs[i]);
                    REQUIRE(to_vector(c.positions()) == r.positions_of(i));
                }
            }
        }
    }
    SUBCASE("targets beyond the end exhaust the cursor") {
        for (const auto& [r, post, pos, info] : terms) {
            const docid_t last = r.docids.back();
            block_postings_cursor c(post, pos, info);
            c.seek(last);
            CHECK(c.docid() == last);
            if (last < end_docid - 1) {
                c.seek(last + 1);
                CHECK(c.docid() == end_docid);
            }
            block_postings_cursor d(post, pos, info);
            d.seek(end_docid);
            CHECK(d.docid() == end_docid);
            CHECK_FALSE(d.corrupt());
        }
    }
}

TEST_CASE("codec: shallow_seek moves block metadata without moving the docid") {
    std::mt19937_64 rng(rapport::test::seed(5));
    const auto r = make_reference(rng, 3000, {});
    std::string post, pos;
    const auto info = encode(r, post, pos);
    const std::size_t blocks = (r.docids.size() + 127) / 128;
    auto block_of = [&](docid_t target) {  // first block whose last docid ≥ target
        for (std::size_t k = 0; k < blocks; ++k)
            if (brute_block(r, k).last >= target) return k;
        return blocks;
    };

    SUBCASE("monotone shallow targets, then a real seek lands in the same block") {
        for (int rep = 0; rep < 200; ++rep) {
            block_postings_cursor c(post, pos, info);
            const auto first = c.docid();
            const auto target = static_cast<docid_t>(rng() % (r.docids.back() + 10));
            c.shallow_seek(target);
            CHECK(c.docid() == first);
            const auto k = block_of(target);
            if (k == blocks) {
                CHECK(c.block_last_docid() == end_docid);
                CHECK(c.block_max_tf() == 0);
            } else {
                const auto m = brute_block(r, k);
                CHECK(c.block_last_docid() == m.last);
                CHECK(c.block_max_tf() == m.max_tf);
                CHECK(c.block_min_length() == m.min_length);
                c.seek(target);
                CHECK(c.docid() == *std::lower_bound(r.docids.begin(), r.docids.end(), target));
                CHECK(c.block_last_docid() == m.last);
            }
        }
    }
    SUBCASE("shallow_seek never goes backwards, next() keeps the further block") {
        block_postings_cursor c(post, pos, info);
        c.shallow_seek(r.docids[1000]);
        const auto m = brute_block(r, 1000 / 128);
        CHECK(c.block_last_docid() == m.last);
        c.shallow_seek(r.docids[10]);
        CHECK(c.block_last_docid() == m.last);
        c.next();
        CHECK(c.docid() == r.docids[1]);
        CHECK(c.block_last_docid() == m.last);
        c.seek(r.docids[1200]);
        CHECK(c.block_last_docid() == brute_block(r, 1200 / 128).last);
    }
    SUBCASE("single-block term: bounds are the term's") {
        const auto small = make_reference(rng, 50, {});
        std::string p2, q2;
        const auto i2 = encode(small, p2, q2);
        block_postings_cursor c(p2, q2, i2);
        CHECK(c.block_last_docid() == small.docids.back());
        CHECK(c.block_max_tf() == i2.max_tf);
        CHECK(c.block_min_length() == i2.min_length);
        CHECK(c.term_max_tf() == i2.max_tf);
        CHECK(c.term_min_length() == i2.min_length);
        c.shallow_seek(small.docids.back() + 1);
        CHECK(c.block_last_docid() == end_docid);
        CHECK(c.docid() == small.docids[0]);
    }
}

TEST_CASE("codec: a zero-posting encode appends nothing and reads back exhausted") {
    std::string post = "xyz", pos = "ab";
    const auto info = codec::write_postings({}, {}, {}, {}, {}, post, pos);
    CHECK(info.df == 0);
    CHECK(info.total_tf == 0);
    CHECK(info.postings_offset == 3);
    CHECK(info.postings_length == 0);
    CHECK(info.positions_offset == 2);
    CHECK(info.positions_length == 0);
    CHECK(post == "xyz");
    CHECK(pos == "ab");
    block_postings_cursor c(post, pos, info);
    CHECK(c.docid() == end_docid);
    CHECK_FALSE(c.corrupt());
    CHECK(c.size() == 0);
    CHECK(c.positions().empty());
    c.seek(3);
    CHECK(c.docid() == end_docid);
    block_postings_cursor d;
    CHECK(d.docid() == end_docid);
    CHECK_FALSE(d.corrupt());
}

TEST_CASE("codec: many terms share the same buffers and read back through their term_info") {
    std::mt19937_64 rng(rapport::test::seed(77));
    std::vector<reference> refs;
    std::vector<term_info> infos;
    std::string post, pos;
    for (int t = 0; t < 120; ++t) {
        const std::size_t df = t % 10 == 0 ? 0 : (t % 3 == 0 ? 1 + rng() % 1500 : 1 + rng() % 140);
        refs.push_back(make_reference(rng, df, {.large_freqs = t % 5 == 0, .sparse_positions = t % 4 == 0}));
        const auto before_post = post.size();
        const auto before_pos = pos.size();
        infos.push_back(encode(refs.back(), post, pos));
        CHECK(infos.back().postings_offset == before_post);
        CHECK(infos.back().positions_offset == before_pos);
        CHECK(post.size() == before_post + infos.back().postings_length);
        CHECK(pos.size() == before_pos + infos.back().positions_length);
    }
    for (std::size_t t = 0; t < refs.size(); ++t) {
        CAPTURE(t);
        check_term_info(refs[t], infos[t]);
        if (refs[t].docids.empty()) {
            CHECK(block_postings_cursor(post, pos, infos[t]).docid() == end_docid);
        } else {
            check_full_scan(refs[t], post, pos, infos[t]);
        }
    }
    SUBCASE("cursors on different terms interleave, and copies are independent") {
        std::vector<block_postings_cursor> cursors;
        for (const auto& info : infos) cursors.emplace_back(post, pos, info);
        std::vector<std::size_t> at(refs.size(), 0);
        bool any = true;
        while (any) {
            any = false;
            for (std::size_t t = 0; t < refs.size(); ++t) {
                if (at[t] >= refs[t].docids.size()) continue;
                any = true;
                REQUIRE(cursors[t].docid() == refs[t].docids[at[t]]);
                REQUIRE(to_vector(cursors[t].positions()) == refs[t].positions_of(at[t]));
                auto copy = cursors[t];
                REQUIRE(to_vector(copy.positions()) == refs[t].positions_of(at[t]));
                auto moved = std::move(copy);
                REQUIRE(to_vector(moved.positions()) == refs[t].positions_of(at[t]));
                copy = moved;  // assigning to a moved-from cursor revives it
                REQUIRE(to_vector(copy.positions()) == refs[t].positions_of(at[t]));
                copy.next();
                cursors[t].next();
                ++at[t];
                REQUIRE(copy.docid() == cursors[t].docid());
            }
        }
    }
}

TEST_CASE("codec: write_postings encodes index::postings_list from a segment") {
    const auto seg = test::hand_segment({"a b a", "b c", "a c c c", "", "c a x y z a a"});
    std::string post, pos;
    for (termid_t t = 0; t < seg.term_count(); ++t) {
        const auto info = codec::write_postings(seg.postings(t).docids, seg.postings(t).freqs, seg.postings(t).position_offsets, seg.postings(t).positions, seg.lengths(), post, pos);
        block_postings_cursor c(post, pos, info);
        auto ref = index::postings_cursor(seg.postings(t));
        CHECK(info.df == ref.size());
        while (ref.docid() != end_docid) {
            CHECK(c.docid() == ref.docid());
            CHECK(c.freq() == ref.freq());
            CHECK(to_vector(c.positions()) == to_vector(ref.positions()));
            ref.next();
            c.next();
        }
        CHECK(c.docid() == end_docid);
    }
}

TEST_CASE("codec: write_postings rejects malformed input and leaves the buffers untouched") {
    std::string post = "p", pos = "q";
    const std::vector<std::uint32_t> lengths(10, 4);
    const std::vector<docid_t> d = {1, 3, 5};
    const std::vector<std::uint32_t> f = {1, 2, 1};
    const std::vector<std::uint32_t> off = {0, 1, 3, 4};
    const std::vector<std::uint32_t> p = {0, 2, 7, 1};
    CHECK_NOTHROW((void)codec::write_postings(d, f, off, p, lengths, post, pos));
    post = "p";
    pos = "q";
    const std::vector<docid_t> unsorted = {1, 5, 3};
    const std::vector<docid_t> dup = {1, 3, 3};
    const std::vector<docid_t> too_big = {1, 3, 10};
    const std::vector<docid_t> end = {1, 3, end_docid};
    const std::vector<std::uint32_t> zero_freq = {1, 0, 1};
    const std::vector<std::uint32_t> desc_positions = {0, 7, 2, 1};
    const std::vector<std::uint32_t> short_offsets = {0, 1, 3};
    CHECK_THROWS_AS((void)codec::write_postings(unsorted, f, off, p, lengths, post, pos), invalid_argument);
    CHECK_THROWS_AS((void)codec::write_postings(dup, f, off, p, lengths, post, pos), invalid_argument);
    CHECK_THROWS_AS((void)codec::write_postings(too_big, f, off, p, lengths, post, pos), invalid_argument);
    CHECK_THROWS_AS((void)codec::write_postings(end, f, off, p, {}, post, pos), invalid_argument);
    CHECK_THROWS_AS((void)codec::write_postings(d, zero_freq, off, p, lengths, post, pos), invalid_argument);
    CHECK_THROWS_AS((void)codec::write_postings(d, f, off, desc_positions, lengths, post, pos), invalid_argument);
    CHECK_THROWS_AS((void)codec::write_postings(d, f, short_offsets, p, lengths, post, pos), invalid_argument);
    CHECK_THROWS_AS((void)codec::write_postings(d, {f.data(), 2}, off, p, lengths, post, pos), invalid_argument);
    CHECK(post == "p");
    CHECK(pos == "q");
}

namespace {

/// A payload in an exact-size heap allocation, so that AddressSanitizer flags any read past it
/// (a std::string's spare capacity would hide such reads).
struct exact_buffer {
    std::unique_ptr<char[]> bytes;
    std::size_t size = 0;
    explicit exact_buffer(std::string_view s) : bytes(new char[s.size() == 0 ? 1 : s.size()]), size(s.size()) {
        std::copy(s.begin(), s.end(), bytes.get());
    }
    [[nodiscard]] std::string_view view() const { return {bytes.get(), size}; }
};

/// Drives a cursor through random operations; checks that it terminates, that docids strictly
/// ascend, and that the results are in range. Returns whether the cursor reported corruption.
bool exercise(std::mt19937_64& rng, std::string_view post, std::string_view pos, const term_info& info) {
    block_postings_cursor c(post, pos, info);
    docid_t prev = 0;
    bool first = true;
    // Each step consumes at least one posting or exhausts the cursor.
    const std::uint64_t max_steps = std::uint64_t{info.df} + 10;
    std::uint64_t steps = 0;
    std::uint64_t sink = 0;
    while (c.docid() != end_docid) {
        REQUIRE(steps++ <= max_steps);
        const docid_t d = c.docid();
        if (!first) REQUIRE(d > prev);
        first = false;
        prev = d;
        sink += c.freq();
        if (rng() % 2 == 0)
            for (auto p : c.positions()) sink += p;
        sink += c.block_max_tf() + c.block_min_length() + c.block_last_docid();
        const auto dice = rng() % 8;
        if (dice < 5) {
            c.next();
        } else if (dice < 6) {
            c.shallow_seek(d + static_cast<docid_t>(rng() % 100000));
            c.next();
        } else {
            const auto target = static_cast<std::uint64_t>(d) + 1 + rng() % 5000;
            c.seek(static_cast<docid_t>(std::min<std::uint64_t>(target, end_docid)));
        }
    }
    (void)sink;
    return c.corrupt();
}

}  // namespace

TEST_CASE("codec: garbage bytes never make the cursor read outside its views") {
    std::mt19937_64 rng(rapport::test::seed(1234));
    std::vector<reference> refs;
    std::vector<term_info> infos;
    std::string post, pos;
    for (const std::size_t df : {std::size_t{1}, std::size_t{5}, std::size_t{127}, std::size_t{128},
                                 std::size_t{129}, std::size_t{300}, std::size_t{700}, std::size_t{2000}}) {
        refs.push_back(make_reference(rng, df, {.sparse_positions = df == 300}));
        infos.push_back(encode(refs.back(), post, pos));
    }
    SUBCASE("intact data is never reported corrupt") {
        const exact_buffer p(post), q(pos);
        for (const auto& info : infos) CHECK_FALSE(exercise(rng, p.view(), q.view(), info));
    }
    SUBCASE("flipped bytes and bits") {
        int corrupt = 0;
        for (int rep = 0; rep < 400; ++rep) {
            std::string bad_post = post, bad_pos = pos;
            const int flips = 1 + static_cast<int>(rng() % 8);
            for (int k = 0; k < flips; ++k) {
                std::string& target = rng() % 3 == 0 ? bad_pos : bad_post;
                if (target.empty()) continue;
                auto& byte = target[rng() % target.size()];
                byte = rng() % 2 ? static_cast<char>(rng()) : static_cast<char>(byte ^ (1 << (rng() % 8)));
            }
            const exact_buffer p(bad_post), q(bad_pos);
            for (const auto& info : infos) corrupt += exercise(rng, p.view(), q.view(), info) ? 1 : 0;
        }
        CHECK(corrupt > 0);  // some damage must be detected (not all: a flipped gap bit is legal data)
    }
    SUBCASE("each term alone, truncated, in an exact buffer") {
        for (const auto& info : infos) {
            const std::string_view term_post = std::string_view(post).substr(info.postings_offset, info.postings_length);
            const std::string_view term_pos = std::string_view(pos).substr(info.positions_offset, info.positions_length);
            for (int rep = 0; rep < 30; ++rep) {
                const auto cut_post = rng() % (term_post.size() + 1);
                const auto cut_pos = rng() % 2 ? term_pos.size() : rng() % (term_pos.size() + 1);
                const exact_buffer p(term_post.substr(0, cut_post)), q(term_pos.substr(0, cut_pos));
                term_info t = info;
                t.postings_offset = 0;
                t.positions_offset = 0;
                t.postings_length = cut_post;
                t.positions_length = cut_pos;
                (void)exercise(rng, p.view(), q.view(), t);
                // A full scan loads every block, so it must notice the missing postings bytes.
                block_postings_cursor c(p.view(), q.view(), t);
                while (c.docid() != end_docid) c.next();
                CHECK(c.corrupt() == (cut_post < term_post.size()));
            }
        }
    }
    SUBCASE("random bytes with random term_info") {
        for (int rep = 0; rep < 3000; ++rep) {
            std::string a(rng() % 600, '\0'), b(rng() % 600, '\0');
            for (auto& ch : a) ch = static_cast<char>(rng() % 4 == 0 ? 0 : rng());
            for (auto& ch : b) ch = static_cast<char>(rng() % 4 == 0 ? 0 : rng());
            const exact_buffer p(a), q(b);
            term_info t;
            const auto dice = rng() % 4;
            t.df = static_cast<std::uint32_t>(dice == 0 ? rng() : dice == 1 ? rng() % 10 : rng() % 400);
            t.postings_offset = rng() % (a.size() + 2);
            t.postings_length = rng() % 2 ? a.size() - std::min<std::size_t>(a.size(), t.postings_offset) : rng() % 700;
            t.positions_offset = rng() % (b.size() + 2);
            t.positions_length = rng() % 2 ? b.size() - std::min<std::size_t>(b.size(), t.positions_offset) : rng() % 700;
            if (rng() % 8 == 0) t.postings_offset = ~std::uint64_t{0} - rng() % 4;  // offset + length overflows
            (void)exercise(rng, p.view(), q.view(), t);
        }
    }
    SUBCASE("a damaged skip table or block header is reported corrupt") {
        const auto& info = infos.back();  // df 2000: skip table of 16 entries
        REQUIRE(refs.back().docids.size() == 2000);
        auto damage = [&](std::size_t at, auto change) {
            std::string bad = post;
            char& byte = bad[info.postings_offset + at];
            byte = change(byte);
            const exact_buffer p(bad), q(pos);
            block_postings_cursor c(p.view(), q.view(), info);
            std::size_t n = 0;
            while (c.docid() != end_docid && n < 5000) {
                c.next();
                ++n;
            }
            return c.corrupt();
        };
        // Layout 3 (FORMAT.md §5): the list's frontier behind its length, 16 skip entries of 24 bytes,
        // the blocks' frontiers, then block 0 at the first entry's doc_offset.
        std::uint32_t frontier_bytes = 0;
        const char* head = post.data() + info.postings_offset;
        const char* after = get_varint32(head, head + info.postings_length, frontier_bytes);
        REQUIRE(after != nullptr);
        const std::size_t table = static_cast<std::size_t>(after - head) + frontier_bytes;
        const std::size_t entry = codec::skip_entry_bytes(codec::postings_layout::impacts);
        const std::size_t block0 = table + 16 * entry + codec::detail::load_le32(post.data() + info.postings_offset + table + 4);
        const auto flip = [](char c) { return static_cast<char>(c ^ 0x40); };
        CHECK(damage(table, flip));                                                     // block 0's last docid
        CHECK(damage(block0, [](char) { return char{33}; }));                           // docid bit width > 32
        CHECK(damage(block0 + 1, flip));                                                // freq width: wrong length
        CHECK(damage(table + 5 * entry + 7, [](char) { return static_cast<char>(0x80); }));  // offset past the data
        CHECK(damage(table + 3 * entry + 5, flip));                                     // block 3 moved
        CHECK(damage(block0 + 2 + 5, flip));                                            // a docid gap of block 0
    }
}

namespace {
/// The Pareto frontier of `pairs` by definition: the pairs no other pair dominates (tf ≥ and
/// length ≤, not equal), once each, by ascending tf.
std::vector<codec::impact> brute_frontier(std::vector<codec::impact> pairs) {
    std::vector<codec::impact> out;
    for (const auto& p : pairs) {
        bool dominated = false;
        for (const auto& q : pairs)
            dominated = dominated || (q.tf >= p.tf && q.length <= p.length && !(q == p));
        if (!dominated && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.tf < b.tf; });
    return out;
}

std::vector<codec::impact> pairs_of(const reference& r, std::size_t lo, std::size_t hi) {
    std::vector<codec::impact> v;
    for (std::size_t i = lo; i < hi; ++i) v.push_back({r.freqs[i], r.lengths.empty() ? 0u : r.lengths[r.docids[i]]});
    return v;
}
}  // namespace

TEST_CASE("codec: pareto_frontier keeps exactly the undominated pairs") {
    std::mt19937_64 rng(rapport::test::seed(20261202));
    for (int rep = 0; rep < 2000; ++rep) {
        std::vector<codec::impact> pairs(rng() % 40);
        const std::uint32_t tf_range = 1 + static_cast<std::uint32_t>(rng() % 10);
        for (auto& p : pairs)
            p = {1 + static_cast<std::uint32_t>(rng() % tf_range),
                 rep % 50 == 0 ? 0xFFFFFFFFu - static_cast<std::uint32_t>(rng() % 3) : static_cast<std::uint32_t>(rng() % 30)};
        const auto expected = brute_frontier(pairs);
        auto got = pairs;
        got.resize(codec::pareto_frontier(got));
        CHECK(got == expected);
        for (std::size_t i = 1; i < got.size(); ++i) {
            CHECK(got[i].tf > got[i - 1].tf);
            CHECK(got[i].length > got[i - 1].length);
        }
    }
}

TEST_CASE("codec: layout 3 stores each block's and the list's frontier; layout 2 reads the same postings") {
    std::mt19937_64 rng(rapport::test::seed(7));
    for (const std::size_t df : {1, 2, 127, 128, 129, 300, 1000, 4100}) {
        for (int rep = 0; rep < 4; ++rep) {
            CAPTURE(df);
            gen_options o;
            o.with_positions = rep % 2 == 0;
            o.large_freqs = rep == 3;
            const auto r = make_reference(rng, df, o);
            std::string post3, pos3, post2, pos2;
            const auto i3 = encode(r, post3, pos3);
            const auto i2 = codec::write_postings(r.docids, r.freqs, r.offsets, r.positions, r.lengths, post2, pos2,
                                                  codec::postings_layout::bounds);
            CHECK(i3.max_tf == i2.max_tf);
            CHECK(i3.min_length == i2.min_length);
            CHECK(i3.total_tf == i2.total_tf);
            CHECK(pos3 == pos2);  // positions are the same bytes in both layouts
            block_postings_cursor c3(post3, pos3, i3, end_docid, codec::postings_layout::impacts);
            block_postings_cursor c2(post2, pos2, i2, end_docid, codec::postings_layout::bounds);

            std::vector<codec::impact> term3, term2;
            c3.for_each_term_impact([&](std::uint32_t tf, std::uint32_t l) noexcept { term3.push_back({tf, l}); });
            c2.for_each_term_impact([&](std::uint32_t tf, std::uint32_t l) noexcept { term2.push_back({tf, l}); });
            CHECK(term3 == brute_frontier(pairs_of(r, 0, df)));
            REQUIRE(term2.size() == 1);
            CHECK(term2[0] == codec::impact{i2.max_tf, i2.min_length});

            for (std::size_t k = 0; k * 128 < df; ++k) {
                CAPTURE(k);
                const auto target = r.docids[k * 128];
                c3.shallow_seek(target);
                c2.shallow_seek(target);
                REQUIRE(c3.block_last_docid() == c2.block_last_docid());
                std::vector<codec::impact> b3, b2;
                c3.for_each_block_impact([&](std::uint32_t tf, std::uint32_t l) noexcept { b3.push_back({tf, l}); });
                c2.for_each_block_impact([&](std::uint32_t tf, std::uint32_t l) noexcept { b2.push_back({tf, l}); });
                CHECK(b3 == brute_frontier(pairs_of(r, k * 128, std::min(df, k * 128 + 128))));
                const auto m = brute_block(r, k);
                REQUIRE(b2.size() == 1);
                CHECK(b2[0] == codec::impact{m.max_tf, m.min_length});
            }
            c3.shallow_seek(end_docid - 1);
            std::size_t past = 0;
            c3.for_each_block_impact([&](std::uint32_t, std::uint32_t) noexcept { ++past; });
            CHECK((c3.block_last_docid() == end_docid) == (past == 0));

            // The postings themselves read identically.
            block_postings_cursor a(post3, pos3, i3), b(post2, pos2, i2, end_docid, codec::postings_layout::bounds);
            for (std::size_t i = 0; i < df; ++i) {
                REQUIRE(a.docid() == r.docids[i]);
                REQUIRE(b.docid() == r.docids[i]);
                REQUIRE(a.freq() == b.freq());
                REQUIRE(to_vector(a.positions()) == to_vector(b.positions()));
                a.next();
                b.next();
            }
            CHECK(a.docid() == end_docid);
            CHECK(b.docid() == end_docid);
            CHECK_FALSE(a.corrupt());
            CHECK_FALSE(b.corrupt());
        }
    }
}

TEST_CASE("codec: a damaged block frontier falls back to the block's (max tf, min length)") {
    std::mt19937_64 rng(rapport::test::seed(11));
    auto o = gen_options{};
    o.large_freqs = true;
    const auto r = make_reference(rng, 3000, o);
    std::string post, pos;
    const auto info = encode(r, post, pos);
    std::uint32_t frontier_bytes = 0;
    const char* head = post.data() + info.postings_offset;
    const char* after = get_varint32(head, head + info.postings_length, frontier_bytes);
    REQUIRE(after != nullptr);
    const char* table = after + frontier_bytes;
    const std::size_t blocks = (r.docids.size() + 127) / 128;
    const std::size_t entry = codec::skip_entry_bytes(codec::postings_layout::impacts);
    const char* data = table + blocks * entry;
    std::size_t damaged = 0;
    for (std::size_t k = 0; k < blocks; ++k) {
        const auto begin = codec::detail::load_le32(table + k * entry + 20);
        const auto end = k + 1 < blocks ? codec::detail::load_le32(table + (k + 1) * entry + 20)
                                        : codec::detail::load_le32(table + 4);
        if (begin == end) continue;  // a frontier of one pair is not stored
        CAPTURE(k);
        // The frontier's last byte gets a continuation bit: its last varint runs past its range.
        std::string bad = post;
        const auto at = static_cast<std::size_t>(data - post.data()) + end - 1;
        bad[at] = static_cast<char>(bad[at] | 0x80);
        block_postings_cursor c(bad, pos, info);
        c.shallow_seek(r.docids[k * 128]);
        std::vector<codec::impact> seen;
        c.for_each_block_impact([&](std::uint32_t tf, std::uint32_t l) noexcept { seen.push_back({tf, l}); });
        const auto m = brute_block(r, k);
        CHECK(std::find(seen.begin(), seen.end(), codec::impact{m.max_tf, m.min_length}) != seen.end());
        ++damaged;
    }
    CHECK(damaged > 0);  // the list has blocks with frontiers of several pairs
}
