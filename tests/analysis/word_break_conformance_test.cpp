// SPDX-License-Identifier: MIT
// Conformance of tokenizer::boundaries with Unicode's WordBreakTest.txt (UAX #29 test data),
// with and without the ASCII fast path.
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rapport/core/utf8.hpp"
#include "rapport/analysis/tokenizer.hpp"

namespace {

struct break_case {
    std::string line;
    std::string text;
    std::vector<std::uint32_t> breaks;
};

// Lines look like "÷ 0001 × 0308 ÷ # comment": ÷ marks a break, × its absence.
std::vector<break_case> read_cases(const char* path) {
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "cannot open ", path);
    std::vector<break_case> cases;
    std::string line;
    while (std::getline(in, line)) {
        const std::string body = line.substr(0, line.find('#'));
        std::istringstream fields(body);
        break_case c{line, {}, {}};
        std::string field;
        bool any = false;
        while (fields >> field) {
            any = true;
            if (field == "\xC3\xB7")  // ÷
                c.breaks.push_back(static_cast<std::uint32_t>(c.text.size()));
            else if (field != "\xC3\x97")  // ×
                rapport::append_utf8(c.text, static_cast<char32_t>(std::stoul(field, nullptr, 16)));
        }
        if (any) cases.push_back(std::move(c));
    }
    return cases;
}

std::string join(const std::vector<std::uint32_t>& v) {
    std::string s;
    for (const auto x : v) s += std::to_string(x) + ' ';
    return s;
}

}  // namespace

TEST_CASE("analysis: word boundaries conform to WordBreakTest.txt") {
    const auto cases = read_cases(RAPPORT_WORD_BREAK_TEST);
    // Unicode 15.0's file (Debian's unicode-data 15.0.0, the version ICU 72 implements) has 1823.
    CHECK(cases.size() >= 1800);

    const auto run = [&cases](bool fast) {
        rapport::analysis::tokenizer tok;
        tok.set_ascii_fast_path(fast);
        std::size_t passed = 0;
        for (const auto& c : cases) {
            const auto got = tok.boundaries(c.text);
            if (got == c.breaks) {
                ++passed;
            } else {
                INFO(c.line);
                INFO("expected: ", join(c.breaks));
                INFO("got:      ", join(got));
                CHECK(got == c.breaks);
            }
        }
        MESSAGE("WordBreakTest.txt: ", passed, " of ", cases.size(), " lines pass (ASCII fast path ",
                std::string(fast ? "on" : "off"), ")");
        CHECK(passed == cases.size());
    };
    SUBCASE("with the ASCII fast path") { run(true); }
    SUBCASE("ICU only") { run(false); }
}
