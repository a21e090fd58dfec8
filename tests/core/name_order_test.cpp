// SPDX-License-Identifier: MIT
// detail::name_order (lib/core/name_order.hpp): the order of names by their bytes, against
// std::sort of the strings themselves.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/name_order.hpp"

namespace {
// The names in the order name_order gives.
std::vector<std::string> ordered(const std::vector<std::string>& names) {
    const std::vector<std::string_view> views(names.begin(), names.end());
    const auto order = rapport::detail::name_order(views);
    REQUIRE(order.size() == names.size());
    std::vector<std::string> out;
    for (const auto i : order) out.push_back(names.at(i));
    return out;
}
}  // namespace

TEST_CASE("core: name_order sorts names bytewise, shared prefixes, zero bytes and high bytes included") {
    std::vector<std::string> names = {"", "a", std::string("a\0", 2), std::string("a\0\0", 3), "ab", "abcdefgh",
                                      "abcdefgh", "abcdefghi", "abcdefgha", "abcdefg", "\xff", "\x7f", "zz", "\xc3\xa9t\xc3\xa9",
                                      std::string(8, '\0'), std::string(9, '\0'), "abcdefgh\xff", "abcdefgh\x01"};
    auto expected = names;
    std::sort(expected.begin(), expected.end());
    CHECK(ordered(names) == expected);
    // Every id appears exactly once.
    const std::vector<std::string_view> views(names.begin(), names.end());
    auto order = rapport::detail::name_order(views);
    std::sort(order.begin(), order.end());
    for (std::uint32_t i = 0; i < order.size(); ++i) CHECK(order[i] == i);
    CHECK(rapport::detail::name_order({}).empty());
}

TEST_CASE("core: name_order agrees with std::sort on random names over a small alphabet") {
    std::mt19937 rng(7);
    for (int round = 0; round < 50; ++round) {
        std::vector<std::string> names(1 + rng() % 300);
        for (auto& n : names) {
            const std::size_t length = rng() % 14;
            for (std::size_t i = 0; i < length; ++i) n.push_back("\0ab\xff"[rng() % 4]);
        }
        auto expected = names;
        std::sort(expected.begin(), expected.end());
        CHECK(ordered(names) == expected);
    }
}
