// SPDX-License-Identifier: MIT
// The query parser on arbitrary bytes: lenient and plain parsing never throw; strict parsing
// throws only `query::syntax_error`, and when it succeeds it agrees with lenient parsing; a lenient
// result that fits the nesting cap prints to text that parses back to it in both modes.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz.hpp"
#include "rapport/query/error.hpp"
#include "rapport/query/parser.hpp"
#include "rapport/query/query.hpp"

namespace q = rapport::query;

namespace {
// Whether every boost is finite: a lenient parse keeps an overflowing product as infinity (so that
// searching reports it), which prints as no number can be read back.
bool boosts_finite(const q::query& node) {
    if (!std::isfinite(node.boost())) return false;
    if (const auto* b = node.get_if<q::boolean_node>())
        for (const auto& c : b->clauses)
            if (!boosts_finite(c.query)) return false;
    return true;
}

// Booleans nested in `node`, itself included: printed, each may need a pair of parentheses, so a
// tree deeper than the parser's max_depth (precedence nests "a AND b c" without any) prints to
// text the parser flattens.
std::size_t boolean_depth(const q::query& node) {
    std::size_t deepest = 0;
    if (const auto* b = node.get_if<q::boolean_node>()) {
        for (const auto& c : b->clauses) deepest = std::max(deepest, boolean_depth(c.query));
        return deepest + 1;
    }
    return 0;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto lenient = q::parse(text);  // never throws
    (void)q::parse(text, {.mode = q::parse_mode::plain});
    bool valid = false;  // strict parsing accepts the text
    try {
        const auto strict = q::parse(text, {.mode = q::parse_mode::strict});
        RAPPORT_FUZZ_CHECK(strict == lenient);
        valid = true;
    } catch (const q::syntax_error& e) {
        RAPPORT_FUZZ_CHECK(e.position() <= text.size());
    }
    // The round trip: a lenient result prints to text that parses back to it (corpus/query_parser:
    // depth_limit_clause, empty_group_msm and round_trip_or once broke it), and so does valid
    // text in strict mode (lenient results may hold what strict mode rejects: a boost over
    // query::max_boost, a count saturated at 2^32 - 1).
    if (boosts_finite(lenient) && boolean_depth(lenient) <= q::parser_options{}.max_depth) {
        const auto printed = q::to_string(lenient);
        RAPPORT_FUZZ_CHECK(q::parse(printed) == lenient);
        if (valid) RAPPORT_FUZZ_CHECK(q::parse(printed, {.mode = q::parse_mode::strict}) == lenient);
    }
    return 0;
}
