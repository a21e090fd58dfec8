// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "rapport/codec/bitpack.hpp"
#include "support/seed.hpp"

using namespace rapport;
using codec::block_size;

namespace {

std::vector<std::uint32_t> random_values(std::mt19937_64& rng, unsigned bits) {
    std::vector<std::uint32_t> v(block_size);
    const std::uint64_t limit = std::uint64_t{1} << bits;
    for (auto& x : v) x = static_cast<std::uint32_t>(rng() % limit);
    return v;
}

std::vector<std::uint32_t> round_trip(const std::vector<std::uint32_t>& in, unsigned bits) {
    std::string buf = "prefix";
    codec::pack(in.data(), bits, buf);
    REQUIRE(buf.size() == 6 + codec::packed_bytes(bits));
    REQUIRE(buf.substr(0, 6) == "prefix");
    std::vector<std::uint32_t> out(block_size, 0xDEADBEEFu);
    codec::unpack(buf.data() + 6, bits, out.data());
    return out;
}

}  // namespace

TEST_CASE("codec: bits_needed is the bit width of the largest value") {
    CHECK(codec::bits_needed(0) == 0);
    CHECK(codec::bits_needed(1) == 1);
    CHECK(codec::bits_needed(2) == 2);
    CHECK(codec::bits_needed(3) == 2);
    CHECK(codec::bits_needed(4) == 3);
    CHECK(codec::bits_needed(255) == 8);
    CHECK(codec::bits_needed(256) == 9);
    CHECK(codec::bits_needed(0x7FFFFFFFu) == 31);
    CHECK(codec::bits_needed(0x80000000u) == 32);
    CHECK(codec::bits_needed(0xFFFFFFFFu) == 32);
    for (unsigned b = 1; b < 32; ++b) {
        CHECK(codec::bits_needed((std::uint32_t{1} << b) - 1) == b);
        CHECK(codec::bits_needed(std::uint32_t{1} << b) == b + 1);
    }
    const std::uint32_t v[4] = {3, 900, 7, 0};
    CHECK(codec::max_value(v, 4) == 900);
    CHECK(codec::max_value(v, 0) == 0);
}

TEST_CASE("codec: pack then unpack round-trips every width 0..32") {
    std::mt19937_64 rng(rapport::test::seed(42));
    auto top_of = [](unsigned bits) { return bits == 32 ? 0xFFFFFFFFu : (std::uint32_t{1} << bits) - 1; };
    SUBCASE("random values") {
        for (unsigned bits = 0; bits <= 32; ++bits) {
            CAPTURE(bits);
            for (int rep = 0; rep < 20; ++rep) {
                const auto in = random_values(rng, bits);
                CHECK(round_trip(in, bits) == in);
            }
        }
    }
    SUBCASE("all zero") {
        const std::vector<std::uint32_t> in(block_size, 0);
        for (unsigned bits = 0; bits <= 32; ++bits) CHECK(round_trip(in, bits) == in);
    }
    SUBCASE("all at the top of the width") {
        for (unsigned bits = 0; bits <= 32; ++bits) {
            const std::vector<std::uint32_t> in(block_size, top_of(bits));
            CHECK(round_trip(in, bits) == in);
        }
    }
    SUBCASE("alternating extremes and a single set value") {
        for (unsigned bits = 0; bits <= 32; ++bits) {
            CAPTURE(bits);
            std::vector<std::uint32_t> in(block_size);
            for (std::size_t i = 0; i < block_size; ++i) in[i] = i % 2 ? top_of(bits) : 0;
            CHECK(round_trip(in, bits) == in);
            for (std::size_t at : {std::size_t{0}, std::size_t{1}, std::size_t{63}, std::size_t{127}}) {
                std::vector<std::uint32_t> one(block_size, 0);
                one[at] = top_of(bits);
                CHECK(round_trip(one, bits) == one);
            }
        }
    }
}

TEST_CASE("codec: packed width w at the smallest width that holds the values") {
    std::mt19937_64 rng(rapport::test::seed(7));
    for (unsigned bits = 1; bits <= 32; ++bits) {
        auto in = random_values(rng, bits);
        in[17] = bits == 32 ? 0xFFFFFFFFu : (std::uint32_t{1} << bits) - 1;  // make the width exact
        CHECK(codec::bits_needed(codec::max_value(in.data(), block_size)) == bits);
        CHECK(round_trip(in, bits) == in);
    }
}

TEST_CASE("codec: packed layout is 4-lane interleaved little-endian words") {
    std::vector<std::uint32_t> in(block_size);
    for (std::size_t i = 0; i < block_size; ++i) in[i] = static_cast<std::uint32_t>(i * 2654435761u);
    SUBCASE("width 32 stores the values in order, little-endian") {
        std::string buf;
        codec::pack(in.data(), 32, buf);
        REQUIRE(buf.size() == 512);
        for (std::size_t i = 0; i < block_size; ++i)
            for (int b = 0; b < 4; ++b)
                CHECK(static_cast<std::uint8_t>(buf[4 * i + static_cast<std::size_t>(b)]) == ((in[i] >> (8 * b)) & 0xFF));
    }
    SUBCASE("width 8: byte m of word k of lane l is value 4·(4k + m) + l") {
        for (auto& x : in) x &= 0xFF;
        std::string buf;
        codec::pack(in.data(), 8, buf);
        REQUIRE(buf.size() == 128);
        for (std::size_t k = 0; k < 8; ++k)
            for (std::size_t l = 0; l < 4; ++l)
                for (std::size_t m = 0; m < 4; ++m)
                    CHECK(static_cast<std::uint8_t>(buf[16 * k + 4 * l + m]) == in[4 * (4 * k + m) + l]);
    }
    SUBCASE("width 0 stores nothing and decodes zeros") {
        std::string buf;
        const std::vector<std::uint32_t> zeros(block_size, 0);
        codec::pack(zeros.data(), 0, buf);
        CHECK(buf.empty());
        std::vector<std::uint32_t> out(block_size, 5);
        codec::unpack(nullptr, 0, out.data());
        CHECK(out == zeros);
    }
}
